// The geometry of the 3D world view, kept free of WebGL so it is fast and testable on its own:
// the route in local metres, the ribbon laid along it, a terrain that follows the route's elevation
// and rises into the biome's hills away from it, scenery placed off the path, where an avatar
// stands and faces, and a follow camera that glides after the athlete.
//
// Axes: x east, y up, z south (so north is -z, as a map seen from the south), in metres.

import type { RoutePoint } from "./track";

export interface LocalRoute {
  x: Float64Array;
  y: Float64Array;
  z: Float64Array;
  d: Float64Array; // metres from the start, as the server measured them
  total: number;
  bounds: { minX: number; maxX: number; minZ: number; maxZ: number; minY: number; maxY: number };
}

const METRES_PER_DEGREE = (6_371_008.8 * Math.PI) / 180;

/** The route in local metres around its first point (equirectangular: fine for a few tens of km). */
export function toLocal(points: RoutePoint[]): LocalRoute {
  const n = points.length;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const z = new Float64Array(n);
  const d = new Float64Array(n);
  const lat0 = n ? points[0].lat : 0;
  const lon0 = n ? points[0].lon : 0;
  const k = Math.cos((lat0 * Math.PI) / 180);
  const bounds = { minX: Infinity, maxX: -Infinity, minZ: Infinity, maxZ: -Infinity, minY: Infinity, maxY: -Infinity };
  points.forEach((p, i) => {
    x[i] = (p.lon - lon0) * k * METRES_PER_DEGREE;
    z[i] = -(p.lat - lat0) * METRES_PER_DEGREE;
    y[i] = Number.isFinite(p.ele) ? p.ele : 0;
    d[i] = p.d;
    bounds.minX = Math.min(bounds.minX, x[i]);
    bounds.maxX = Math.max(bounds.maxX, x[i]);
    bounds.minZ = Math.min(bounds.minZ, z[i]);
    bounds.maxZ = Math.max(bounds.maxZ, z[i]);
    bounds.minY = Math.min(bounds.minY, y[i]);
    bounds.maxY = Math.max(bounds.maxY, y[i]);
  });
  if (!n) Object.assign(bounds, { minX: 0, maxX: 0, minZ: 0, maxZ: 0, minY: 0, maxY: 0 });
  return { x, y, z, d, total: n ? d[n - 1] : 0, bounds };
}

export interface Pose {
  x: number;
  y: number;
  z: number;
  heading: number; // radians about +y; 0 faces +z, so (sin h, cos h) is the direction of travel
}

/** Where along the route distance `distance` lies and which way the route runs there. */
export function poseAt(route: LocalRoute, distance: number, lapLength?: number): Pose {
  const n = route.d.length;
  if (n === 0) return { x: 0, y: 0, z: 0, heading: 0 };
  if (n === 1) return { x: route.x[0], y: route.y[0], z: route.z[0], heading: 0 };
  let d = lapLength && lapLength > 0 ? ((distance % lapLength) + lapLength) % lapLength : distance;
  d = Math.min(Math.max(d, 0), route.total);
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (route.d[mid] <= d) lo = mid;
    else hi = mid;
  }
  const span = route.d[hi] - route.d[lo];
  const f = span > 0 ? (d - route.d[lo]) / span : 0;
  const dx = route.x[hi] - route.x[lo];
  const dz = route.z[hi] - route.z[lo];
  return {
    x: route.x[lo] + dx * f,
    y: route.y[lo] + (route.y[hi] - route.y[lo]) * f,
    z: route.z[lo] + dz * f,
    heading: Math.atan2(dx, dz),
  };
}

/** A sideways place on the path for each avatar, so a crowd at one spot spreads across it. */
export function laneOffset(id: string, halfWidth: number): number {
  let hash = 2166136261;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 16777619);
  const unit = ((hash >>> 0) % 1000) / 999; // 0..1
  return (unit * 2 - 1) * halfWidth * 0.8;
}

/** Position `offset` metres to the right of a pose (right of the direction of travel). */
export function besides(pose: Pose, offset: number): { x: number; z: number } {
  return { x: pose.x - Math.cos(pose.heading) * offset, z: pose.z + Math.sin(pose.heading) * offset };
}

