import { describe, expect, it } from "vitest";
import { profileChanges } from "./page";

describe("profileChanges", () => {
  it("sends empty physiology fields as unknown (null) and numbers as numbers", () => {
    expect(
      profileChanges({ display_name: "Ada", birth_year: "1988", max_heart_rate: "", weight_kg: "61.5" }, false),
    ).toEqual({ display_name: "Ada", birth_year: 1988, max_heart_rate: null, weight_kg: "61.5", show_in_live_worlds: false });
  });
});
