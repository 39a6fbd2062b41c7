import { describe, expect, it } from "vitest";
import { besides, biomeOf, damp, followCamera, laneOffset, middleOfField, poseAt, ResolutionGovernor, ribbon, scenery, shading, Terrain, toLocal } from "./scene3d";
import type { RoutePoint } from "./track";

const METRES_PER_DEGREE = (6_371_008.8 * Math.PI) / 180;
// 1 km due north, climbing 2 %, a point every 100 m (as worlds.gpx.straight_north makes them).
const north: RoutePoint[] = Array.from({ length: 11 }, (_, i) => ({ d: i * 100, lat: 46 + (i * 100) / METRES_PER_DEGREE, lon: 14, ele: 100 + i * 2, grade: 2 }));

describe("toLocal", () => {
  it("puts the route in metres around its start, north along -z and elevation as y", () => {
    const route = toLocal(north);
    expect(route.x[10]).toBeCloseTo(0, 6);
    expect(route.z[10]).toBeCloseTo(-1000, 3);
    expect(route.y[10]).toBe(120);
    expect(route.bounds).toMatchObject({ minY: 100, maxY: 120 });
    expect(route.bounds.maxZ).toBeCloseTo(0, 9);
  });
});

describe("poseAt", () => {
  const route = toLocal(north);
  it("interpolates position and elevation, facing the way the route runs", () => {
    const pose = poseAt(route, 250);
    expect(pose.z).toBeCloseTo(-250, 3);
    expect(pose.y).toBeCloseTo(105, 6);
    expect(Math.abs(pose.heading)).toBeCloseTo(Math.PI, 6); // north is -z
  });
  it("clamps past the finish and wraps around on a lapped route", () => {
    expect(poseAt(route, 5000).z).toBeCloseTo(-1000, 3);
    expect(poseAt(route, 1250, 1000).z).toBeCloseTo(-250, 3);
  });
  it("has a right-hand side: east when running north", () => {
    const side = besides(poseAt(route, 100), 3);
    expect(side.x).toBeCloseTo(3, 6);
  });
});

describe("laneOffset", () => {
  it("keeps every avatar on the path and the same avatar in the same lane", () => {
    const lanes = Array.from({ length: 200 }, (_, i) => laneOffset(String(i), 3));
    expect(Math.max(...lanes.map(Math.abs))).toBeLessThanOrEqual(2.4 + 1e-9);
    expect(new Set(lanes.map((l) => l.toFixed(2))).size).toBeGreaterThan(50);
    expect(laneOffset("42", 3)).toBe(laneOffset("42", 3));
  });
});

describe("ribbon", () => {
  it("lays a flat top the path's width across, just above the route, with banks down to the land", () => {
    const { positions, indices } = ribbon(toLocal(north), 6, 0.25, 4, 8);
    expect(positions.length).toBe(11 * 12);
    expect(indices.length).toBe(10 * 18);
    const vertex = (k: number) => [positions[k * 3], positions[k * 3 + 1], positions[k * 3 + 2]];
    const [outerLeft, left, right, outerRight] = [0, 1, 2, 3].map(vertex);
    expect(Math.hypot(left[0] - right[0], left[2] - right[2])).toBeCloseTo(6, 5);
    expect(Math.hypot(outerLeft[0] - outerRight[0], outerLeft[2] - outerRight[2])).toBeCloseTo(14, 5);
    expect([left[1], right[1]]).toEqual([100.25, 100.25]);
    expect([outerLeft[1], outerRight[1]]).toEqual([92.25, 92.25]);
  });
});

describe("Terrain", () => {
  const route = toLocal(north);
  it("lies beside the path under its lowest point within a grid cell and a half", () => {
    const terrain = new Terrain(route, biomeOf("mountain"));
    const reach = terrain.flat;
    const { elevation, lowest } = terrain.nearest(2, -550, reach);
    expect(elevation).toBeCloseTo(111, 5); // interpolated between the points at 500 and 600 m
    expect(lowest).toBeCloseTo(100 + 2 * Math.floor(Math.max(0, 550 - reach) / 100), 5);
    expect(terrain.height(2, -550)).toBeCloseTo(lowest - 0.6, 5);
    expect(terrain.height(2, -550)).toBeLessThan(elevation);
  });
  it("rises into the biome's hills away from the path: mountains more than a city", () => {
    const mountain = new Terrain(route, biomeOf("mountain"));
    const city = new Terrain(route, biomeOf("city"));
    const far = (t: Terrain) => t.sample(t.minX + 10, -500).rise;
    expect(far(mountain)).toBeGreaterThan(50);
    expect(far(city)).toBeLessThan(7);
  });
  it("has water below the lowest point of the path by a lake, none in the desert", () => {
    expect(new Terrain(route, biomeOf("lake")).waterLevel).toBe(97);
    expect(new Terrain(route, biomeOf("desert")).waterLevel).toBeNull();
  });
  it("makes a grid of the requested size with a colour per vertex", () => {
    const terrain = new Terrain(route, biomeOf("forest"), 1000);
    const grid = terrain.grid();
    expect(grid.positions.length).toBe(terrain.columns * terrain.rows * 3);
    expect(grid.colors.length).toBe(grid.positions.length);
    expect(grid.indices.length).toBe((terrain.columns - 1) * (terrain.rows - 1) * 6);
    expect(terrain.flat).toBeGreaterThanOrEqual(12);
  });
  it("falls back to the countryside for a biome it does not know", () => {
    expect(biomeOf("moon")).toBe(biomeOf("countryside"));
  });
});

