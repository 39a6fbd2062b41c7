import { describe, expect, it } from "vitest";
import { eventText, formatDuration, heartRateZone, WorldState } from "./protocol";

// Shaped exactly as worlds/consumers.py and worlds/live.py send them.
const snapshot = {
  type: "snapshot",
  world_id: 3,
  tick_seconds: 1,
  columns: ["id", "d", "v", "t", "lap", "grade"],
  avatars: [
    { id: 7, name: "Mira", sport: "run", d: 120.5, lap: 1, lat: 46, lon: 14, ele: 300, grade: 0.02, v: 3.1, t: 1000, finished: false },
    { id: 8, name: "Fox-12", sport: "ride", d: 80, lap: 1, lat: 46, lon: 14, ele: 300, grade: 0, v: 8, t: 1000, finished: false },
  ],
};

describe("WorldState", () => {
  it("describes every avatar of a snapshot", () => {
    const state = new WorldState();
    const { changed } = state.apply(snapshot);
    expect(changed).toEqual([7, 8]);
    expect(state.avatars.get(7)).toEqual({ id: 7, name: "Mira", sport: "run", d: 120.5, v: 3.1, t: 1000, lap: 1, grade: 0.02, finished: false });
  });

  it("moves avatars from a tick's compact rows, keeping their names", () => {
    const state = new WorldState();
    state.apply(snapshot);
    const result = state.apply({ type: "tick", world_id: 3, tick: 1, server_time: 1001, avatars: [[7, 124.0, 3.5, 1001, 1, -0.01]], joined: [], events: [], gone: [] });
    expect(result).toEqual({ changed: [7], events: [], gone: [] });
    expect(state.avatars.get(7)).toEqual({ id: 7, name: "Mira", sport: "run", d: 124, v: 3.5, t: 1001, lap: 1, grade: -0.01, finished: false });
  });

  it("reads rows in the column order the snapshot announced", () => {
    const state = new WorldState();
    state.apply({ ...snapshot, columns: ["d", "id", "v", "t", "lap", "grade"] });
    state.apply({ type: "tick", avatars: [[500, 8, 9, 1002, 1, 0]], joined: [], events: [], gone: [] });
    expect(state.avatars.get(8)?.d).toBe(500);
  });

  it("names an avatar the same tick introduces in joined", () => {
    const state = new WorldState();
    state.apply({ ...snapshot, avatars: [] });
    state.apply({ type: "tick", avatars: [[9, 10, 2, 5, 1, 0]], joined: [{ id: 9, name: "Ana", sport: "walk", d: 10, lap: 1, grade: 0, v: 2, t: 5, finished: false }], events: [], gone: [] });
    expect(state.avatars.get(9)?.name).toBe("Ana");
    expect(state.avatars.get(9)?.sport).toBe("walk");
  });

  it("removes gone avatars and reports only those it knew", () => {
    const state = new WorldState();
    state.apply(snapshot);
    const result = state.apply({ type: "tick", avatars: [], joined: [], events: [], gone: [8, 99] });
    expect(result.gone).toEqual([8]);
    expect([...state.avatars.keys()]).toEqual([7]);
  });

  it("records finishers once, in order, and ranks them ahead of those still running", () => {
    const state = new WorldState();
    state.apply(snapshot);
    const finish = { type: "tick", avatars: [[8, 1000, 0, 1100, 1, 0]], joined: [], events: [{ id: 8, kind: "finish", time_s: 125.4 }], gone: [] };
    state.apply(finish);
    state.apply(finish);
    state.apply({ type: "tick", avatars: [[7, 1500, 3, 1101, 1, 0]], joined: [], events: [], gone: [] });
    expect(state.finishers).toEqual([{ id: 8, name: "Fox-12", time_s: 125.4 }]);
    expect(state.avatars.get(8)?.finished).toBe(true);
    expect(state.position(8)).toEqual({ place: 1, of: 2 });
    expect(state.position(7)).toEqual({ place: 2, of: 2 });
  });

  it("ignores errors, unknown messages and malformed rows", () => {
    const state = new WorldState();
    state.apply(snapshot);
    expect(state.apply({ type: "error", code: "read_only" })).toEqual({ changed: [], events: [], gone: [] });
    expect(state.apply({ type: "tick", avatars: [["x"], null], events: [{ kind: "finish" }] })).toEqual({ changed: [], events: [], gone: [] });
    expect(state.avatars.size).toBe(2);
  });
});

describe("eventText", () => {
  it("announces landmarks, laps and finishes, not overtakes", () => {
    expect(eventText({ id: 1, kind: "landmark", name: "Old mill", lap: 1 }, "Mira")).toBe("Mira passed Old mill.");
    expect(eventText({ id: 1, kind: "lap", lap: 1 }, "Mira")).toBe("Mira started lap 2.");
    expect(eventText({ id: 1, kind: "finish", time_s: 3725 }, "Mira")).toBe("Mira finished in 1:02:05.");
    expect(eventText({ id: 1, kind: "overtake", other: 2 }, "Mira")).toBeNull();
  });
});

describe("formatDuration and heartRateZone", () => {
  it("formats minutes and hours", () => {
    expect(formatDuration(65.4)).toBe("1:05");
    expect(formatDuration(3600)).toBe("1:00:00");
  });
  it("puts heart rate in five zones of the maximum", () => {
    expect(heartRateZone(90, 200)).toBeNull();
    expect(heartRateZone(100, 200)).toBe(1);
    expect(heartRateZone(150, 200)).toBe(3);
    expect(heartRateZone(199, 200)).toBe(5);
    expect(heartRateZone(220, 200)).toBe(5);
    expect(heartRateZone(150, 0)).toBeNull();
  });
});