/**
 * The path as triangles: a flat top `width` wide, `lift` above the route, with sloping sides
 * (`bank` metres out and `depth` down) that meet the land lying below it.
 */
export function ribbon(route: LocalRoute, width: number, lift = 0.25, bank = 4, depth = 8): { positions: Float32Array; indices: Uint32Array } {
  const n = route.d.length;
  const across = [-(width / 2 + bank), -width / 2, width / 2, width / 2 + bank];
  const drop = [-depth, 0, 0, -depth];
  const positions = new Float32Array(n * 12);
  const indices = new Uint32Array(Math.max(0, n - 1) * 18);
  for (let i = 0; i < n; i++) {
    const a = Math.max(0, i - 1);
    const b = Math.min(n - 1, i + 1);
    const pose = { x: route.x[i], y: 0, z: route.z[i], heading: Math.atan2(route.x[b] - route.x[a], route.z[b] - route.z[a]) };
    across.forEach((offset, k) => {
      const at = besides(pose, offset);
      positions.set([at.x, route.y[i] + lift + drop[k], at.z], i * 12 + k * 3);
    });
  }
  for (let i = 0; i < n - 1; i++) {
    for (let k = 0; k < 3; k++) {
      const v = i * 4 + k;
      indices.set([v, v + 1, v + 4, v + 1, v + 5, v + 4], i * 18 + k * 6);
    }
  }
  return { positions, indices };
}

export type SceneryKind = "tree" | "pine" | "rock" | "cactus" | "building" | "reed";

export interface Biome {
  sky: string;
  ground: string; // colour near the path
  high: string; // colour of high ground
  peak: string | null; // colour above 70 % of the hills' height (snow), if any
  hills: number; // metres the land rises away from the path
  water: boolean; // a lake or the sea below the path's lowest point
  path: string;
  scenery: [SceneryKind, number][]; // kinds and how many per square kilometre
}

export const BIOMES: Record<string, Biome> = {
  lake: { sky: "#cfe4f7", ground: "#86b562", high: "#5f8f45", peak: null, hills: 30, water: true, path: "#c9b38a", scenery: [["tree", 60], ["reed", 30]] },
  mountain: { sky: "#d6e6f5", ground: "#7ea35a", high: "#8d8a80", peak: "#f3f5f8", hills: 160, water: false, path: "#b59f7c", scenery: [["pine", 70], ["rock", 40]] },
  forest: { sky: "#d3e7e0", ground: "#5d8c43", high: "#3f6b2f", peak: null, hills: 40, water: false, path: "#a58d66", scenery: [["pine", 140], ["tree", 100]] },
  coast: { sky: "#cde8f6", ground: "#d8c792", high: "#7fae5b", peak: null, hills: 45, water: true, path: "#b3a07a", scenery: [["rock", 30], ["tree", 20]] },
  desert: { sky: "#f2e2c4", ground: "#dcbc82", high: "#c99a5e", peak: null, hills: 35, water: false, path: "#a88456", scenery: [["cactus", 35], ["rock", 25]] },
  city: { sky: "#dde3ea", ground: "#a7adb3", high: "#8d949b", peak: null, hills: 6, water: false, path: "#4e545c", scenery: [["building", 90], ["tree", 25]] },
  countryside: { sky: "#d7e9f7", ground: "#8dbb62", high: "#6e9b49", peak: null, hills: 25, water: false, path: "#c2a878", scenery: [["tree", 50], ["rock", 8]] },
};

export const biomeOf = (name: string): Biome => BIOMES[name] ?? BIOMES.countryside;

/** Gentle rolling hills from a few sines: deterministic, smooth, -1..1. */
function hillNoise(x: number, z: number): number {
  return (
    (Math.sin(x * 0.0071 + 1.3) * Math.cos(z * 0.0083 - 0.4) +
      0.5 * Math.sin(x * 0.019 - z * 0.014 + 0.7) +
      0.25 * Math.sin((x + z) * 0.043 + 2.1)) /
    1.75
  );
}

