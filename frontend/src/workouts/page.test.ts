import { describe, expect, it } from "vitest";
import { scoreFromApi } from "./page";

describe("scoreFromApi", () => {
  it("shows points and one sentence per metric of a scored workout", () => {
    expect(scoreFromApi({ status: "scored", points: 42, explanations: { trimp: "Banister TRIMP 80.", hr: "Average 140 bpm." } })).toEqual({
      points: 42,
      explanation: ["Banister TRIMP 80.", "Average 140 bpm."],
    });
  });
  it("says why a workout could not be scored", () => {
    expect(scoreFromApi({ status: "unscorable", reason: "it has no samples" })).toEqual({
      explanation: "This workout could not be scored: it has no samples.",
    });
  });
});
