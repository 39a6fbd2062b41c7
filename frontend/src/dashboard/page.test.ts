import { describe, expect, it } from "vitest";
import { levelBar } from "./page";

describe("levelBar", () => {
  it("runs from the level's start to the next level's", () => {
    expect(levelBar({ level: 3, xp: 1250, level_xp: 1000, next_level_xp: 2000 })).toEqual({ value: 250, max: 1000 });
  });

  it("is empty at the start of a level and full just before the next", () => {
    expect(levelBar({ level: 1, xp: 0, level_xp: 0, next_level_xp: 100 })).toEqual({ value: 0, max: 100 });
    expect(levelBar({ level: 1, xp: 99, level_xp: 0, next_level_xp: 100 })).toEqual({ value: 99, max: 100 });
  });
});
