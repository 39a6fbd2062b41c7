import { describe, expect, it } from "vitest";
import { alertText, ceilingMessage, clock, countdownSeconds, duration, targetText } from "./text";

const target = (over: Record<string, unknown>) => ({ exercise_id: 1, position: null, sets: 2, reps: null, hold_s: null, duration_s: null, rest_s: 0, ...over });
const alert = (over: Record<string, unknown>) => ({ kind: "pain_stop" as const, at: "2026-12-07T10:00:00Z", session_id: 1, time_above_s: null, peak_over_bpm: null, pain: null, pain_stop: null, missed: null, ...over });

describe("targetText", () => {
  it("says sets, reps and rest", () => {
    expect(targetText(target({ reps: 8, rest_s: 60 }))).toBe("2 sets of 8 reps, rest 1 min");
  });
  it("says a timed set in minutes", () => {
    expect(targetText(target({ sets: 1, duration_s: 150 }))).toBe("1 set of 2 min 30 s");
  });
  it("says holds with reps", () => {
    expect(targetText(target({ reps: 5, hold_s: 10, rest_s: 30 }))).toBe("2 sets of 5 reps, 10 s hold each, rest 30 s");
  });
});

describe("durations", () => {
  it("reads seconds and minutes", () => {
    expect([duration(45), duration(120), duration(61)]).toEqual(["45 s", "2 min", "1 min 1 s"]);
  });
  it("shows a countdown as m:ss, rounding up", () => {
    expect([clock(65), clock(0.2), clock(0)]).toEqual(["1:05", "0:01", "0:00"]);
  });
  it("counts down durations, then holds, and not reps", () => {
    expect([countdownSeconds(target({ duration_s: 90 })), countdownSeconds(target({ hold_s: 10, reps: 5 })), countdownSeconds(target({ reps: 8 }))]).toEqual([90, 10, null]);
  });
});

describe("alertText", () => {
  it("names the pain and the stop rule", () => {
    expect(alertText(alert({ pain: 7, pain_stop: 5 }))).toBe("Pain 7/10 reached the stop rule (5/10)");
  });
  it("says how long and how far over the ceiling", () => {
    expect(alertText(alert({ kind: "ceiling_exceeded", time_above_s: 75, peak_over_bpm: 12.4 }))).toBe("Heart rate over the ceiling for 1 min 15 s, up to 12 bpm above");
  });
  it("counts missed sessions", () => {
    expect(alertText(alert({ kind: "missed_sessions", missed: 2 }))).toBe("2 missed sessions in a row");
  });
  it("suggests rest when over the ceiling", () => {
    expect(ceilingMessage(131, 120)).toBe("Heart rate 131 is above your ceiling of 120. Please rest until it falls back under 120.");
  });
});
