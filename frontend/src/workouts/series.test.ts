import { describe, expect, it } from "vitest";
import { hasData, summary, toSeries, zoneSeconds } from "./series";

const samples = [
  { t: 1002, hr: 150, speed: 0.1, cadence: 80, distance: 10, altitude: 301 },
  { t: 1000, hr: 120, speed: 4, cadence: 82, distance: 0, altitude: 300 },
  { t: 1004, speed: 2.5, distance: 20 } // no heart rate here: the server omits what was not measured,
];

describe("toSeries", () => {
  it("sorts by time, counts from the first sample and leaves gaps where nothing was measured", () => {
    const series = toSeries(samples);
    expect(series.elapsed).toEqual([0, 2, 4]);
    expect(series.hr).toEqual([120, 150, null]);
    expect(series.cadence).toEqual([82, 80, null]);
    expect(series.altitude).toEqual([300, 301, null]);
  });
  it("gives pace in minutes per km and no pace when standing still", () => {
    const { pace } = toSeries(samples);
    expect(pace[0]).toBeCloseTo(1000 / 4 / 60, 9);
    expect(pace[1]).toBeNull();
    expect(pace[2]).toBeCloseTo(1000 / 2.5 / 60, 9);
  });
  it("tells a series with data from an empty one", () => {
    expect(hasData([null, 3])).toBe(true);
    expect(hasData([null])).toBe(false);
  });
});

describe("zoneSeconds", () => {
  it("counts each sample until the next, capping dropouts at 10 s", () => {
    const zones = zoneSeconds(
      [
        { t: 0, hr: 110 }, // 55 % of 200: zone 1 for 5 s
        { t: 5, hr: 150 }, // 75 %: zone 3, the gap of 60 s counts as 10
        { t: 65, hr: 190 }, // 95 %: zone 5 for 1 s
        { t: 66, hr: 80 },
      ],
      200,
    );
    expect(zones).toEqual([5, 0, 10, 0, 1]);
  });
  it("counts nothing without a maximum heart rate", () => {
    expect(zoneSeconds(samples, 0)).toEqual([0, 0, 0, 0, 0]);
  });
});

describe("summary", () => {
  it("sums duration, distance and heart rate", () => {
    expect(summary(samples)).toEqual({ seconds: 4, distance_m: 20, averageHr: 135, maxHr: 150 });
  });
  it("rounds the maximum heart rate to whole beats", () => {
    expect(summary([{ t: 0, hr: 159.99998 }, { t: 1, hr: 120 }]).maxHr).toBe(160);
  });
  it("has no distance or heart rate when none was measured", () => {
    expect(summary([{ t: 5 }])).toEqual({ seconds: 0, distance_m: null, averageHr: null, maxHr: null });
  });
});
