// Pure parts of the live class view: which session state wins, the projected clock, the breathing
// pacer's phase. No DOM here, so Vitest covers them directly.

import type { Schema } from "../app/api";

export type Breathing = Schema<"BreathingOutput">;

export type Segment = Schema<"SegmentOutput">;

/** The session socket's state, as GET classes/occurrences/<id>/session/ answers it without is_instructor. */
export type SessionState = Omit<Schema<"SessionStateOutput">, "is_instructor">;

/** Keep the state with the higher revision: a late or duplicate delivery never rewinds the view. */
export function newer(current: SessionState | null, incoming: SessionState): boolean {
  return current === null || incoming.revision > current.revision;
}

/**
 * Seconds left in the segment at `localNow`, counting from the server's snapshot. `offset` is
 * server time minus local time, measured when the state arrived, so a wrong device clock does not
 * shift the countdown.
 */
export function remainingAt(state: SessionState, localNow: number, offset: number): number {
  if (state.status !== "running") return state.remaining_s;
  const passed = Math.max(0, localNow + offset - state.server_time);
  return Math.max(0, state.remaining_s - passed);
}

export function formatSeconds(seconds: number): string {
  const whole = Math.ceil(seconds);
  const minutes = Math.floor(whole / 60);
  return `${minutes}:${String(whole % 60).padStart(2, "0")}`;
}

export interface BreathPhase {
  label: "Breathe in" | "Hold" | "Breathe out" | "Hold out";
  secondsLeft: number;
  /** 0 (empty lungs) to 1 (full), for the pacer's circle. */
  fullness: number;
}

/** The pacer at `t` seconds into a breathing segment. Phases of length 0 are skipped. */
export function breathPhase(pattern: Breathing, t: number): BreathPhase {
  const phases: [BreathPhase["label"], number][] = [
    ["Breathe in", pattern.inhale_s],
    ["Hold", pattern.hold_s],
    ["Breathe out", pattern.exhale_s],
    ["Hold out", pattern.hold_out_s],
  ];
  const cycle = phases.reduce((sum, [, d]) => sum + d, 0);
  let into = ((t % cycle) + cycle) % cycle;
  for (const [label, duration] of phases) {
    if (duration <= 0) continue;
    if (into < duration) {
      const fraction = into / duration;
      const fullness = label === "Breathe in" ? fraction : label === "Hold" ? 1 : label === "Breathe out" ? 1 - fraction : 0;
      return { label, secondsLeft: Math.ceil(duration - into), fullness };
    }
    into -= duration;
  }
  return { label: "Breathe in", secondsLeft: Math.ceil(pattern.inhale_s), fullness: 0 };
}