describe("scenery", () => {
  const terrain = new Terrain(toLocal(north), biomeOf("desert"));
  it("places the biome's kinds off the path, the same way every time", () => {
    const placed = scenery(terrain, 7);
    expect(placed.length).toBeGreaterThan(20);
    expect(new Set(placed.map((p) => p.kind))).toEqual(new Set(["cactus", "rock"]));
    expect(Math.min(...placed.map((p) => terrain.nearest(p.x, p.z).distance))).toBeGreaterThanOrEqual(14);
    expect(scenery(terrain, 7)).toEqual(placed);
    expect(scenery(terrain, 8)).not.toEqual(placed);
  });
  it("never places more than the limit", () => {
    expect(scenery(new Terrain(toLocal(north), biomeOf("forest")), 1, 50).length).toBeLessThanOrEqual(50);
  });
});

describe("followCamera", () => {
  it("sits behind and above the athlete and looks ahead along the route", () => {
    const route = toLocal(north);
    const { position, target } = followCamera(route, 500, undefined, 30, 12, 20);
    expect(position.z).toBeCloseTo(-470, 3); // 30 m behind (south of) the athlete
    expect(position.y).toBeCloseTo(110 + 12, 3);
    expect(target.z).toBeCloseTo(-520, 3);
  });
  it("looks along the route from behind the start line too", () => {
    const { position, target } = followCamera(toLocal(north), 0, undefined, 30, 12, 20);
    expect(position.z).toBeCloseTo(30, 3);
    expect(target.z).toBeCloseTo(-20, 3);
  });
});

describe("damp", () => {
  it("moves part of the way, independent of how the time is split into frames", () => {
    const once = damp(0, 10, 0.2);
    const twice = damp(damp(0, 10, 0.1), 10, 0.1);
    expect(once).toBeGreaterThan(0);
    expect(once).toBeLessThan(10);
    expect(twice).toBeCloseTo(once, 9);
    expect(damp(3, 10, 0)).toBe(3);
  });
});

describe("middleOfField", () => {
  it("picks the avatar at the median distance", () => {
    const field = [5, 1, 9, 3, 7].map((distance, i) => ({ id: i, distance }));
    expect(middleOfField(field)?.distance).toBe(5);
    expect(middleOfField([])).toBeNull();
  });
});

describe("shading", () => {
  it("lights faces turned to the sun more than those turned away, never below the ambient", () => {
    const [up, down] = shading([0, 1, 0, 0, -1, 0], { x: 0, y: 1, z: 0 }, 0.6, 0.4);
    expect(up).toBeCloseTo(1, 6);
    expect(down).toBeCloseTo(0.6, 6);
  });
});

describe("ResolutionGovernor", () => {
  const run = (governor: ResolutionGovernor, frames: number, intervalMs: number, start = 0) => {
    let t = start;
    for (let i = 0; i < frames; i++) governor.frame((t += intervalMs));
    return t;
  };
  it("keeps full resolution at the display's pace", () => {
    const governor = new ResolutionGovernor();
    run(governor, 600, 1000 / 60);
    expect(governor.scale).toBe(1);
  });
  it("renders fewer pixels while frames are slow, never below the minimum", () => {
    const governor = new ResolutionGovernor();
    run(governor, 400, 50);
    expect(governor.scale).toBe(0.5);
  });
  it("goes back up after a long run of full-pace frames", () => {
    const governor = new ResolutionGovernor();
    const t = run(governor, 60, 30);
    expect(governor.scale).toBeLessThan(1);
    const lowered = governor.scale;
    run(governor, 800, 1000 / 60, t);
    expect(governor.scale).toBeGreaterThan(lowered);
  });
  it("ignores the first second, while the page is still loading", () => {
    const governor = new ResolutionGovernor();
    run(governor, 19, 50); // 0.95 s of slow frames
    run(governor, 60, 1000 / 60, 950);
    expect(governor.scale).toBe(1);
  });
  it("ignores a long pause (a hidden tab)", () => {
    const governor = new ResolutionGovernor();
    const t = run(governor, 100, 1000 / 60);
    expect(governor.frame(t + 5000)).toBeNull();
    expect(governor.scale).toBe(1);
  });
});
