// The on-demand player's clock and its place in the class plan. Pure (the time is passed in), so
// Vitest covers it; the page drives it with performance.now().

import type { Segment, SessionState } from "./session";

export interface PlanPosition {
  index: number;
  elapsed: number;
  remaining: number;
  finished: boolean;
}

export const planLength = (segments: Segment[]): number => segments.reduce((sum, s) => sum + s.duration_s, 0);

/** Where the plan is after `played` seconds: segments follow each other with their durations. */
export function planPosition(segments: Segment[], played: number): PlanPosition {
  let start = 0;
  const at = Math.max(0, played);
  for (const [index, segment] of segments.entries()) {
    if (at < start + segment.duration_s) {
      const elapsed = at - start;
      return { index, elapsed, remaining: segment.duration_s - elapsed, finished: false };
    }
    start += segment.duration_s;
  }
  const last = segments.length - 1;
  return { index: last, elapsed: segments[last].duration_s, remaining: 0, finished: true };
}

/** Seconds played, without pauses. `now` is any monotonic clock in seconds. */
export class PlayerClock {
  private banked: number;
  private since: number | null = null;

  constructor(alreadyPlayed = 0) {
    this.banked = Math.max(0, alreadyPlayed);
  }

  get running(): boolean {
    return this.since !== null;
  }

  play(now: number): void {
    if (this.since === null) this.since = now;
  }

  pause(now: number): void {
    if (this.since === null) return;
    this.banked += now - this.since;
    this.since = null;
  }

  played(now: number): number {
    return this.banked + (this.since === null ? 0 : now - this.since);
  }
}

/** The player's position as a session state, so the live view's display code shows it too. */
export function playerState(segments: Segment[], played: number, running: boolean, revision: number): SessionState {
  const position = planPosition(segments, played);
  const following = segments[position.index + 1];
  return {
    occurrence_id: 0,
    revision,
    status: position.finished ? "ended" : running ? "running" : "paused",
    segment_index: position.index,
    segment_count: segments.length,
    segment: segments[position.index],
    next_segment: following ? following.name : null,
    elapsed_s: position.elapsed,
    remaining_s: position.remaining,
    server_time: 0,
  };
}
