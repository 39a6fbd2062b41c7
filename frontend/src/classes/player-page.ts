// The on-demand player: follows the class's segments in the browser with the same cue text,
// countdown and breathing pacer as a live session; completing it records the attendance and its
// workout (scored like any other, so it counts for challenges, streaks and badges).

import { api, ApiError } from "../app/api";
import { planLength, PlayerClock, playerState } from "./player";
import type { SessionState } from "./session";
import { segmentView } from "./view";
import { h } from "../app/dom";
import { signedIn, type Session } from "../app/session";
import { recordedAs, type Attendance, type FitnessClass } from "./attendance";
import { strapControl } from "./strap";

const seconds = () => performance.now() / 1000;

export const classPlayerPage = (session: Session) => async (params: Record<string, string>) => {
  if (!(await signedIn(session))) return h("p", {}, "Please sign in.");
  const c = await api<FitnessClass>(`classes/${params.id}/`);
  if (c.delivery !== "on_demand") {
    return h("div", {}, h("h1", {}, c.title), h("p", {}, "This is a live class: book a date and join it when it starts. ", h("a", { href: `/classes/${c.id}`, "data-link": true }, "See its dates")));
  }
  const segments = c.segments;
  const total = planLength(segments);
  const view = segmentView({ scheduled: "Press Start to begin.", ended: "Class complete." });
  const status = h("p", { role: "status" }, `${segments.length} segments, ${Math.round(total / 60)} minutes. Press Start when you are ready.`);
  const start = h("button", { type: "button" }, "Start the class");
  const pause = h("button", { type: "button", class: "secondary", disabled: true }, "Pause");
  const finish = h("button", { type: "button", class: "secondary", disabled: true }, "Finish the class");
  const result = h("p", { hidden: true }, h("a", { href: "/classes/history", "data-link": true }, "See it in your class history"));
  let attendance: Attendance | null = null;
  let clock: PlayerClock | null = null;
  let shown: SessionState | null = null;
  let revision = 0;
  let finishing = false;
  const strap = strapControl(() => attendance?.recording ?? null, () => undefined);
  strap.element.hidden = true;

  const stateNow = (): SessionState => playerState(segments, clock ? clock.played(seconds()) : 0, clock?.running ?? false, revision);
  const refresh = () => {
    const state = stateNow();
    // A new segment or a pause/resume is a new state (cue, heading, tone); the clock ticks between.
    if (!shown || shown.segment_index !== state.segment_index || shown.status !== state.status) {
      state.revision = ++revision;
      shown = state;
      view.show(state);
    }
    view.tick(state, state.remaining_s);
    return state;
  };
  view.show(playerState(segments, 0, false, revision));
  view.tick({ ...playerState(segments, 0, false, revision), status: "scheduled" }, segments[0].duration_s);

  const complete = async () => {
    if (!attendance || !clock || finishing) return;
    finishing = true;
    clock.pause(seconds());
    pause.disabled = finish.disabled = true;
    await strap.stop();
    try {
      attendance = await api<Attendance>(`classes/attendances/${attendance.id}/complete/`, {
        method: "POST",
        body: { attended_s: clock.played(seconds()) },
      });
      refresh();
      status.textContent = `Class complete: ${Math.round(clock.played(seconds()) / 60)} minutes. ${recordedAs(attendance)}`;
      result.hidden = false;
    } catch (error) {
      finishing = false;
      finish.disabled = false;
      status.textContent = error instanceof ApiError ? error.message : String(error);
    }
  };

  const loop = () => {
    if (!status.isConnected || !clock) return;
    if (refresh().status === "ended") void complete();
    else requestAnimationFrame(loop);
  };

  start.addEventListener("click", async () => {
    start.disabled = true;
    try {
      attendance = await api<Attendance>(`classes/${c.id}/attendances/`, { method: "POST", body: {} });
    } catch (error) {
      start.disabled = false;
      status.textContent = error instanceof ApiError ? error.message : String(error);
      return;
    }
    // Starting again while a run is open resumes it where the time since its start puts it.
    clock = new PlayerClock(Math.min(attendance.elapsed_s, total));
    clock.play(seconds());
    pause.disabled = finish.disabled = false;
    strap.element.hidden = !attendance.recording;
    status.textContent = attendance.elapsed_s > 1 ? "Resumed your class. " + recordedAs(attendance) : "Class started. " + recordedAs(attendance);
    requestAnimationFrame(loop);
  });
  pause.addEventListener("click", () => {
    if (!clock) return;
    if (clock.running) clock.pause(seconds());
    else clock.play(seconds());
    pause.textContent = clock.running ? "Pause" : "Resume";
    status.textContent = clock.running ? "Playing." : "Paused.";
    refresh();
  });
  finish.addEventListener("click", () => void complete());

  return h(
    "div",
    {},
    h("h1", {}, c.title),
    h("p", {}, `${c.kind.replace("_", " ")} · ${c.level} · with ${c.instructor}`),
    c.accessibility_notes ? h("p", {}, `Accessibility: ${c.accessibility_notes}`) : null,
    c.media_url ? h("p", {}, h("a", { href: c.media_url, rel: "noopener" }, "Music or video for this class")) : null,
    h("div", { class: "button-row" }, start, pause, finish),
    status,
    strap.element,
    result,
    view.card,
    view.guidance,
  );
};
