// A workout as lists show it: the dashboard's recent workouts and the workouts page.

import type { Schema } from "../app/api";
import { h } from "../app/dom";

// `score` arrives with the scoring work; shown when present (the schema has no shape for it yet).
export type Workout = Schema<"WorkoutOutput"> & { score?: unknown };

const SPORTS: Record<string, string> = { run: "Run", ride: "Ride", walk: "Walk", yoga: "Yoga", other: "Workout" };
export const workoutTitle = (w: Workout) => `${SPORTS[w.sport] ?? "Workout"}${w.indoor ? " (indoor)" : ""}, ${new Date(w.started_at).toLocaleString()}`;

export function workoutList(workouts: Workout[]): HTMLElement {
  if (!workouts.length) return h("p", {}, "No workouts yet. Record one with the bridge or the phone companion.");
  return h(
    "ul",
    { class: "plain" },
    ...workouts.map((w) => h("li", {}, h("a", { href: `/workouts/${w.id}`, "data-link": true }, workoutTitle(w)), w.status === "active" ? " · live now" : "")),
  );
}
