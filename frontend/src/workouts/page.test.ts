import { describe, expect, it } from "vitest";
import { importMessages, recordRows, scoreFromApi } from "./page";

describe("scoreFromApi", () => {
  it("shows points and one sentence per metric of a scored workout", () => {
    expect(scoreFromApi({ workout_id: 7, status: "scored", points: 42, explanations: { trimp: "Banister TRIMP 80.", hr: "Average 140 bpm." } })).toEqual({
      points: 42,
      explanation: ["Banister TRIMP 80.", "Average 140 bpm."],
    });
  });
  it("says why a workout could not be scored", () => {
    expect(scoreFromApi({ workout_id: 7, status: "unscorable", reason: "it has no samples" })).toEqual({
      explanation: "This workout could not be scored: it has no samples.",
    });
  });
});

describe("recordRows", () => {
  it("shows times as durations, powers in watts, and marks personal records", () => {
    expect(
      recordRows([
        { kind: "time", name: "5 km", value: 1502, record: true },
        { kind: "power", name: "20 min", value: 251.6, record: false },
      ]),
    ).toEqual([
      ["5 km", "25:02", "Personal record"],
      ["20 min power", "252 W", ""],
    ]);
  });
});

describe("importMessages", () => {
  it("says what was imported, then the damaged file's warning", () => {
    expect(
      importMessages({
        workout_id: 3, format: "fit", sport: "run", indoor: false, started_at: "2026-03-01T07:00:00Z", ended_at: "2026-03-01T08:02:05Z",
        duration_s: 3725, timer_s: 3605, pauses: 1, laps: 1, samples: 1200, distance_m: 8123.4, avg_hr: 141.2, rr_intervals: 0,
        warnings: ["The file ends early: the 1,200 records before that point were kept."],
      }),
    ).toEqual(["Imported 1,200 samples (1:02:05, 8.12 km, 1 pause).", "The file ends early: the 1,200 records before that point were kept."]);
  });
});
