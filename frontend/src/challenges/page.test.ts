import { describe, expect, it } from "vitest";
import { boardRows, formatProgress, goalParams, teamNames, type GoalType } from "./page";

describe("boardRows", () => {
  it("shows the top, then my neighbourhood without repeating anyone, in rank order", () => {
    const e = (rank: number, id: number, is_me = false) => ({ rank, participant_id: id, name: `P${id}`, progress: 100 - rank, is_me });
    const rows = boardRows({ unit: "km", my_rank: 4, top: [e(1, 10), e(2, 11), e(3, 12)], around_me: [e(3, 12), e(4, 13, true), e(5, 14)] });
    expect(rows.map((r) => r.participant_id)).toEqual([10, 11, 12, 13, 14]);
  });
});

describe("formatProgress", () => {
  it("rounds to two decimals with the unit", () => {
    expect(formatProgress(12.3456, "km")).toBe("12.35 km");
  });
});

describe("teamNames", () => {
  it("takes one name per line, trimmed, without blank lines", () => {
    expect(teamNames(" Otters \n\nHerons\n  \n")).toEqual(["Otters", "Herons"]);
  });
});

describe("goalParams", () => {
  const streak: GoalType = { code: "streak_days", title: "Active days", unit: "days", once_per_day: true, params: [{ name: "min_active_minutes", label: "Active minutes that make a day count", default: 10, minimum: 0 }] };
  it("turns the goal's fields into numbers", () => {
    expect(goalParams(streak, { param_min_active_minutes: "25" })).toEqual({ params: { min_active_minutes: 25 }, errors: {} });
  });
  it("names the field that is empty, not a number or below its minimum", () => {
    expect(goalParams(streak, { param_min_active_minutes: "" }).errors).toEqual({ param_min_active_minutes: ["Active minutes that make a day count: enter a number."] });
    expect(goalParams(streak, { param_min_active_minutes: "-5" }).errors).toEqual({ param_min_active_minutes: ["Active minutes that make a day count: at least 0."] });
  });
  it("has nothing to check for a goal without parameters", () => {
    expect(goalParams({ ...streak, params: [] }, {})).toEqual({ params: {}, errors: {} });
  });
});
