// Where each avatar is drawn between server ticks; the live page and the benchmark's page
// (frontend/bench/) share it so the benchmark measures the page's own per-frame work.

import { drawnDistance, retarget, type Motion } from "./motion";
import type { Avatar } from "./protocol";
import type { DrawnAvatar } from "./renderer";

/** New positions arrived for these avatars: blend each one's motion towards its own. */
export function retrack(avatars: ReadonlyMap<number, Avatar>, motions: Map<number, Motion>, ids: Iterable<number>, now: number): void {
  for (const id of ids) {
    const a = avatars.get(id);
    if (a) motions.set(id, retarget(motions.get(id), { distance: a.d, speed: a.finished ? 0 : a.v, t: a.t ?? 0 }, now));
  }
}

/** Refills `into` with every avatar that has a motion, where it is drawn at local time `now`. */
export function drawnAvatars(avatars: ReadonlyMap<number, Avatar>, motions: ReadonlyMap<number, Motion>, now: number, mine: number | undefined, into: DrawnAvatar[]): DrawnAvatar[] {
  into.length = 0;
  for (const [id, avatar] of avatars) {
    const motion = motions.get(id);
    if (!motion) continue;
    into.push({ id: String(id), name: avatar.name, distance: drawnDistance(motion, now), highlighted: id === mine, sport: avatar.sport });
  }
  return into;
}
