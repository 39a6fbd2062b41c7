import { afterEach, describe, expect, it, vi } from "vitest";
import { backoffSeconds, syncBacklog } from "./link";
import { MemoryOutbox } from "./recorder";

describe("backoffSeconds", () => {
  it("doubles from one second and stops at thirty", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(backoffSeconds)).toEqual([1, 2, 4, 8, 16, 30, 30, 30]);
  });
});

describe("syncBacklog", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("uploads each waiting batch as columns under its id as the Idempotency-Key", async () => {
    const requests: { url: string; headers: Record<string, string>; body: unknown }[] = [];
    vi.stubGlobal("document", { cookie: "csrftoken=abc" });
    vi.stubGlobal("fetch", async (url: string, init: { headers: Record<string, string>; body: string }) => {
      requests.push({ url, headers: init.headers, body: JSON.parse(init.body) });
      const answer = url.endsWith("workouts/") ? { id: 7 } : { stored: true };
      return { status: 201, ok: true, json: async () => answer };
    });
    const outbox = new MemoryOutbox();
    const workout = { client_id: "w-1", sport: "run", indoor: true, started_at: 1_764_000_000 };
    await outbox.put({
      id: "batch-1",
      device: "strap",
      seq: 1,
      workout,
      samples: [{ t: 1, hr: 120, rr: [500, 498] }, { t: 2 }, { t: 3, hr: 121, rr: [503] }],
    });

    expect(await syncBacklog(outbox)).toBe(1);
    expect(requests[1].url).toBe("/api/v1/workouts/7/samples/");
    expect(requests[1].headers["Idempotency-Key"]).toBe("batch-1");
    expect(requests[1].body).toEqual({
      device: "strap",
      seq: 1,
      columns: { t: [1, 2, 3], hr: [120, null, 121], rr: [500, 498, 503], rr_counts: [2, 0, 1] },
    });
    expect(await outbox.all()).toEqual([]);
  });
});
