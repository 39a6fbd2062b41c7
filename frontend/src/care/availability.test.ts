import { describe, expect, it } from "vitest";
import { ruleSummary, weeklyRule } from "./availability";

describe("weeklyRule", () => {
  it("lists the ticked days in week order", () => {
    expect(weeklyRule(["TH", "MO"])).toBe("FREQ=WEEKLY;BYDAY=MO,TH");
  });

  it("is empty (this window only) with no day, and ignores unknown codes", () => {
    expect(weeklyRule([])).toBe("");
    expect(weeklyRule(["XX"])).toBe("");
  });
});

describe("ruleSummary", () => {
  const rule = {
    id: 1,
    first_start_local: "2026-12-07T09:00:00",
    time_zone: "Europe/Berlin",
    rrule: "FREQ=WEEKLY;BYDAY=MO,TH",
    window_minutes: 180,
    slot_minutes: 30,
    buffer_minutes: 10,
  };

  it("names the weekdays, the opening, the length, the slots and the zone", () => {
    expect(ruleSummary(rule)).toBe("Mondays and Thursdays, 09:00 for 3 h, 30-minute slots, 10 minutes between (Europe/Berlin)");
  });

  it("says the date of a one-off window and minutes for a part hour", () => {
    expect(ruleSummary({ ...rule, rrule: "", window_minutes: 90, buffer_minutes: 0 })).toBe("On 2026-12-07, 09:00 for 90 min, 30-minute slots (Europe/Berlin)");
  });
});
