// Smooth avatar motion between server ticks: extrapolate with the last known speed, and when a new
// tick corrects the position, blend towards it instead of jumping.

export interface AvatarState {
  distance: number; // metres along the route at time t
  speed: number; // m/s
  t: number; // seconds (server clock)
}

export interface Motion {
  from: AvatarState; // where the avatar was drawn when the latest tick arrived
  to: AvatarState; // the latest tick
  receivedAt: number; // local seconds
}

export const BLEND_SECONDS = 0.4;

function extrapolate(state: AvatarState, seconds: number): number {
  return state.distance + state.speed * Math.max(0, seconds);
}

/** Distance to draw at local time `now`. */
export function drawnDistance(motion: Motion, now: number): number {
  const elapsed = now - motion.receivedAt;
  const target = extrapolate(motion.to, elapsed);
  if (elapsed >= BLEND_SECONDS) return target;
  const previous = extrapolate(motion.from, elapsed);
  const f = elapsed / BLEND_SECONDS;
  return previous + (target - previous) * f;
}

/** A new tick arrived: blend from what is on screen now towards it. */
export function retarget(motion: Motion | undefined, tick: AvatarState, now: number): Motion {
  if (!motion) return { from: tick, to: tick, receivedAt: now };
  const onScreen = drawnDistance(motion, now);
  return { from: { distance: onScreen, speed: tick.speed, t: tick.t }, to: tick, receivedAt: now };
}
