import { describe, expect, it } from "vitest";
import { notificationText, reconnectDelay } from "./notifications";

describe("notificationText", () => {
  it("names a badge as the server sends it (challenges/services.py)", () => {
    expect(notificationText({ kind: "badge", badge: "first_workout", tier: 1, title: "First workout" })).toBe("Badge earned: First workout.");
    expect(notificationText({ kind: "badge", badge: "distance", tier: 2, title: "Distance milestones" })).toBe("Badge earned: Distance milestones (tier 2).");
  });
  it("announces a new level, live or after scoring", () => {
    expect(notificationText({ kind: "level", level: 3, xp: 900 })).toBe("Level 3 reached.");
    expect(notificationText({ kind: "level", live: true, workout_id: 4, level: 4, xp: 1200, points: 80, next_level_xp: 1600 })).toBe("Level 4 reached during this workout.");
  });
  it("shows an organizer's announcement with its challenge", () => {
    expect(notificationText({ kind: "announcement", challenge_id: 2, challenge: "Winter steps", message: "Last week!" })).toBe("Winter steps: Last week!");
  });
  it("shows nothing for kinds it does not know or malformed events", () => {
    expect(notificationText({ kind: "future" })).toBeNull();
    expect(notificationText({ kind: "level" })).toBeNull();
    expect(notificationText({})).toBeNull();
  });
});

describe("reconnectDelay", () => {
  it("doubles from one second to at most thirty", () => {
    expect([0, 1, 2, 3, 10].map(reconnectDelay)).toEqual([1000, 2000, 4000, 8000, 30000]);
  });
});
