import { describe, expect, it } from "vitest";
import { breathPhase, formatSeconds, newer, remainingAt, type SessionState } from "./session";

const state = (extra: Partial<SessionState>): SessionState => ({
  occurrence_id: 1,
  revision: 3,
  status: "running",
  segment_index: 1,
  segment_count: 3,
  segment: { name: "Box", duration_s: 240, cue: "Breathe", target_zone: null, breathing: null },
  next_segment: null,
  elapsed_s: 40,
  remaining_s: 200,
  server_time: 1000,
  ...extra,
});

describe("live class session", () => {
  it("keeps only states with a higher revision", () => {
    expect(newer(null, state({}))).toBe(true);
    expect(newer(state({ revision: 3 }), state({ revision: 3 }))).toBe(false);
    expect(newer(state({ revision: 3 }), state({ revision: 2 }))).toBe(false);
    expect(newer(state({ revision: 3 }), state({ revision: 4 }))).toBe(true);
  });

  it("counts down a running segment from the server snapshot, corrected for clock offset", () => {
    // The local clock is 5 s behind the server's.
    expect(remainingAt(state({}), 1000 - 5 + 30, 5)).toBe(170);
    expect(remainingAt(state({}), 2000, 0)).toBe(0);
  });

  it("does not count down a paused segment", () => {
    expect(remainingAt(state({ status: "paused" }), 5000, 0)).toBe(200);
  });

  it("formats minutes and seconds", () => {
    expect(formatSeconds(200)).toBe("3:20");
    expect(formatSeconds(9.2)).toBe("0:10");
  });

  it("walks the breathing phases of box breathing", () => {
    const box = { inhale_s: 4, hold_s: 4, exhale_s: 4, hold_out_s: 4 };
    expect(breathPhase(box, 0)).toEqual({ label: "Breathe in", secondsLeft: 4, fullness: 0 });
    expect(breathPhase(box, 5).label).toBe("Hold");
    expect(breathPhase(box, 10)).toEqual({ label: "Breathe out", secondsLeft: 2, fullness: 0.5 });
    expect(breathPhase(box, 15).label).toBe("Hold out");
    expect(breathPhase(box, 16).label).toBe("Breathe in");
  });

  it("skips phases of zero length", () => {
    const resonant = { inhale_s: 5, hold_s: 0, exhale_s: 5, hold_out_s: 0 };
    expect(breathPhase(resonant, 5).label).toBe("Breathe out");
    expect(breathPhase(resonant, 9.5).secondsLeft).toBe(1);
  });
});
