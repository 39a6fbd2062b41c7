import { describe, expect, it } from "vitest";
import { activeChallenges, type Challenge } from "./challenge";

const challenge = (id: number, starts_on: string, ends_on: string): Challenge => ({
  id, community_id: null, title: `C${id}`, description: "", starts_on, ends_on, time_zone: "UTC", sports: [], mode: "individual", goal_type: "distance", target: null, unit: "km", teams: [],
});

describe("activeChallenges", () => {
  it("keeps those running today, including first and last days, soonest ending first", () => {
    const list = [challenge(1, "2026-11-01", "2026-11-30"), challenge(2, "2026-11-25", "2026-11-25"), challenge(3, "2026-12-01", "2026-12-31"), challenge(4, "2026-10-01", "2026-11-24")];
    expect(activeChallenges(list, "2026-11-25").map((c) => c.id)).toEqual([2, 1]);
  });
});
