import { h } from "../app/dom";
import type { Decoded } from "./gatt";
import { bluetooth, pairSensor, SENSOR_KINDS, type PairedSensor } from "./bluetooth";
import { IndexedDbOutbox } from "./idb";
import { IngestLink, syncBacklog, type LinkState } from "./link";
import { Batcher, toSample } from "./recorder";
import type { Session } from "../app/session";

const SPORTS: [string, string][] = [
  ["run", "Run"],
  ["walk", "Walk"],
  ["ride", "Ride"],
  ["yoga", "Yoga"],
  ["other", "Other"],
  ["rehab", "Rehabilitation"],
];

function ingestUrl(): string {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${location.host}/ws/v1/ingest/`;
}

export const companionPage = (session: Session) => async () => {
  if (!(await session.refresh())) {
    session.router().go("/login");
    return h("p", {}, "Please sign in.");
  }
  const outbox = new IndexedDbOutbox();
  const sensors: PairedSensor[] = [];
  const batchers = new Map<string, Batcher>();
  let link: IngestLink | null = null;

  const values = {
    hr: h("output", { id: "live-hr" }, "–"),
    cadence: h("output", { id: "live-cadence" }, "–"),
    speed: h("output", { id: "live-speed" }, "–"),
  };
  const linkStatus = h("p", { role: "status" }, "Not recording.");
  const announcer = h("p", { class: "visually-hidden", "aria-live": "polite" });
  const sensorList = h("ul", { "aria-label": "Paired sensors" });
  const problems = h("p", { role: "alert", class: "form-alert" });
  let lastAnnounced = 0;

  const onFrame = (sensor: PairedSensor, decoded: Decoded) => {
    const sample = toSample(decoded, Date.now() / 1000);
    if (sample.hr !== undefined) values.hr.textContent = `${sample.hr} bpm`;
    if (sample.cadence !== undefined) values.cadence.textContent = `${Math.round(sample.cadence)} /min`;
    if (sample.speed !== undefined) values.speed.textContent = `${(sample.speed * 3.6).toFixed(1)} km/h`;
    // Screen readers hear the heart rate every 30 s, not every second.
    if (sample.hr !== undefined && sample.t - lastAnnounced > 30) {
      announcer.textContent = `Heart rate ${sample.hr}`;
      lastAnnounced = sample.t;
    }
    const batch = link ? batchers.get(sensor.id)?.add(sample) : null;
    if (batch && link) void link.push(batch);
  };

  const pairButtons = Object.entries(SENSOR_KINDS).map(([key, kind]) => {
    const button = h("button", { type: "button", class: "secondary" }, `Pair ${kind.label.charAt(0).toLowerCase()}${kind.label.slice(1)}`);
    button.addEventListener("click", async () => {
      try {
        const sensor = await pairSensor(key, onFrame, (_, error) => (problems.textContent = error.message));
        sensors.push(sensor);
        batchers.set(sensor.id, new Batcher(sensor.id));
        sensorList.append(h("li", {}, `${sensor.name} (${kind.label})`));
        problems.textContent = "";
      } catch (error) {
        problems.textContent = error instanceof Error ? error.message : String(error);
      }
    });
    return button;
  });

  const sport = h("select", { id: "sport" }, ...SPORTS.map(([v, t]) => h("option", { value: v }, t)));
  const indoor = h("input", { type: "checkbox", id: "indoor", checked: true });
  const startButton = h("button", { type: "button" }, "Start workout");
  const stopButton = h("button", { type: "button", disabled: true }, "Finish workout");
  const setState = (state: LinkState) => {
    linkStatus.textContent = { connecting: "Connecting…", live: "Live: streaming to Wellverse.", offline: "Offline: samples are kept on this phone and sent when the connection returns." }[state];
  };

  startButton.addEventListener("click", () => {
    link = new IngestLink(
      ingestUrl(),
      { client_id: crypto.randomUUID(), sport: sport.value, indoor: indoor.checked, started_at: Date.now() / 1000 },
      outbox,
      { state: setState, acked: () => undefined, error: (message) => (problems.textContent = message) },
    );
    link.open();
    startButton.disabled = true;
    stopButton.disabled = false;
  });
  stopButton.addEventListener("click", async () => {
    for (const batcher of batchers.values()) {
      const rest = batcher.flush();
      if (rest && link) await link.push(rest);
    }
    link?.finish(Date.now() / 1000);
    stopButton.disabled = true;
    startButton.disabled = false;
    linkStatus.textContent = "Workout finished. It will be scored in a moment.";
  });

  const backlog = h("p", { role: "status" });
  const trySync = async () => {
    if (link || !navigator.onLine) return;
    const waiting = (await outbox.all()).length;
    if (!waiting) return;
    backlog.textContent = `Sending ${waiting} batch(es) recorded offline…`;
    try {
      backlog.textContent = `Sent ${await syncBacklog(outbox)} batch(es) recorded offline.`;
    } catch (error) {
      backlog.textContent = `Samples recorded offline are kept on this phone: ${error instanceof Error ? error.message : error}`;
    }
  };
  window.addEventListener("online", () => void trySync());
  void trySync();

  return h(
    "div",
    {},
    h("h1", {}, "Phone companion"),
    backlog,
    bluetooth()
      ? null
      : h("p", { class: "card notice" }, "This browser has no Web Bluetooth. Use Chrome on Android or a desktop, or run the bridge on a laptop."),
    h("section", { class: "card" }, h("h2", {}, "1. Pair your sensors"), h("div", { class: "button-row" }, ...pairButtons), sensorList, problems),
    h(
      "section",
      { class: "card" },
      h("h2", {}, "2. Record"),
      h("div", { class: "field" }, h("label", { for: "sport" }, "Sport"), sport),
      h("div", { class: "field check" }, indoor, h("label", { for: "indoor" }, "Indoors")),
      h("div", { class: "button-row" }, startButton, stopButton),
      linkStatus,
    ),
    h(
      "section",
      { class: "card", "aria-labelledby": "live-title" },
      h("h2", { id: "live-title" }, "Live"),
      h("dl", { class: "live" }, h("dt", {}, "Heart rate"), h("dd", {}, values.hr), h("dt", {}, "Cadence"), h("dd", {}, values.cadence), h("dt", {}, "Speed"), h("dd", {}, values.speed)),
      announcer,
    ),
  );
};
