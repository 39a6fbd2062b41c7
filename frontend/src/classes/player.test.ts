import { describe, expect, it } from "vitest";
import { PlayerClock, planLength, planPosition, playerState } from "./player";
import type { Segment } from "./session";

const segment = (name: string, duration_s: number): Segment => ({ name, duration_s, cue: `${name} cue`, target_zone: null, breathing: null });
const plan = [segment("Arrive", 120), segment("Box breathing", 240), segment("Flow", 300)];

describe("on-demand player", () => {
  it("finds the segment and the time left in it from the seconds played", () => {
    expect(planLength(plan)).toBe(660);
    expect(planPosition(plan, 0)).toEqual({ index: 0, elapsed: 0, remaining: 120, finished: false });
    expect(planPosition(plan, 119.5)).toEqual({ index: 0, elapsed: 119.5, remaining: 0.5, finished: false });
    expect(planPosition(plan, 120)).toEqual({ index: 1, elapsed: 0, remaining: 240, finished: false });
    expect(planPosition(plan, 400)).toEqual({ index: 2, elapsed: 40, remaining: 260, finished: false });
  });

  it("ends on the last segment and never before the start", () => {
    expect(planPosition(plan, 660)).toEqual({ index: 2, elapsed: 300, remaining: 0, finished: true });
    expect(planPosition(plan, 9999).finished).toBe(true);
    expect(planPosition(plan, -5)).toEqual({ index: 0, elapsed: 0, remaining: 120, finished: false });
  });

  it("counts played time without the pauses", () => {
    const clock = new PlayerClock(30);
    expect(clock.played(100)).toBe(30);
    clock.play(100);
    expect(clock.played(110)).toBe(40);
    clock.pause(110);
    expect(clock.played(500)).toBe(40);
    clock.play(500);
    clock.play(505); // pressing play again changes nothing
    expect(clock.played(520)).toBe(60);
    expect(clock.running).toBe(true);
  });

  it("shows the position as a session state with the cue and what comes next", () => {
    const state = playerState(plan, 130, true, 7);
    expect(state.status).toBe("running");
    expect(state.segment.cue).toBe("Box breathing cue");
    expect(state.next_segment).toBe("Flow");
    expect(state.remaining_s).toBe(230);
    expect(state.revision).toBe(7);
    expect(playerState(plan, 130, false, 8).status).toBe("paused");
    expect(playerState(plan, 700, true, 9)).toMatchObject({ status: "ended", next_segment: null });
  });
});
