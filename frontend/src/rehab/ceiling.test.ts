import { describe, expect, it } from "vitest";
import { ceilingStep } from "./ceiling";

describe("ceilingStep", () => {
  it("triggers on a single sample strictly above the ceiling", () => {
    expect(ceilingStep(false, 121, 120)).toEqual({ above: true, change: "crossed" });
  });

  it("does not count a rate exactly at the ceiling", () => {
    expect(ceilingStep(false, 120, 120)).toEqual({ above: false, change: null });
  });

  it("reports the crossing once while the rate stays above", () => {
    expect(ceilingStep(true, 130, 120)).toEqual({ above: true, change: null });
  });

  it("says back under at the first sample at or under the ceiling", () => {
    expect(ceilingStep(true, 120, 120)).toEqual({ above: false, change: "back_under" });
  });

  it("skips dropouts: they neither start nor end an episode", () => {
    for (const dropout of [0, -5, Number.NaN, null, undefined]) {
      expect(ceilingStep(true, dropout, 120)).toEqual({ above: true, change: null });
      expect(ceilingStep(false, dropout, 120)).toEqual({ above: false, change: null });
    }
  });

  it("never alerts without a ceiling", () => {
    expect(ceilingStep(false, 220, null)).toEqual({ above: false, change: null });
  });

  it("follows a spike: crossed, then back under at the next sample", () => {
    let above = false;
    const changes = [110, 150, 112].map((bpm) => {
      const step = ceilingStep(above, bpm, 120);
      above = step.above;
      return step.change;
    });
    expect(changes).toEqual([null, "crossed", "back_under"]);
  });
});
