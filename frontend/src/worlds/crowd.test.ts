import { describe, expect, it } from "vitest";
import { drawnAvatars, retrack } from "./crowd";
import type { Motion } from "./motion";
import type { Avatar } from "./protocol";

const avatar = (id: number, d: number, v: number, finished = false): Avatar => ({ id, name: `A${id}`, sport: "run", d, v, t: 100, lap: 1, grade: 0, finished });

describe("the crowd between ticks", () => {
  it("draws only tracked avatars, each moved on by its speed, the athlete highlighted", () => {
    const avatars = new Map([avatar(1, 100, 2), avatar(2, 50, 4, true), avatar(3, 10, 1)].map((a) => [a.id, a]));
    const motions = new Map<number, Motion>();
    retrack(avatars, motions, [1, 2], 0);

    const drawn = drawnAvatars(avatars, motions, 1, 2, []);

    expect(drawn).toEqual([
      { id: "1", name: "A1", distance: 102, highlighted: false, sport: "run" },
      { id: "2", name: "A2", distance: 50, highlighted: true, sport: "run" },
    ]);
  });

  it("refills the list it is given", () => {
    const avatars = new Map([[1, avatar(1, 0, 0)]]);
    const motions = new Map<number, Motion>();
    retrack(avatars, motions, [1], 0);
    const into = drawnAvatars(avatars, motions, 0, undefined, []);

    expect(drawnAvatars(avatars, motions, 0, undefined, into)).toBe(into);
    expect(into).toHaveLength(1);
  });
});
