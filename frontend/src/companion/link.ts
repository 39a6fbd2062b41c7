// The companion's connection to the server: the live ingest WebSocket (devices/README.md), with
// reconnection, and the sync API for the backlog recorded while the connection was down.

import { api } from "../app/api";
import { acknowledge, type Batch, type Outbox, toColumns, type WorkoutStart } from "./recorder";

export type { WorkoutStart };

export type LinkState = "connecting" | "live" | "offline";

export interface LinkEvents {
  state(state: LinkState): void;
  acked(device: string, seq: number): void;
  error(message: string): void;
}

/** Delay before reconnect attempt n (1, 2, 4 ... 30 s): quick to recover, gentle on a dead server. */
export function backoffSeconds(attempt: number): number {
  return Math.min(30, 2 ** Math.max(0, attempt - 1));
}

export class IngestLink {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private closedByUs = false;
  private retry: ReturnType<typeof setTimeout> | null = null;
  workoutId: number | null = null;
  // A phone that loses signal can keep a dead socket "open" for minutes (TCP notices late), with
  // samples sent into the void until then. The browser's offline event ends it at once, so they go
  // to the outbox instead; the online event reconnects without waiting for the backoff.
  private readonly wentOffline = () => this.socket?.close();
  private readonly cameOnline = () => {
    if (this.closedByUs || this.socket) return;
    if (this.retry) clearTimeout(this.retry);
    this.attempt = 0;
    this.open();
  };

  constructor(
    private readonly url: string,
    private readonly start: WorkoutStart,
    private readonly outbox: Outbox,
    private readonly events: LinkEvents,
  ) {}

  open(): void {
    this.retry = null;
    if (typeof window !== "undefined") {
      // Adding the same listener twice is a no-op, so reconnects do not pile them up.
      window.addEventListener("offline", this.wentOffline);
      window.addEventListener("online", this.cameOnline);
    }
    this.closedByUs = false;
    this.events.state("connecting");
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => socket.send(JSON.stringify({ type: "start", ...this.start }));
    socket.onmessage = (event) => void this.receive(JSON.parse(String(event.data)));
    socket.onclose = (event) => {
      this.socket = null;
      this.events.state("offline");
      if (this.closedByUs || (event.code >= 4400 && event.code < 4500 && event.code !== 4429)) {
        if (event.code >= 4400) this.events.error(`The server closed the connection (${event.code}).`);
        return;
      }
      this.attempt++;
      this.retry = setTimeout(() => this.open(), backoffSeconds(this.attempt) * 1000);
    };
  }

  private async receive(message: Record<string, unknown>): Promise<void> {
    if (message.type === "started") {
      this.attempt = 0;
      this.workoutId = Number(message.workout_id);
      const acked = (message.acked ?? {}) as Record<string, number>;
      for (const [device, seq] of Object.entries(acked)) await acknowledge(this.outbox, device, seq);
      this.events.state("live");
      // This workout's backlog, in order; other workouts' batches go through syncBacklog.
      for (const batch of await this.outbox.all()) {
        if (batch.workout?.client_id === this.start.client_id) this.sendBatch(batch);
      }
    } else if (message.type === "ack") {
      const device = String(message.device);
      const seq = Number(message.seq);
      await acknowledge(this.outbox, device, seq);
      this.events.acked(device, seq);
    } else if (message.type === "error") {
      this.events.error(String(message.message));
    }
  }

  /** Keep the batch until acknowledged; send it now if the link is live. */
  async push(batch: Batch): Promise<void> {
    await this.outbox.put({ ...batch, workout: this.start });
    this.sendBatch(batch);
  }

  private sendBatch(batch: Batch): void {
    if (this.socket?.readyState !== WebSocket.OPEN || this.workoutId === null) return;
    this.socket.send(
      JSON.stringify({ type: "samples", workout_id: this.workoutId, device: batch.device, seq: batch.seq, samples: batch.samples }),
    );
  }

  finish(endedAt: number): void {
    if (this.socket?.readyState === WebSocket.OPEN && this.workoutId !== null) {
      this.socket.send(JSON.stringify({ type: "finish", workout_id: this.workoutId, ended_at: endedAt }));
    }
  }

  close(): void {
    this.closedByUs = true;
    if (typeof window !== "undefined") {
      window.removeEventListener("offline", this.wentOffline);
      window.removeEventListener("online", this.cameOnline);
    }
    this.socket?.close();
  }
}

/**
 * Upload batches recorded while there was no live connection through the sync API: the workout
 * is found again by its client id, and each batch's id is its Idempotency-Key, so a retry after a
 * lost response stores nothing twice. Returns the number of batches synced.
 */
export async function syncBacklog(outbox: Outbox): Promise<number> {
  const workouts = new Map<string, number>();
  let synced = 0;
  for (const batch of await outbox.all()) {
    if (!batch.workout) continue;
    let workoutId = workouts.get(batch.workout.client_id);
    if (workoutId === undefined) {
      const created = await api<{ id: number }>("workouts/", {
        method: "POST",
        body: { ...batch.workout, started_at: new Date(batch.workout.started_at * 1000).toISOString(), source: "companion" },
      });
      workoutId = created.id;
      workouts.set(batch.workout.client_id, workoutId);
    }
    await api(`workouts/${workoutId}/samples/`, {
      method: "POST",
      headers: { "Idempotency-Key": batch.id },
      body: { device: batch.device, seq: batch.seq, columns: toColumns(batch.samples) },
    });
    await outbox.remove(batch.device, batch.seq);
    synced++;
  }
  return synced;
}
