import { api, ApiError } from "../api";
import { breathPhase, formatSeconds, newer, remainingAt, type SessionState } from "../classes/session";
import { h } from "../dom";
import type { Session } from "../session";

interface FitnessClass {
  id: number;
  title: string;
  description: string;
  kind: string;
  level: string;
  language: string;
  delivery: "live" | "on_demand";
  duration_seconds: number;
  segments: SessionState["segment"][];
  media_url: string;
  accessibility_notes: string;
  time_zone: string;
  instructor: string;
}

interface Occurrence {
  id: number;
  starts_at: string;
  capacity: number;
  places_left: number;
  status: string;
}

interface Booking {
  id: number;
  status: "booked" | "waitlisted" | "cancelled";
  class_id: number;
  class_title: string;
  occurrence: Occurrence;
}

async function signedIn(session: Session): Promise<boolean> {
  if (await session.refresh()) return true;
  session.router().go("/login");
  return false;
}

const minutes = (seconds: number) => `${Math.round(seconds / 60)} min`;

function bookingItem(booking: Booking, session: Session): HTMLElement {
  const when = new Date(booking.occurrence.starts_at).toLocaleString();
  const cancel = h("button", { type: "button", class: "secondary" }, "Cancel");
  cancel.setAttribute("aria-label", `Cancel ${booking.class_title} on ${when}`);
  cancel.addEventListener("click", async () => {
    await api(`classes/bookings/${booking.id}/`, { method: "DELETE" });
    session.router().go("/classes");
  });
  return h(
    "li",
    {},
    h("a", { href: `/classes/live/${booking.occurrence.id}`, "data-link": true }, booking.class_title),
    ` ${when}: ${booking.status === "booked" ? "booked" : "on the waiting list"} `,
    cancel,
  );
}

export const classesPage = (session: Session) => async () => {
  if (!(await signedIn(session))) return h("p", {}, "Please sign in.");
  const [{ results: classes }, { results: bookings }] = await Promise.all([
    api<{ results: FitnessClass[] }>("classes/?page_size=100"),
    api<{ results: Booking[] }>("classes/bookings/?page_size=50"),
  ]);
  const active = bookings.filter((b) => b.status !== "cancelled");
  return h(
    "div",
    {},
    h("h1", {}, "Classes"),
    h(
      "section",
      { class: "card", "aria-labelledby": "my-bookings" },
      h("h2", { id: "my-bookings" }, "My bookings"),
      active.length ? h("ul", {}, ...active.map((b) => bookingItem(b, session))) : h("p", {}, "No bookings yet."),
    ),
    h(
      "ul",
      { class: "cards" },
      ...classes.map((c) =>
        h(
          "li",
          { class: "card" },
          h("h2", {}, h("a", { href: `/classes/${c.id}`, "data-link": true }, c.title)),
          h("p", {}, `${c.kind.replace("_", " ")} · ${c.level} · ${minutes(c.duration_seconds)} · ${c.language} · ${c.delivery === "live" ? "live" : "on demand"} · with ${c.instructor}`),
          c.accessibility_notes ? h("p", {}, `Accessibility: ${c.accessibility_notes}`) : null,
        ),
      ),
    ),
  );
};

export const classDetailPage = (session: Session) => async (params: Record<string, string>) => {
  if (!(await signedIn(session))) return h("p", {}, "Please sign in.");
  const c = await api<FitnessClass>(`classes/${params.id}/`);
  const status = h("p", { role: "status" });
  const occurrences = c.delivery === "live" ? await api<Occurrence[]>(`classes/${c.id}/occurrences/`) : [];
  const book = (occurrence: Occurrence) => {
    const when = new Date(occurrence.starts_at).toLocaleString();
    const button = h("button", { type: "button" }, occurrence.places_left > 0 ? "Book" : "Join the waiting list");
    button.setAttribute("aria-label", `${button.textContent} for ${when}`);
    button.addEventListener("click", async () => {
      try {
        const booking = await api<Booking>("classes/bookings/", { method: "POST", body: { occurrence_id: occurrence.id } });
        status.textContent = booking.status === "booked" ? `Booked for ${when}.` : `You are on the waiting list for ${when}.`;
      } catch (error) {
        if (error instanceof ApiError) status.textContent = error.message;
        else throw error;
      }
    });
    return h("li", {}, `${when} (${occurrence.places_left} of ${occurrence.capacity} places left) `, button);
  };
  return h(
    "div",
    {},
    h("h1", {}, c.title),
    h("p", {}, `${c.kind.replace("_", " ")} · ${c.level} · ${minutes(c.duration_seconds)} · with ${c.instructor}`),
    c.description ? h("p", {}, c.description) : null,
    c.accessibility_notes ? h("p", {}, `Accessibility: ${c.accessibility_notes}`) : null,
    c.media_url ? h("p", {}, h("a", { href: c.media_url, rel: "noopener" }, "Music or video for this class")) : null,
    h("h2", {}, "Sequence"),
    h("ol", {}, ...c.segments.map((s) => h("li", {}, h("strong", {}, s.name), ` (${formatSeconds(s.duration_s)}): ${s.cue}`))),
    c.delivery === "live"
      ? h("section", { "aria-labelledby": "dates" }, h("h2", { id: "dates" }, `Dates (${c.time_zone})`), h("ul", {}, ...occurrences.map(book)), status)
      : h("p", {}, "On demand: take it whenever you like."),
  );
};

