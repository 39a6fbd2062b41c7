import { api, ApiError, type Schema } from "../app/api";
import { formatSeconds, newer, remainingAt, type SessionState } from "./session";
import { recordedAs, type Attendance, type FitnessClass } from "./attendance";
import { strapControl } from "./strap";
import { segmentView } from "./view";
import { h } from "../app/dom";
import { signedIn, type Session } from "../app/session";

type Occurrence = Schema<"OccurrenceOutput">;

type Booking = Schema<"BookingOutput">;

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
    h("p", {}, h("a", { href: "/classes/history", "data-link": true }, "My class history")),
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
      : h("p", {}, "On demand: take it whenever you like. ", h("a", { href: `/classes/${c.id}/play`, "data-link": true, class: "button" }, "Take this class now")),
  );
};

export const classLivePage = (session: Session) => async (params: Record<string, string>) => {
  if (!(await signedIn(session))) return h("p", {}, "Please sign in.");
  const id = params.occurrence;
  const initial = await api<Schema<"SessionStateOutput">>(`classes/occurrences/${id}/session/`);
  let state: SessionState | null = null;
  let offset = 0;
  const view = segmentView({ scheduled: "Waiting for the instructor to start.", ended: "The class has ended." });
  const connection = h("p", { role: "status" }, "Connecting…");
  const meters = h("p", { "aria-live": "polite" });
  const taking = takingPart(id);

  const show = (incoming: SessionState) => {
    if (!newer(state, incoming)) return;
    state = incoming;
    offset = incoming.server_time - Date.now() / 1000;
    view.show(incoming);
    if (!initial.is_instructor) taking.follow(incoming);
  };
  show(initial);

  const tick = () => {
    if (!meters.isConnected) return;
    if (state) view.tick(state, remainingAt(state, Date.now() / 1000, offset));
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
        const m = message.meters as { sharers: number; energy: number | null; calm: number | null };
        meters.textContent = m.energy === null ? `${m.sharers} sharing heart rate.` : `Class energy ${m.energy} %, calm ${m.calm} % (${m.sharers} sharing).`;
      } else if (message.type === "zone") {
        zones.set(message.sharer.id, message.sharer);
        zoneList.replaceChildren(...[...zones.values()].map((s) => h("li", {}, `${s.name}: zone ${s.zone}${s.hr ? ` (${s.hr} bpm)` : ""}`)));
      } else if (message.type === "error") connection.textContent = message.error.message;
    };
    // Reconnect after a drop; the server sends the current state from the database on connect.
    socket.onclose = (event) => {
      if (!meters.isConnected || event.code === 4404 || event.code === 4401) return;
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
  // A paired strap's heart rate goes to the class only while sharing is on, at most every 5 s.
  let lastShared = 0;
  taking.onHeartRate((bpm) => {
    const now = Date.now();
    if (!share.checked || socket.readyState !== WebSocket.OPEN || now - lastShared < 5000) return;
    lastShared = now;
    socket.send(JSON.stringify({ action: "hr", hr: bpm }));
  });

  return h(
    "div",
    {},
    h("h1", {}, "Live class"),
    connection,
    view.card,
    view.guidance,
    initial.is_instructor ? null : taking.panel,
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

/** A participant's part in a live session: joins once it runs, can leave early, records a strap. */
function takingPart(occurrenceId: string) {
  let attendance: Attendance | null = null;
  let joining = false;
  let hrListener: (bpm: number) => void = () => undefined;
  const status = h("p", { role: "status" }, "You join the class when the instructor starts it.");
  const strap = strapControl(() => attendance?.recording ?? null, (bpm) => hrListener(bpm));
  strap.element.hidden = true;
  const leave = h("button", { type: "button", class: "secondary", hidden: true }, "Leave the class now");
  const history = h("p", { hidden: true }, h("a", { href: "/classes/history", "data-link": true }, "See it in your class history"));
  leave.addEventListener("click", async () => {
    if (!attendance) return;
    await strap.stop();
    attendance = await api<Attendance>(`classes/attendances/${attendance.id}/complete/`, { method: "POST", body: {} });
    leave.hidden = true;
    history.hidden = false;
    status.textContent = "You left the class. " + recordedAs(attendance);
  });
  return {
    panel: h("section", { class: "card", "aria-labelledby": "taking-part-h" }, h("h2", { id: "taking-part-h" }, "Taking part"), status, strap.element, leave, history),
    onHeartRate(listener: (bpm: number) => void) {
      hrListener = listener;
    },
    follow(state: SessionState) {
      if (state.status === "ended") {
        void strap.stop();
        leave.hidden = true;
        if (attendance) {
          history.hidden = false;
          status.textContent = "The class has ended. " + recordedAs(attendance);
        }
        return;
      }
      if (state.status === "scheduled" || attendance || joining) return;
      joining = true;
      api<Attendance>(`classes/occurrences/${occurrenceId}/attendance/`, { method: "POST", body: {} })
        .then((joined) => {
          attendance = joined;
          status.textContent = joined.status === "completed" ? "You already left this class. " + recordedAs(joined) : "You are taking part. " + recordedAs(joined);
          leave.hidden = joined.status === "completed";
          strap.element.hidden = !joined.recording || joined.status === "completed";
        })
        .catch((error: unknown) => {
          status.textContent = error instanceof ApiError ? error.message : String(error);
        })
        .finally(() => (joining = false));
    },
  };
}

const clockOf = (seconds: number) => formatSeconds(seconds);

function historyEntry(a: Attendance): HTMLElement {
  const when = new Date(a.occurrence_starts_at ?? a.started_at).toLocaleString();
  const m = a.class_metrics;
  const score = a.score;
  const scoreText = !score
    ? "Not recorded as a workout."
    : score.status === "pending"
      ? "Being scored…"
      : score.status === "unscorable"
        ? `Could not be scored: ${score.reason}`
        : `${score.points} points · ${Math.round(score.mindful_minutes ?? 0)} mindful min · ${Math.round(score.energy_kcal ?? 0)} kcal (${score.energy_method === "met" ? "typical effort" : "from heart rate"})`;
  const targeted = m ? m.segments.filter((s) => s.target_zone !== null) : [];
  return h(
    "li",
    { class: "card" },
    h("h2", {}, a.class_title),
    h("p", {}, `${when} · ${a.delivery === "live" ? "live" : "on demand"} · ${m ? clockOf(m.attended_s) : ""} taken`),
    h("p", {}, a.workout ? h("a", { href: `/workouts/${a.workout}`, "data-link": true }, scoreText) : scoreText),
    m && m.heart_rate_measured && targeted.length
      ? h(
          "table",
          {},
          h("caption", {}, "Time in the intended zone"),
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Segment"), h("th", { scope: "col" }, "Zone"), h("th", { scope: "col" }, "In zone"))),
          h("tbody", {}, ...targeted.map((s) => h("tr", {}, h("th", { scope: "row" }, s.name), h("td", {}, String(s.target_zone)), h("td", {}, `${clockOf(s.in_zone_s ?? 0)} of ${clockOf(s.attended_s)}`)))),
        )
      : null,
    m && (m.hrv_start_rmssd_ms !== null || m.hrv_end_rmssd_ms !== null)
      ? h("p", {}, `HRV (RMSSD) ${m.hrv_start_rmssd_ms ?? "–"} ms at the start, ${m.hrv_end_rmssd_ms ?? "–"} ms at the end: ${m.relaxation}.`)
      : null,
    Object.keys(a.explanations).length
      ? h("details", {}, h("summary", {}, "How these were measured"), ...Object.values(a.explanations).map((text) => h("p", {}, text)))
      : null,
  );
}

export const classHistoryPage = (session: Session) => async () => {
  if (!(await signedIn(session))) return h("p", {}, "Please sign in.");
  const { results } = await api<{ results: Attendance[] }>("classes/history/?page_size=50");
  return h(
    "div",
    {},
    h("h1", {}, "Class history"),
    results.length ? h("ul", { class: "cards" }, ...results.map(historyEntry)) : h("p", {}, "No classes taken yet. ", h("a", { href: "/classes", "data-link": true }, "Browse classes")),
  );
};
