import { api, ApiError, ensureCsrf, type Schema } from "../app/api";
import { h } from "../app/dom";
import type { Session } from "../app/session";
import { toast } from "../app/toasts";
import { drawnAvatars, retrack } from "./crowd";
import { drawnDistance, type Motion } from "./motion";
import { eventText, formatDuration, heartRateZone, WorldState } from "./protocol";
import { WorldRenderer, type DrawnAvatar, type WorldView } from "./renderer";
import { routePoints, type RouteResponse } from "./track";
import type { Sample } from "../workouts/series";
import { initialMode, storedMode, storeMode, viewHeight, webglAvailable, type ViewMode } from "./views";

type World = Schema<"WorldOutput">;

export const worldsPage = (session: Session) => async () => {
  if (!(await session.refresh())) {
    session.router().go("/login");
    return h("p", {}, "Please sign in.");
  }
  const { results } = await api<{ results: World[] }>("worlds/?page_size=100");
  return h(
    "div",
    {},
    h("h1", {}, "Worlds"),
    h(
      "ul",
      { class: "cards" },
      ...results.map((world) =>
        h(
          "li",
          { class: "card" },
          h("h2", {}, h("a", { href: `/worlds/${world.id}`, "data-link": true }, world.name)),
          h("p", {}, world.scenery),
        ),
      ),
    ),
  );
};

type OwnSession = Schema<"SessionOutput">;

const kmh = (v: number) => `${(v * 3.6).toFixed(1)} km/h`;
const km = (d: number) => `${(d / 1000).toFixed(2)} km`;
const ordinal = (n: number) => `${n}${["th", "st", "nd", "rd"][n % 100 >= 11 && n % 100 <= 13 ? 0 : Math.min(n % 10, 4) % 4] ?? "th"}`;

