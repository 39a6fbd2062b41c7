// The words of the rehabilitation pages: targets, alerts and summaries, shared by the captions,
// the spoken cues and the therapist's overview. Pure, so Vitest checks them.

import type { components } from "../app/api-schema";

// Nested in the responses, so as the schema gives them (fields with a default may be absent).
export type Target = components["schemas"]["ExerciseTargetOutput"];
export type RehabAlert = components["schemas"]["RehabAlertOutput"];

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "2 sets of 8 reps, rest 60 s"; "1 set of 30 s holds"; "1 set of 2 min". */
export function targetText(target: Target): string {
  const parts: string[] = [];
  if (target.reps) parts.push(plural(target.reps, "rep"));
  if (target.hold_s) parts.push(`${target.hold_s} s ${target.reps ? "hold each" : "holds"}`);
  if (target.duration_s) parts.push(duration(target.duration_s));
  const what = `${plural(target.sets, "set")} of ${parts.join(", ")}`;
  return target.rest_s ? `${what}, rest ${duration(target.rest_s)}` : what;
}

/** "45 s", "2 min", "2 min 30 s". */
export function duration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 60) return `${whole} s`;
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
}

/** "1:05" for a countdown's display. */
export function clock(seconds: number): string {
  const whole = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

/** The seconds a countdown runs for an exercise's set, or null for a reps-only set. */
export function countdownSeconds(target: Target): number | null {
  return target.duration_s ?? target.hold_s ?? null;
}

/** The therapist's line for one alert. */
export function alertText(alert: RehabAlert): string {
  if (alert.kind === "pain_stop") return `Pain ${alert.pain}/10 reached the stop rule (${alert.pain_stop}/10)`;
  if (alert.kind === "missed_sessions") return `${plural(alert.missed ?? 0, "missed session")} in a row`;
  const time = duration(alert.time_above_s ?? 0);
  return `Heart rate over the ceiling for ${time}, up to ${Math.round(alert.peak_over_bpm ?? 0)} bpm above`;
}

export const ceilingMessage = (bpm: number, ceiling: number) =>
  `Heart rate ${bpm} is above your ceiling of ${ceiling}. Please rest until it falls back under ${ceiling}.`;
export const backUnderMessage = (ceiling: number) => `Back under ${ceiling}: carry on when you feel ready.`;
