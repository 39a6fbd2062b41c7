// Turn a workout's samples (the shared Sample format: t, hr, cadence, speed, distance, altitude, ...)
// into chart series and heart-rate zone times. Pure, so Vitest checks it without a browser.

import type { components } from "../app/api-schema";

/** One entry of GET workouts/<id>/samples/: a key only where the sensor measured it. */
export type Sample = components["schemas"]["SampleOutput"];

export interface Series {
  elapsed: number[]; // seconds since the first sample
  hr: (number | null)[];
  pace: (number | null)[]; // minutes per km; null when standing still
  cadence: (number | null)[];
  altitude: (number | null)[];
}

const value = (v: number | null | undefined): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** Below this speed a pace is meaningless (minutes per km shoot to infinity): leave a gap. */
export const STANDING_MPS = 0.3;

export function toSeries(samples: Sample[]): Series {
  const sorted = [...samples].sort((a, b) => a.t - b.t);
  const start = sorted[0]?.t ?? 0;
  return {
    elapsed: sorted.map((s) => s.t - start),
    hr: sorted.map((s) => value(s.hr)),
    pace: sorted.map((s) => {
      const v = value(s.speed);
      return v !== null && v >= STANDING_MPS ? 1000 / v / 60 : null;
    }),
    cadence: sorted.map((s) => value(s.cadence)),
    altitude: sorted.map((s) => value(s.altitude)),
  };
}

export const hasData = (values: (number | null)[]): boolean => values.some((v) => v !== null);

/**
 * Seconds in each of five heart-rate zones (50-60-70-80-90-100 % of the maximum), each sample
 * counting until the next (gaps over 10 s count as 10 s: the strap dropped out).
 */
export function zoneSeconds(samples: Sample[], maxHr: number): number[] {
  const zones = [0, 0, 0, 0, 0];
  if (!(maxHr > 0)) return zones;
  const sorted = samples.filter((s) => value(s.hr) !== null).sort((a, b) => a.t - b.t);
  for (let i = 0; i < sorted.length - 1; i++) {
    const share = (sorted[i].hr as number) / maxHr;
    if (share < 0.5) continue;
    const zone = Math.min(4, Math.floor((share - 0.5) / 0.1));
    zones[zone] += Math.min(10, sorted[i + 1].t - sorted[i].t);
  }
  return zones;
}

export function summary(samples: Sample[]): { seconds: number; distance_m: number | null; averageHr: number | null; maxHr: number | null } {
  const sorted = [...samples].sort((a, b) => a.t - b.t);
  const seconds = sorted.length ? sorted[sorted.length - 1].t - sorted[0].t : 0;
  const distances = sorted.map((s) => value(s.distance)).filter((d): d is number => d !== null);
  const hrs = sorted.map((s) => value(s.hr)).filter((v): v is number => v !== null);
  return {
    seconds,
    distance_m: distances.length ? distances[distances.length - 1] - distances[0] : null,
    averageHr: hrs.length ? Math.round(hrs.reduce((a, b) => a + b, 0) / hrs.length) : null,
    maxHr: hrs.length ? Math.round(Math.max(...hrs)) : null,
  };
}