/** A short tone through the Web Audio API when audio cues are switched on. */
function beep(context: AudioContext | null, frequency: number): void {
  if (!context) return;
  const oscillator = context.createOscillator();
  const gain = context.createGain();
  oscillator.frequency.value = frequency;
  gain.gain.value = 0.1;
  oscillator.connect(gain).connect(context.destination);
  oscillator.start();
  oscillator.stop(context.currentTime + 0.15);
}

export const classLivePage = (session: Session) => async (params: Record<string, string>) => {
  if (!(await signedIn(session))) return h("p", {}, "Please sign in.");
  const id = params.occurrence;
  const initial = await api<SessionState & { is_instructor: boolean }>(`classes/occurrences/${id}/session/`);
  let state: SessionState | null = null;
  let offset = 0;
  let audio: AudioContext | null = null;
  let lastPhase = "";

  const heading = h("h2", { id: "segment-name" });
  const cue = h("p", { class: "cue", "aria-live": "polite" });
  const clock = h("p", { role: "timer", "aria-label": "Time left in this segment" });
  const upNext = h("p");
  const pacerCircle = h("div", { class: "pacer-circle", "aria-hidden": "true" });
  const pacerText = h("p", { class: "pacer-text" });
  // Phase changes are announced only while the pacer announcements are on, so a screen reader
  // is not interrupted every few seconds unless the person wants to be guided.
  const pacerAnnouncer = h("p", { class: "visually-hidden", "aria-live": "assertive" });
  const pacer = h("section", { class: "pacer", "aria-labelledby": "pacer-h" }, h("h3", { id: "pacer-h" }, "Breathing pacer"), pacerCircle, pacerText, pacerAnnouncer);
  const announce = h("input", { type: "checkbox", id: "announce-breath" });
  const sound = h("input", { type: "checkbox", id: "audio-cues" });
  sound.addEventListener("change", () => {
    audio = sound.checked ? new AudioContext() : null;
  });
  const connection = h("p", { role: "status" }, "Connecting…");
  const meters = h("p", { "aria-live": "polite" });

  const show = (incoming: SessionState) => {
    if (!newer(state, incoming)) return;
    state = incoming;
    offset = incoming.server_time - Date.now() / 1000;
    heading.textContent = `${incoming.segment_index + 1} of ${incoming.segment_count}: ${incoming.segment.name}`;
    cue.textContent = incoming.segment.cue || "No cue for this segment.";
    upNext.textContent = incoming.next_segment ? `Up next: ${incoming.next_segment}` : "Last segment.";
    pacer.hidden = incoming.segment.breathing === null;
    beep(audio, 660);
  };
  show(initial);

  const tick = () => {
    if (!clock.isConnected) return;
    if (state) {
      const left = remainingAt(state, Date.now() / 1000, offset);
      const label = state.status === "scheduled" ? "Waiting for the instructor to start." : state.status === "ended" ? "The class has ended." : `${formatSeconds(left)} left${state.status === "paused" ? " (paused)" : ""}`;
      if (clock.textContent !== label) clock.textContent = label;
      const pattern = state.segment.breathing;
      if (pattern && state.status === "running") {
        const phase = breathPhase(pattern, state.segment.duration_s - left);
        pacerCircle.style.transform = `scale(${0.5 + phase.fullness / 2})`;
        pacerText.textContent = `${phase.label}: ${phase.secondsLeft}`;
        if (phase.label !== lastPhase) {
          lastPhase = phase.label;
          if (announce.checked) pacerAnnouncer.textContent = phase.label;
          beep(audio, phase.label === "Breathe in" ? 520 : 390);
        }
      }
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);

  const scheme = location.protocol === "https:" ? "wss" : "ws";
  let socket: WebSocket;
  const zones = new Map<number, { name: string; zone: number; hr?: number }>();
  const zoneList = h("ul", { "aria-live": "polite" });
  const connect = () => {
    socket = new WebSocket(`${scheme}://${location.host}/ws/v1/classes/${id}/`);
    socket.onopen = () => (connection.textContent = "Connected.");
    socket.onmessage = (event) => {
      const message = JSON.parse(String(event.data));
      if (message.type === "state") show(message.state as SessionState);
      else if (message.type === "meters") {
        const m = message.meters as { sharers: number; energy: number | null; calm: number | null; shown: { name: string; hr: number }[] };
        meters.textContent = m.energy === null ? `${m.sharers} sharing heart rate.` : `Class energy ${m.energy} %, calm ${m.calm} % (${m.sharers} sharing).` + m.shown.map((s) => ` ${s.name}: ${s.hr} bpm.`).join("");
      } else if (message.type === "zone") {
        zones.set(message.sharer.id, message.sharer);
        zoneList.replaceChildren(...[...zones.values()].map((s) => h("li", {}, `${s.name}: zone ${s.zone}${s.hr ? ` (${s.hr} bpm)` : ""}`)));
      } else if (message.type === "error") connection.textContent = message.error.message;
    };
    // Reconnect after a drop; the server sends the current state from the database on connect.
    socket.onclose = (event) => {
      if (!clock.isConnected || event.code === 4404 || event.code === 4401) return;
      connection.textContent = "Connection lost; reconnecting…";
      setTimeout(connect, 2000);
    };
  };
  connect();

  const instructorConsole = initial.is_instructor
    ? h(
        "section",
        { class: "card", "aria-labelledby": "console-h" },
        h("h2", { id: "console-h" }, "Instructor console"),
        ...(["start", "pause", "resume", "previous", "next", "end"] as const).map((action) => {
          const button = h("button", { type: "button" }, action[0].toUpperCase() + action.slice(1));
          button.addEventListener("click", () => socket.send(JSON.stringify({ action })));
          return button;
        }),
        h("h3", {}, "Sharers' zones"),
        zoneList,
      )
    : null;

  const share = h("input", { type: "checkbox", id: "share-hr" });
  const showNumbers = h("input", { type: "checkbox", id: "show-numbers" });
  const pseudonym = h("input", { type: "checkbox", id: "use-pseudonym" });
  const shareStatus = h("p", { role: "status" });
  const saveShare = async () => {
    try {
      await api(`classes/occurrences/${id}/share/`, { method: "PUT", body: { sharing: share.checked, show_numbers: showNumbers.checked, use_pseudonym: pseudonym.checked } });
      shareStatus.textContent = share.checked ? "You share your heart rate zone with this class." : "You do not share your heart rate.";
    } catch (error) {
      share.checked = false;
      if (error instanceof ApiError) shareStatus.textContent = error.message;
      else throw error;
    }
  };
  [share, showNumbers, pseudonym].forEach((box) => box.addEventListener("change", () => void saveShare()));

  return h(
    "div",
    {},
    h("h1", {}, "Live class"),
    connection,
    h("section", { class: "card", "aria-labelledby": "segment-name" }, heading, cue, clock, upNext, pacer),
    h(
      "fieldset",
      {},
      h("legend", {}, "Guidance"),
      h("div", {}, announce, h("label", { for: "announce-breath" }, "Announce breathing phases (screen readers)")),
      h("div", {}, sound, h("label", { for: "audio-cues" }, "Audio cues")),
    ),
    initial.is_instructor
      ? null
      : h(
          "fieldset",
          {},
          h("legend", {}, "Heart rate with the class (optional)"),
          h("div", {}, share, h("label", { for: "share-hr" }, "Share my heart rate zone with this class")),
          h("div", {}, showNumbers, h("label", { for: "show-numbers" }, "Also show my bpm to the class")),
          h("div", {}, pseudonym, h("label", { for: "use-pseudonym" }, "Use my pseudonym")),
          shareStatus,
        ),
    h("section", { "aria-labelledby": "meters-h" }, h("h2", { id: "meters-h" }, "Class energy and calm"), meters),
    instructorConsole,
  );
};