export const worldLivePage = (session: Session) => async (params: Record<string, string>) => {
  const profile = await session.refresh();
  if (!profile) {
    session.router().go("/login");
    return h("p", {}, "Please sign in.");
  }
  const world = await api<World>(`worlds/${params.id}/`);
  const route = await api<RouteResponse>(`worlds/${params.id}/route/`);
  const points = routePoints(route);
  const lapLength = route.laps > 1 ? route.distance_m : undefined;

  const root = h("div", {});
  const live = () => root.isConnected;
  const query = new URLSearchParams(location.search);
  const webgl = webglAvailable();
  let mode: ViewMode = initialMode({ webgl, stored: storedMode(), requested: query.get("view") });
  let view: WorldView | null = null;
  let mounting = 0;
  const holder = h("div", { class: "world-canvas" });
  const viewNote = h("p", { class: "hint", id: "view-note" });
  const viewToggle = h("button", { type: "button", class: "secondary", "aria-pressed": "false", "aria-describedby": "view-note", disabled: !webgl }, "3D view");
  const fit = () => {
    const width = Math.min(holder.clientWidth || 1000, 1000);
    view?.resize(width, viewHeight(mode, width));
  };
  const showMode = (note: string) => {
    holder.dataset.view = mode;
    viewToggle.setAttribute("aria-pressed", String(mode === "3d"));
    viewNote.textContent = note;
  };
  const noWebgl = "The 3D view needs WebGL 2, which this browser does not offer: showing the 2D map.";
  const mount = async (next: ViewMode, note?: string): Promise<void> => {
    const attempt = ++mounting;
    const canvas = h("canvas", {
      role: "img",
      "aria-label": next === "3d" ? `3D landscape of ${world.name}: the route with every athlete, the camera following you or the middle of the field` : `Map and elevation profile of ${world.name} with every athlete's position`,
    });
    let made: WorldView;
    if (next === "3d") {
      try {
        const { World3DRenderer } = await import("./renderer3d");
        made = new World3DRenderer(canvas, points, lapLength, {
          biome: world.biome,
          landmarks: route.landmarks,
          seed: world.id,
          onContextLost: () => void mount("2d", "The 3D view stopped (the browser took its graphics context back): showing the 2D map."),
        });
      } catch {
        if (attempt === mounting) await mount("2d", "The 3D view could not start in this browser: showing the 2D map.");
        return;
      }
    } else {
      made = new WorldRenderer(canvas, points, lapLength);
    }
    if (attempt !== mounting) {
      made.dispose(); // a later choice won while this one was loading
      return;
    }
    view?.dispose();
    view = made;
    mode = next;
    holder.replaceChildren(canvas);
    fit();
    showMode(note ?? (webgl ? (mode === "3d" ? "Showing the 3D landscape; the camera follows you (or the middle of the field)." : "Showing the 2D map and elevation profile.") : noWebgl));
  };
  viewToggle.addEventListener("click", () => {
    const next: ViewMode = mode === "3d" ? "2d" : "3d";
    storeMode(next);
    void mount(next);
  });
  new ResizeObserver(() => fit()).observe(holder);
  const state = new WorldState();
  const motions = new Map<number, Motion>();
  const standings = h("tbody");
  const status = h("p", { role: "status" }, "Connecting to the live world…");
  // Toasts and the athlete's periodic summary share the app's polite region (toasts.ts).
  const hudValues: Record<string, HTMLElement> = {};
  const hudRow = (key: string, label: string) => {
    hudValues[key] = h("dd", {}, "—");
    return h("div", {}, h("dt", {}, label), hudValues[key]);
  };
  const hud = h(
    "section",
    { class: "card hud", "aria-labelledby": "hud-title", hidden: true },
    h("h2", { id: "hud-title" }, "You"),
    h("dl", {}, hudRow("hr", "Heart rate"), hudRow("zone", "Zone"), hudRow("speed", "Speed"), hudRow("distance", "Distance"), hudRow("grade", "Gradient"), hudRow("place", "Position")),
  );
  const resultsBody = h("tbody");
  const yourResult = h("p");
  const results = h(
    "section",
    { class: "card", "aria-labelledby": "results-title", hidden: true },
    h("h2", { id: "results-title" }, "Results"),
    yourResult,
    h("table", {}, h("thead", {}, h("tr", {}, ...["#", "Athlete", "Time"].map((t) => h("th", { scope: "col" }, t)))), resultsBody),
  );
  const now = () => performance.now() / 1000;
  const maxHr = profile.max_heart_rate ?? profile.effective_max_heart_rate?.value ?? 0;
  let mine: OwnSession | null = null;
  let heartRate: number | null = null;


  const renderResults = () => {
    if (!state.finishers.length) return;
    results.hidden = false;
    resultsBody.replaceChildren(
      ...state.finishers.map((f, i) => h("tr", {}, h("td", {}, String(i + 1)), h("th", { scope: "row" }, f.name), h("td", {}, f.time_s === null ? "—" : formatDuration(f.time_s)))),
    );
    const own = mine && state.finishers.findIndex((f) => f.id === mine!.id);
    if (mine && own !== null && own >= 0) {
      const time = state.finishers[own].time_s;
      yourResult.textContent = `You finished ${ordinal(own + 1)} of ${state.avatars.size}${time === null ? "" : ` in ${formatDuration(time)}`}.`;
    }
  };

  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/ws/v1/worlds/${params.id}/`);
  socket.onmessage = (event) => {
    let message: unknown;
    try {
      message = JSON.parse(String(event.data));
    } catch {
      return;
    }
    const isSnapshot = (message as { type?: string }).type === "snapshot";
    const { changed, events, gone } = state.apply(message);
    if (isSnapshot) motions.clear();
    retrack(state.avatars, motions, changed, now());
    for (const id of gone) motions.delete(id);
    for (const e of events) {
      const text = eventText(e, e.id === mine?.id ? "You" : (state.avatars.get(e.id)?.name ?? "An athlete"));
      if (text) toast(text);
    }
    if (events.some((e) => e.kind === "finish")) renderResults();
    status.textContent = `${state.avatars.size} athlete${state.avatars.size === 1 ? "" : "s"} in ${world.name}.`;
  };
  socket.onclose = () => (status.textContent = "The live connection closed. Reload the page to reconnect.");

  // An athlete recording a workout (bridge or companion) can bring it into this world.
  const joinAlert = h("p", { role: "alert", class: "form-error" });
  const joinButton = h("button", { type: "button", hidden: true }, "Enter this world with my live workout");
  let liveWorkout: { id: number; sport: string; indoor: boolean } | null = null;
  joinButton.addEventListener("click", async () => {
    if (!liveWorkout) return;
    try {
      await ensureCsrf();
      const sport = ["run", "walk", "ride"].includes(liveWorkout.sport) ? liveWorkout.sport : "run";
      mine = await api<OwnSession>("worlds/sessions/", { method: "POST", body: { world_id: world.id, workout_id: liveWorkout.id, sport, indoor: liveWorkout.indoor } });
      joinButton.hidden = true;
      joinAlert.textContent = "";
      toast("You entered the world. Your avatar starts at the line.");
    } catch (error) {
      if (error instanceof ApiError) joinAlert.textContent = error.message;
      else throw error;
    }
  });

  // Which avatar is the signed-in athlete's: their live (or just finished) session in this world.
  const findMine = async () => {
    if (!live() && mine) return;
    try {
      const { results: sessions } = await api<{ results: OwnSession[] }>("worlds/sessions/");
      mine = sessions.find((s) => s.world_id === world.id && s.status === "active") ?? mine;
      if (!mine && profile.health_data_consent) {
        const { results: recent } = await api<{ results: Schema<"WorkoutOutput">[] }>("workouts/?page_size=5");
        const busy = new Set(sessions.filter((s) => s.status === "active").map((s) => s.workout_id));
        liveWorkout = recent.find((w) => w.status === "active" && !busy.has(w.id)) ?? null;
        joinButton.hidden = liveWorkout === null;
      }
      if (mine?.status === "active" && profile.health_data_consent) {
        const { samples } = await api<{ samples: Pick<Sample, "hr">[] }>(`workouts/${mine.workout_id}/samples/`);
        const last = [...samples].reverse().find((s) => typeof s.hr === "number");
        heartRate = last?.hr ?? null;
      }
    } catch {
      // The HUD is a convenience: a failed refresh keeps the last values.
    }
    if (live()) setTimeout(findMine, 5000);
  };
  void findMine();

  const stats = { frames: 0, since: performance.now(), mode: mode as ViewMode, scale: 1 };
  (window as unknown as { __worldStats: typeof stats }).__worldStats = stats;
  const drawn: DrawnAvatar[] = [];
  const frame = () => {
    if (!live()) {
      socket.close();
      view?.dispose();
      return;
    }
    view?.draw(drawnAvatars(state.avatars, motions, now(), mine?.id, drawn));
    stats.frames++;
    stats.mode = mode;
    stats.scale = view?.resolutionScale ?? 1;
    requestAnimationFrame(frame);
  };
  let lastSummary = 0;
  const updatePanels = () => {
    if (!live()) return;
    const ranking = state.ranking();
    standings.replaceChildren(
      ...ranking.slice(0, 10).map((a, i) => h("tr", { class: a.id === mine?.id ? "me" : undefined }, h("td", {}, String(i + 1)), h("th", { scope: "row" }, a.name), h("td", {}, km(a.d)), h("td", {}, a.finished ? "finished" : kmh(a.v)))),
    );
    const me = mine ? state.avatars.get(mine.id) : undefined;
    hud.hidden = !me;
    if (me && mine) {
      const place = state.position(me.id);
      const zone = heartRate === null ? null : heartRateZone(heartRate, maxHr);
      hudValues.hr.textContent = heartRate === null ? "—" : `${heartRate} bpm`;
      hudValues.zone.textContent = zone === null ? "—" : `Zone ${zone}`;
      hudValues.speed.textContent = me.finished ? "finished" : kmh(me.v);
      const motion = motions.get(me.id);
      // Between ticks the HUD follows the avatar on screen, not the last tick.
      hudValues.distance.textContent = km(motion && !me.finished ? drawnDistance(motion, now()) : me.d);
      hudValues.grade.textContent = `${(me.grade * 100).toFixed(1)} %`;
      hudValues.place.textContent = place ? `${ordinal(place.place)} of ${place.of}` : "—";
      // A spoken summary every 30 s: often enough to follow, rare enough not to drown the page.
      if (!me.finished && performance.now() - lastSummary > 30000) {
        lastSummary = performance.now();
        toast(`You: ${km(me.d)}, ${kmh(me.v)}${place ? `, ${ordinal(place.place)} of ${place.of}` : ""}.`);
      }
    }
    setTimeout(updatePanels, 1000);
  };

  root.append(
    h("h1", {}, world.name),
    h("p", {}, world.scenery),
    h("div", { class: "view-toolbar" }, viewToggle, viewNote),
    h("div", { class: "world-layout" }, holder, hud),
    status,
    h("p", {}, joinButton),
    joinAlert,
    results,
    h(
      "section",
      { class: "card", "aria-labelledby": "standings-title" },
      h("h2", { id: "standings-title" }, "Standings"),
      h("table", {}, h("thead", {}, h("tr", {}, ...["#", "Athlete", "Distance", "Speed"].map((t) => h("th", { scope: "col" }, t)))), standings),
    ),
  );
  requestAnimationFrame(() => {
    frame();
    updatePanels(); // the HUD and standings do not wait for the 3D view to load
    void mount(mode);
  });
  return root;
};
