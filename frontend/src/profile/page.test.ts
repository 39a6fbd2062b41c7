import { describe, expect, it } from "vitest";
import { accessLogLine, profileChanges } from "./page";

describe("profileChanges", () => {
  it("sends empty physiology fields as unknown (null) and numbers as numbers", () => {
    expect(
      profileChanges({ display_name: "Ada", birth_year: "1988", max_heart_rate: "", weight_kg: "61.5" }, false),
    ).toEqual({ display_name: "Ada", birth_year: 1988, max_heart_rate: null, weight_kg: "61.5", show_in_live_worlds: false });
  });
});

describe("accessLogLine", () => {
  it("says who read what, when and why", () => {
    const line = accessLogLine(
      { id: 1, accessor: "Ana", accessor_role: "organizer", what: "workout 12", why: "reviewing flagged contributions", at: "2026-12-07T14:02:00Z" },
      "en-GB",
    );
    expect(line).toMatch(/^Ana \(organizer\) read your workout 12 on .+: reviewing flagged contributions\.$/);
  });
});
