// The companion's recording pipeline, free of browser APIs so it is unit-tested in Node:
// decoded notifications -> samples -> numbered batches per device -> an outbox that keeps every
// batch until the server acknowledged it (live over the WebSocket, or later through the sync API).

import type { Decoded } from "./gatt";

/** A sample in the shared format of devices/README.md. */
export interface Sample {
  t: number;
  hr?: number;
  rr?: number[];
  cadence?: number;
  speed?: number;
  distance?: number;
  power?: number;
}

/** What the server needs to create (or find again, by client_id) the workout of a batch. */
export interface WorkoutStart {
  client_id: string;
  sport: string;
  indoor: boolean;
  started_at: number;
}

export interface Batch {
  /** Client-generated id, sent as the sync API's Idempotency-Key. */
  id: string;
  device: string;
  seq: number;
  samples: Sample[];
  /** The workout the batch belongs to, so a backlog can be synced after the page was closed. */
  workout?: WorkoutStart;
}

const SAMPLE_KEYS = ["hr", "cadence", "speed", "distance", "power"] as const;

/** Keep only the sample keys of a decoded notification (drops device-debugging fields). */
export function toSample(decoded: Decoded, t: number): Sample {
  const sample: Sample = { t };
  for (const key of SAMPLE_KEYS) {
    const value = decoded[key];
    if (typeof value === "number" && Number.isFinite(value)) sample[key] = value;
  }
  if (Array.isArray(decoded.rr) && decoded.rr.length) sample.rr = decoded.rr;
  return sample;
}

/**
 * A batch's samples in the sync API's columnar form (devices/README.md): one list per key that any
 * sample has, null where a sample lacks it, and the RR intervals flat with how many each sample
 * has. Several times cheaper for the server to read than a list of objects.
 */
export interface Columns {
  t: number[];
  rr?: number[];
  rr_counts?: number[];
  [key: string]: (number | null)[] | undefined;
}

export function toColumns(samples: Sample[]): Columns {
  const columns: Columns = { t: samples.map((s) => s.t) };
  for (const key of SAMPLE_KEYS) {
    if (samples.some((s) => s[key] !== undefined)) columns[key] = samples.map((s) => s[key] ?? null);
  }
  if (samples.some((s) => s.rr?.length)) {
    columns.rr = samples.flatMap((s) => s.rr ?? []);
    columns.rr_counts = samples.map((s) => s.rr?.length ?? 0);
  }
  return columns;
}

/** Groups one device's samples into batches with consecutive sequence numbers. */
export class Batcher {
  private pending: Sample[] = [];
  private startedAt: number | null = null;

  constructor(
    readonly device: string,
    private nextSeq = 1,
    private readonly maxSeconds = 5,
    private readonly maxSamples = 600,
    private readonly newId: () => string = () => crypto.randomUUID(),
  ) {}

  /** Add a sample; returns a full batch when this sample completes one. */
  add(sample: Sample): Batch | null {
    this.startedAt ??= sample.t;
    this.pending.push(sample);
    if (this.pending.length >= this.maxSamples || sample.t - this.startedAt >= this.maxSeconds) {
      return this.flush();
    }
    return null;
  }

  /** Whatever is pending as a batch (at the end of a workout), or null. */
  flush(): Batch | null {
    if (!this.pending.length) return null;
    const batch = { id: this.newId(), device: this.device, seq: this.nextSeq++, samples: this.pending };
    this.pending = [];
    this.startedAt = null;
    return batch;
  }
}

/** Where unacknowledged batches wait; IndexedDB in the browser, memory in tests. */
export interface Outbox {
  put(batch: Batch): Promise<void>;
  all(): Promise<Batch[]>;
  remove(device: string, seq: number): Promise<void>;
}

export class MemoryOutbox implements Outbox {
  private batches = new Map<string, Batch>();
  async put(batch: Batch): Promise<void> {
    this.batches.set(`${batch.device}#${batch.seq}`, batch);
  }
  async all(): Promise<Batch[]> {
    return [...this.batches.values()].sort((a, b) => a.seq - b.seq);
  }
  async remove(device: string, seq: number): Promise<void> {
    this.batches.delete(`${device}#${seq}`);
  }
}

/** An ack covers every batch of that device up to and including its sequence number. */
export async function acknowledge(outbox: Outbox, device: string, seq: number): Promise<number> {
  let removed = 0;
  for (const batch of await outbox.all()) {
    if (batch.device === device && batch.seq <= seq) {
      await outbox.remove(batch.device, batch.seq);
      removed++;
    }
  }
  return removed;
}