/** The land: heights follow the path's elevation next to it and the biome's hills away from it. */
export class Terrain {
  readonly minX: number;
  readonly maxX: number;
  readonly minZ: number;
  readonly maxZ: number;
  readonly columns: number;
  readonly rows: number;
  readonly waterLevel: number | null;
  /** Metres beside the path kept flat: at least a grid cell and a half, so no cell pokes through. */
  readonly flat: number;
  private readonly sx: Float64Array;
  private readonly sy: Float64Array;
  private readonly sz: Float64Array;

  constructor(
    route: LocalRoute,
    readonly biome: Biome,
    vertices = 3_000,
  ) {
    const b = route.bounds;
    const margin = Math.max(400, 0.35 * Math.max(b.maxX - b.minX, b.maxZ - b.minZ));
    this.minX = b.minX - margin;
    this.maxX = b.maxX + margin;
    this.minZ = b.minZ - margin;
    this.maxZ = b.maxZ + margin;
    const aspect = (this.maxX - this.minX) / Math.max(1, this.maxZ - this.minZ);
    this.columns = Math.max(8, Math.min(400, Math.round(Math.sqrt(vertices * aspect))));
    this.rows = Math.max(8, Math.min(400, Math.round(vertices / this.columns)));
    const cell = Math.max((this.maxX - this.minX) / (this.columns - 1), (this.maxZ - this.minZ) / (this.rows - 1));
    this.flat = Math.max(12, cell * 1.5);
    this.waterLevel = biome.water ? b.minY - 3 : null;
    // Nearest-path look-ups run per vertex: a few hundred points of the path are plenty.
    const n = route.d.length;
    const step = Math.max(1, Math.ceil((n - 1) / 300));
    const picked: number[] = [];
    for (let i = 0; i < n; i += step) picked.push(i);
    if (n && picked[picked.length - 1] !== n - 1) picked.push(n - 1);
    this.sx = Float64Array.from(picked, (i) => route.x[i]);
    this.sy = Float64Array.from(picked, (i) => route.y[i]);
    this.sz = Float64Array.from(picked, (i) => route.z[i]);
  }

  /**
   * Distance to the path, the path's (interpolated) elevation at the nearest place on it, and the
   * lowest elevation of the path within `reach` metres (what the land beside the path may not rise
   * above, since a grid cell can span that much of the path).
   */
  nearest(x: number, z: number, reach = 0): { distance: number; elevation: number; lowest: number } {
    if (this.sx.length === 1) {
      return { distance: Math.hypot(this.sx[0] - x, this.sz[0] - z), elevation: this.sy[0], lowest: this.sy[0] };
    }
    let best = Infinity;
    let elevation = 0;
    let lowest = Infinity;
    const reach2 = reach * reach;
    for (let i = 0; i < this.sx.length - 1; i++) {
      const ax = this.sx[i];
      const az = this.sz[i];
      const bx = this.sx[i + 1] - ax;
      const bz = this.sz[i + 1] - az;
      const length2 = bx * bx + bz * bz;
      const f = length2 > 0 ? Math.min(1, Math.max(0, ((x - ax) * bx + (z - az) * bz) / length2)) : 0;
      const dx = ax + bx * f - x;
      const dz = az + bz * f - z;
      const d2 = dx * dx + dz * dz;
      const here = this.sy[i] + (this.sy[i + 1] - this.sy[i]) * f;
      if (d2 < best) {
        best = d2;
        elevation = here;
      }
      if (d2 <= reach2) lowest = Math.min(lowest, this.sy[i], this.sy[i + 1]);
    }
    return { distance: Math.sqrt(best), elevation, lowest: Math.min(lowest, elevation) };
  }

  /** Height of the land and how far it rises above the nearest point of the path. */
  sample(x: number, z: number): { y: number; rise: number } {
    const { distance, elevation, lowest } = this.nearest(x, z, this.flat);
    // Beside the path the land lies under its lowest nearby point, so no grid cell covers the
    // path where it climbs or dips (the path's embankment hides the gap); the biome's hills rise
    // from there over a few hundred metres (smoothstep).
    const t = Math.min(1, Math.max(0, (distance - this.flat) / 250));
    const blend = t * t * (3 - 2 * t);
    const base = lowest + (elevation - lowest) * blend;
    const hills = this.biome.hills * (0.55 + 0.45 * hillNoise(x, z));
    // By water, the land falls away on the side the noise chooses, so the lake or sea shows.
    const dip = this.waterLevel === null ? 0 : Math.min(0, hillNoise(z * 0.7, x * 0.7)) * 2.2 * this.biome.hills;
    const rise = blend * (hills + dip);
    return { y: base - 0.6 + rise, rise };
  }

