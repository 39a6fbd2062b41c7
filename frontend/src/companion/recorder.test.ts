import { describe, expect, it } from "vitest";
import { acknowledge, Batcher, MemoryOutbox, toColumns, toSample } from "./recorder";

describe("toSample", () => {
  it("keeps the shared sample keys and drops debugging fields", () => {
    expect(toSample({ hr: 142, sensor_contact: true, rr: [410.5], energy_expended_kj: 3 }, 100)).toEqual({
      t: 100,
      hr: 142,
      rr: [410.5],
    });
  });
  it("leaves out an empty RR list", () => {
    expect(toSample({ hr: 60, rr: [] }, 1)).toEqual({ t: 1, hr: 60 });
  });
});

describe("toColumns", () => {
  it("makes a list per key any sample has, null where a sample lacks it", () => {
    expect(toColumns([{ t: 1, hr: 120, cadence: 170 }, { t: 2, speed: 3.1 }, { t: 3, hr: 121 }])).toEqual({
      t: [1, 2, 3],
      hr: [120, null, 121],
      cadence: [170, null, null],
      speed: [null, 3.1, null],
    });
  });
  it("sends the RR intervals flat with how many each sample has", () => {
    expect(toColumns([{ t: 1, rr: [500, 498] }, { t: 2 }, { t: 3, rr: [503] }])).toEqual({
      t: [1, 2, 3],
      rr: [500, 498, 503],
      rr_counts: [2, 0, 1],
    });
  });
});

describe("Batcher", () => {
  let n = 0;
  const ids = () => `batch-${++n}`;

  it("closes a batch after the time window and numbers batches consecutively", () => {
    const batcher = new Batcher("strap", 1, 5, 100, ids);
    const closed = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((t) => batcher.add({ t, hr: 100 + t })).filter(Boolean);

    expect(closed.map((b) => [b!.seq, b!.samples.length])).toEqual([[1, 6]]);
    const rest = batcher.flush();
    expect([rest?.seq, rest?.samples.map((s) => s.t)]).toEqual([2, [6, 7, 8, 9, 10]]);
    expect(batcher.flush()).toBeNull();
  });

  it("continues from a given sequence number after a reload", () => {
    const batcher = new Batcher("pod", 42, 5, 2, ids);
    batcher.add({ t: 0 });

    expect(batcher.add({ t: 1 })?.seq).toBe(42);
  });
});

describe("acknowledge", () => {
  it("removes the acknowledged batches of that device only", async () => {
    const outbox = new MemoryOutbox();
    for (const [device, seq] of [["a", 1], ["a", 2], ["a", 3], ["b", 1]] as const) {
      await outbox.put({ id: `${device}${seq}`, device, seq, samples: [] });
    }

    expect(await acknowledge(outbox, "a", 2)).toBe(2);
    expect((await outbox.all()).map((b) => `${b.device}${b.seq}`).sort()).toEqual(["a3", "b1"]);
  });
});
