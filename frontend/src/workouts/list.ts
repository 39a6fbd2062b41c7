// A workout as lists show it: the dashboard's recent workouts and the workouts page.

import { h } from "../app/dom";

export interface Workout {
  id: number;
  sport: string;
  indoor: boolean;
  started_at: string;
  ended_at: string | null;
  source: string;
  status: string;
  score?: unknown; // added by the scoring work; shown when present
}

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
