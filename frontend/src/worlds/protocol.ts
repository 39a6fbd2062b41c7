// The spectating protocol of /ws/v1/worlds/<id>/ (worlds/README.md): a snapshot with every avatar
// in full, then ticks carrying compact rows in the snapshot's column order, newly described
// avatars, events and departures. Pure: no DOM, no socket, so Vitest checks it against the
// server's exact shapes.

export interface Avatar {
  id: number;
  name: string;
  sport: string;
  d: number; // metres from the start (all laps)
  v: number; // m/s
  t: number | null; // server seconds of the last applied sample
  lap: number;
  grade: number; // fraction, as the server sends it
  finished: boolean;
}

export interface WorldEvent {
  id: number; // the avatar (session) it happened to
  kind: string; // landmark | lap | finish | overtake | drafting
  name?: string;
  lap?: number;
  time_s?: number;
  other?: number;
}

export const DEFAULT_COLUMNS = ["id", "d", "v", "t", "lap", "grade"] as const;

export class WorldState {
  readonly avatars = new Map<number, Avatar>();
  /** Finishers in the order the server reported them, with their finish time. */
  readonly finishers: { id: number; name: string; time_s: number | null }[] = [];
  private columns: string[] = [...DEFAULT_COLUMNS];

  /**
   * Apply one message; returns the ids whose position changed and the events it carried.
   * Unknown message types (errors, future kinds) change nothing.
   */
  apply(raw: unknown): { changed: number[]; events: WorldEvent[]; gone: number[] } {
    const message = (raw ?? {}) as Record<string, unknown>;
    const changed: number[] = [];
    const gone: number[] = [];
    const events: WorldEvent[] = [];
    if (message.type === "snapshot") {
      if (Array.isArray(message.columns)) this.columns = message.columns.map(String);
      this.avatars.clear();
      for (const avatar of asArray(message.avatars)) changed.push(this.describe(avatar));
    } else if (message.type === "tick") {
      // Joined first: a tick's rows may name an avatar that the same tick introduces.
      for (const avatar of asArray(message.joined)) this.describe(avatar);
      for (const row of asArray(message.avatars)) {
        const id = this.row(row);
        if (id !== null) changed.push(id);
      }
      for (const event of asArray(message.events)) {
        const parsed = event as WorldEvent;
        if (typeof parsed.id !== "number" || typeof parsed.kind !== "string") continue;
        events.push(parsed);
        if (parsed.kind === "finish") this.finish(parsed);
      }
      for (const id of asArray(message.gone)) {
        if (typeof id === "number" && this.avatars.delete(id)) gone.push(id);
      }
    }
    return { changed, events, gone };
  }

  private describe(value: unknown): number {
    const a = value as Avatar;
    this.avatars.set(a.id, {
      id: a.id,
      name: String(a.name ?? `Athlete ${a.id}`),
      sport: String(a.sport ?? "run"),
      d: Number(a.d) || 0,
      v: Number(a.v) || 0,
      t: a.t ?? null,
      lap: Number(a.lap) || 1,
      grade: Number(a.grade) || 0,
      finished: Boolean(a.finished),
    });
    return a.id;
  }

  private row(value: unknown): number | null {
    if (!Array.isArray(value)) return null;
    const fields: Record<string, unknown> = {};
    this.columns.forEach((column, i) => (fields[column] = value[i]));
    const id = fields.id;
    if (typeof id !== "number") return null;
    const known = this.avatars.get(id);
    // A row for an avatar never described (joined before this page connected to this process's
    // ticker and not in our snapshot) still moves: it gets a placeholder name until described.
    const avatar: Avatar = known ?? { id, name: `Athlete ${id}`, sport: "run", d: 0, v: 0, t: null, lap: 1, grade: 0, finished: false };
    avatar.d = Number(fields.d) || 0;
    avatar.v = Number(fields.v) || 0;
    avatar.t = typeof fields.t === "number" ? fields.t : avatar.t;
    avatar.lap = Number(fields.lap) || avatar.lap;
    avatar.grade = Number(fields.grade) || 0;
    this.avatars.set(id, avatar);
    return id;
  }

  private finish(event: WorldEvent): void {
    const avatar = this.avatars.get(event.id);
    if (avatar) {
      avatar.finished = true;
      avatar.v = 0;
    }
    if (this.finishers.some((f) => f.id === event.id)) return;
    this.finishers.push({ id: event.id, name: avatar?.name ?? `Athlete ${event.id}`, time_s: typeof event.time_s === "number" ? event.time_s : null });
  }

  /** 1-based place of an avatar: finishers by finish order, then the others by distance. */
  position(id: number): { place: number; of: number } | null {
    if (!this.avatars.has(id)) return null;
    return { place: this.ranking().findIndex((a) => a.id === id) + 1, of: this.avatars.size };
  }

  ranking(): Avatar[] {
    const order = new Map(this.finishers.map((f, i) => [f.id, i]));
    return [...this.avatars.values()].sort((a, b) => {
      const fa = order.get(a.id);
      const fb = order.get(b.id);
      if (fa !== undefined || fb !== undefined) return (fa ?? Infinity) - (fb ?? Infinity);
      return b.d - a.d;
    });
  }
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${rest}` : `${minutes}:${rest}`;
}

/** The sentence a toast shows (and a screen reader announces), or null for events not worth one. */
export function eventText(event: WorldEvent, name: string): string | null {
  if (event.kind === "landmark") return `${name} passed ${event.name ?? "a landmark"}.`;
  if (event.kind === "lap") return `${name} started lap ${(event.lap ?? 0) + 1}.`;
  if (event.kind === "finish") return typeof event.time_s === "number" ? `${name} finished in ${formatDuration(event.time_s)}.` : `${name} finished.`;
  return null; // overtakes and drafting happen too often to announce
}

/** Heart-rate zone 1-5 as a share of the maximum (50/60/70/80/90 %), or null below zone 1. */
export function heartRateZone(hr: number, maxHr: number): number | null {
  if (!(hr > 0) || !(maxHr > 0)) return null;
  const share = hr / maxHr;
  if (share < 0.5) return null;
  return Math.min(5, Math.floor((share - 0.5) / 0.1) + 1);
}
