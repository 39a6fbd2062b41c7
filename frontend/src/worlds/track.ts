// Route geometry on the client: where along the route a distance lies, and how to project the
// route onto a canvas. Points arrive from the server as compact geometry (distance along, position,
// elevation, gradient).

import type { Schema } from "../app/api";

export interface RoutePoint {
  d: number; // metres from the start
  lat: number;
  lon: number;
  ele: number;
  grade: number; // percent
}

/** GET worlds/<id>/route/: points are [lat, lon, distance, elevation, gradient]. */
export type RouteResponse = Schema<"WorldRouteOutput">;

export const routePoints = (route: RouteResponse): RoutePoint[] => route.points.map(([lat, lon, d, ele, grade]) => ({ lat, lon, d, ele, grade }));

export interface Located {
  lat: number;
  lon: number;
  ele: number;
  grade: number;
}

/** Interpolated position at distance d (wrapping around for laps when lapLength is given). */
export function locate(points: RoutePoint[], distance: number, lapLength?: number): Located {
  if (!points.length) return { lat: 0, lon: 0, ele: 0, grade: 0 };
  const total = points[points.length - 1].d;
  let d = lapLength && lapLength > 0 ? ((distance % lapLength) + lapLength) % lapLength : distance;
  d = Math.min(Math.max(d, 0), total);
  let lo = 0;
  let hi = points.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (points[mid].d <= d) lo = mid;
    else hi = mid;
  }
  const a = points[lo];
  const b = points[hi];
  const f = b.d > a.d ? (d - a.d) / (b.d - a.d) : 0;
  return {
    lat: a.lat + (b.lat - a.lat) * f,
    lon: a.lon + (b.lon - a.lon) * f,
    ele: a.ele + (b.ele - a.ele) * f,
    grade: a.grade,
  };
}

export interface Projection {
  x(lon: number): number;
  y(lat: number): number;
}

/** Equirectangular projection (longitude scaled by cos(latitude)) fitted into a box with margin. */
export function fitProjection(points: RoutePoint[], width: number, height: number, margin = 16): Projection {
  const lats = points.map((p) => p.lat);
  const lons = points.map((p) => p.lon);
  const [minLat, maxLat] = [Math.min(...lats), Math.max(...lats)];
  const [minLon, maxLon] = [Math.min(...lons), Math.max(...lons)];
  const k = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const spanX = Math.max((maxLon - minLon) * k, 1e-9);
  const spanY = Math.max(maxLat - minLat, 1e-9);
  const scale = Math.min((width - 2 * margin) / spanX, (height - 2 * margin) / spanY);
  const offsetX = (width - spanX * scale) / 2;
  const offsetY = (height - spanY * scale) / 2;
  return {
    x: (lon) => offsetX + (lon - minLon) * k * scale,
    y: (lat) => height - (offsetY + (lat - minLat) * scale),
  };
}