  height(x: number, z: number): number {
    return this.sample(x, z).y;
  }

  /** The grid of heights (row-major, columns x rows vertices) with the biome's colours (sRGB). */
  grid(): { positions: Float32Array; colors: Float32Array; indices: Uint32Array } {
    const { columns, rows } = this;
    const positions = new Float32Array(columns * rows * 3);
    const colors = new Float32Array(columns * rows * 3);
    const low = rgb(this.biome.ground);
    const high = rgb(this.biome.high);
    const peak = this.biome.peak ? rgb(this.biome.peak) : null;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < columns; c++) {
        const x = this.minX + ((this.maxX - this.minX) * c) / (columns - 1);
        const z = this.minZ + ((this.maxZ - this.minZ) * r) / (rows - 1);
        const { y, rise } = this.sample(x, z);
        const i = (r * columns + c) * 3;
        positions[i] = x;
        positions[i + 1] = y;
        positions[i + 2] = z;
        const share = Math.min(1, Math.max(0, rise / Math.max(1, this.biome.hills)));
        colors.set(peak && share > 0.75 ? peak : mix(low, high, share), i);
      }
    }
    const indices = new Uint32Array((columns - 1) * (rows - 1) * 6);
    let k = 0;
    for (let r = 0; r < rows - 1; r++) {
      for (let c = 0; c < columns - 1; c++) {
        const v = r * columns + c;
        indices.set([v, v + columns, v + 1, v + 1, v + columns, v + columns + 1], k);
        k += 6;
      }
    }
    return { positions, colors, indices };
  }
}

export interface Placement {
  kind: SceneryKind;
  x: number;
  y: number;
  z: number;
  scale: number;
  turn: number;
}

/** Scenery from the biome: deterministic for a world, never on the path, capped at `limit`. */
export function scenery(terrain: Terrain, seed: number, limit = 500): Placement[] {
  const random = mulberry32(seed);
  const area = ((terrain.maxX - terrain.minX) * (terrain.maxZ - terrain.minZ)) / 1e6;
  const wanted = terrain.biome.scenery.map(([kind, density]) => [kind, density * area] as const);
  const total = wanted.reduce((sum, [, n]) => sum + n, 0);
  const scaleDown = total > limit ? limit / total : 1;
  const out: Placement[] = [];
  for (const [kind, n] of wanted) {
    const count = Math.round(n * scaleDown);
    for (let i = 0, tries = 0; i < count && tries < count * 4; tries++) {
      const x = terrain.minX + random() * (terrain.maxX - terrain.minX);
      const z = terrain.minZ + random() * (terrain.maxZ - terrain.minZ);
      const near = terrain.nearest(x, z);
      // Reeds line the path; everything else keeps off it.
      if (kind === "reed" ? near.distance > 60 || near.distance < 9 : near.distance < 14) continue;
      const y = terrain.height(x, z);
      if (terrain.waterLevel !== null && y < terrain.waterLevel + 0.5 && kind !== "reed") continue;
      out.push({ kind, x, y, z, scale: 0.7 + random() * 0.8, turn: random() * Math.PI * 2 });
      i++;
    }
  }
  return out;
}

export interface CameraPose {
  position: { x: number; y: number; z: number };
  target: { x: number; y: number; z: number };
}

/** Behind and above the followed avatar, looking a little ahead along the route. */
export function followCamera(route: LocalRoute, distance: number, lapLength?: number, back = 34, up = 14, ahead = 18): CameraPose {
  const here = poseAt(route, distance, lapLength);
  // The direction is taken over the stretch behind: one kink in the route does not swing the camera.
  const behind = poseAt(route, distance - back, lapLength);
  const dx = here.x - behind.x;
  const dz = here.z - behind.z;
  const length = Math.hypot(dx, dz);
  // At the start there is no stretch behind: the route's direction there does instead.
  const ux = length > 1e-6 ? dx / length : Math.sin(here.heading);
  const uz = length > 1e-6 ? dz / length : Math.cos(here.heading);
  return {
    position: { x: here.x - ux * back, y: Math.max(here.y, behind.y) + up, z: here.z - uz * back },
    target: { x: here.x + ux * ahead, y: here.y + 1.5, z: here.z + uz * ahead },
  };
}

