import { describe, expect, it } from "vitest";
import { drawnDistance, retarget } from "./motion";
import { fitProjection, locate, type RoutePoint } from "./track";

const route: RoutePoint[] = [
  { d: 0, lat: 46.0, lon: 14.0, ele: 300, grade: 0 },
  { d: 100, lat: 46.0, lon: 14.001, ele: 305, grade: 5 },
  { d: 300, lat: 46.001, lon: 14.001, ele: 305, grade: 0 },
];

describe("locate", () => {
  it("interpolates between route points", () => {
    const at = locate(route, 50);
    expect(at.lon).toBeCloseTo(14.0005, 6);
    expect(at.ele).toBeCloseTo(302.5, 6);
    expect(at.grade).toBe(0);
  });
  it("clamps before the start and after the finish", () => {
    expect(locate(route, -10).ele).toBe(300);
    expect(locate(route, 1e6).lat).toBe(46.001);
  });
  it("wraps around on a lapped route", () => {
    expect(locate(route, 350, 300).lon).toBeCloseTo(14.0005, 6);
  });
});

describe("fitProjection", () => {
  it("keeps the route inside the box, north up", () => {
    const p = fitProjection(route, 200, 100, 10);
    for (const point of route) {
      expect(p.x(point.lon)).toBeGreaterThanOrEqual(10 - 1e-9);
      expect(p.x(point.lon)).toBeLessThanOrEqual(190 + 1e-9);
    }
    expect(p.y(46.001)).toBeLessThan(p.y(46.0));
  });
});

describe("avatar motion", () => {
  it("extrapolates with the last speed", () => {
    const motion = retarget(undefined, { distance: 100, speed: 3, t: 0 }, 10);
    expect(drawnDistance(motion, 11)).toBeCloseTo(103, 6);
  });
  it("blends towards a corrected position instead of jumping", () => {
    const first = retarget(undefined, { distance: 100, speed: 3, t: 0 }, 10);
    const second = retarget(first, { distance: 102, speed: 3, t: 1 }, 11);
    expect(drawnDistance(second, 11)).toBeCloseTo(103, 6); // no jump at the moment of the tick
    expect(drawnDistance(second, 12)).toBeCloseTo(105, 6); // settled on the new track
  });
});
