// A heart-rate strap recording into a class's workout, through the companion's pieces: Web
// Bluetooth pairing, batches kept in IndexedDB until acknowledged, and the live ingest link. The
// link starts with the attendance's recording values, so the server resumes the class's workout
// (found by its client id) instead of opening another.

import { bluetooth, pairSensor } from "../companion/bluetooth";
import { IndexedDbOutbox } from "../companion/idb";
import { IngestLink } from "../companion/link";
import { Batcher, toSample, type WorkoutStart } from "../companion/recorder";
import { h } from "../app/dom";

const FLUSH_WAIT_MS = 3000;

export interface StrapEvents {
  hr(bpm: number): void;
  status(text: string): void;
}

export class ClassStrap {
  private link: IngestLink | null = null;
  private batcher: Batcher | null = null;
  private acked = new Map<string, number>();
  private waiting: (() => void) | null = null;

  constructor(
    private readonly recording: WorkoutStart,
    private readonly events: StrapEvents,
  ) {}

  static available(): boolean {
    return bluetooth() !== null;
  }

  /** Ask for a strap and start streaming its heart rate; returns the strap's name. */
  async pair(): Promise<string> {
    const sensor = await pairSensor(
      "heartRate",
      (_, decoded) => {
        const sample = toSample(decoded, Date.now() / 1000);
        if (sample.hr !== undefined) this.events.hr(sample.hr);
        const batch = this.batcher?.add(sample);
        if (batch && this.link) void this.link.push(batch);
      },
      (_, error) => this.events.status(error.message),
    );
    this.batcher = new Batcher(sensor.id);
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    this.link = new IngestLink(`${scheme}://${location.host}/ws/v1/ingest/`, this.recording, new IndexedDbOutbox(), {
      state: (state) => this.events.status(state === "live" ? `Recording heart rate from ${sensor.name}.` : state === "offline" ? "Heart rate is kept on this device until the connection returns." : "Connecting the strap…"),
      acked: (device, seq) => {
        this.acked.set(device, seq);
        this.waiting?.();
      },
      error: (message) => this.events.status(message),
    });
    this.link.open();
    return sensor.name;
  }

  /** Send the last samples (waiting briefly for the server to take them) and stop. Whatever is
   * not acknowledged stays in IndexedDB and is synced later by the companion. */
  async stop(): Promise<void> {
    const rest = this.batcher?.flush();
    if (rest && this.link) {
      await this.link.push(rest);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, FLUSH_WAIT_MS);
        this.waiting = () => {
          if ((this.acked.get(rest.device) ?? 0) >= rest.seq) {
            clearTimeout(timer);
            resolve();
          }
        };
        this.waiting();
      });
    }
    this.link?.close();
    this.link = null;
  }
}

/** A strap button that records into the attendance's workout (when the browser can pair one). */
export function strapControl(getRecording: () => WorkoutStart | null, onHr: (bpm: number) => void): { element: HTMLElement; stop(): Promise<void> } {
  let strap: ClassStrap | null = null;
  const status = h("p", { role: "status" });
  const button = h("button", { type: "button", class: "secondary" }, "Connect a heart-rate strap (optional)");
  button.addEventListener("click", async () => {
    const recording = getRecording();
    if (!recording) return;
    strap = new ClassStrap(recording, { hr: onHr, status: (text) => (status.textContent = text) });
    try {
      status.textContent = `Connected to ${await strap.pair()}.`;
      button.disabled = true;
    } catch (error) {
      strap = null;
      status.textContent = error instanceof Error ? error.message : String(error);
    }
  });
  return {
    element: h("div", {}, ClassStrap.available() ? button : null, status),
    stop: async () => {
      await strap?.stop();
    },
  };
}