/** The avatar in the middle of the field (median distance), or null for an empty world. */
export function middleOfField<T extends { distance: number }>(avatars: T[]): T | null {
  if (!avatars.length) return null;
  const sorted = [...avatars].sort((a, b) => a.distance - b.distance);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/**
 * Dynamic resolution: when frames come slower than the display's pace, render fewer pixels (down
 * to half the width and height) and let the browser scale the picture up; go back up after a long
 * run of full-pace frames. Without a GPU (SwiftShader) the pixels are the CPU's work, and a
 * slightly softer picture at full pace reads better than a sharp one that stutters.
 */
export class ResolutionGovernor {
  scale = 1;
  private last = 0;
  private first = 0;
  private average = 1000 / 60;
  private frames = 0;
  private good = 0;

  constructor(
    readonly min = 0.5,
    readonly step = 0.125,
    readonly slowMs = 19.5, // below ~51 frames per second
    readonly fastMs = 17.5, // at the pace of a 60 Hz display
    readonly settleFrames = 20,
    readonly recoverFrames = 360,
  ) {}

  /** Note a frame drawn at `nowMs`; returns the new scale when it changes, otherwise null. */
  frame(nowMs: number): number | null {
    const interval = this.last ? nowMs - this.last : 0;
    this.last = nowMs;
    // The first second (shaders compiling, the page still loading) says nothing either.
    if (!this.first) this.first = nowMs;
    if (nowMs - this.first < 1000) return null;
    // A pause (hidden tab, debugger, the page loading) says nothing about the drawing cost.
    if (!(interval > 0) || interval > 250) return null;
    this.average += (interval - this.average) * 0.1;
    this.frames++;
    this.good = this.average < this.fastMs ? this.good + 1 : 0;
    if (this.frames < this.settleFrames) return null;
    if (this.average > this.slowMs && this.scale > this.min) {
      // Far too slow: two steps at once, so a struggling machine reaches a usable pace quickly.
      const steps = this.average > 2 * this.slowMs ? 2 : 1;
      this.scale = Math.max(this.min, this.scale - steps * this.step);
    } else if (this.good >= this.recoverFrames && this.scale < 1) {
      this.scale = Math.min(1, this.scale + this.step);
    } else {
      return null;
    }
    this.frames = 0;
    this.good = 0;
    return this.scale;
  }
}

/** Frame-rate independent smoothing: move `current` towards `desired` with a time constant. */
export function damp(current: number, desired: number, seconds: number, timeConstant = 0.35): number {
  if (!(seconds > 0)) return current;
  return desired + (current - desired) * Math.exp(-seconds / timeConstant);
}

/** Brightness per vertex from its normal and a light direction: a soft ambient plus diffuse sun. */
export function shading(normals: ArrayLike<number>, light: { x: number; y: number; z: number }, ambient = 0.62, diffuse = 0.48): Float32Array {
  const length = Math.hypot(light.x, light.y, light.z) || 1;
  const [lx, ly, lz] = [light.x / length, light.y / length, light.z / length];
  const out = new Float32Array(Math.floor(normals.length / 3));
  for (let i = 0; i < out.length; i++) {
    const dot = normals[i * 3] * lx + normals[i * 3 + 1] * ly + normals[i * 3 + 2] * lz;
    out[i] = ambient + diffuse * Math.max(0, dot);
  }
  return out;
}

export function rgb(hex: string): [number, number, number] {
  const value = parseInt(hex.replace("#", ""), 16);
  return [((value >> 16) & 255) / 255, ((value >> 8) & 255) / 255, (value & 255) / 255];
}

function mix(a: [number, number, number], b: [number, number, number], f: number): [number, number, number] {
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
