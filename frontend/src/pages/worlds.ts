import { api } from "../api";
import { h } from "../dom";
import type { Session } from "../session";
import { drawnDistance, retarget, type Motion } from "../world/motion";
import { WorldRenderer, type DrawnAvatar } from "../world/renderer";
import type { RoutePoint } from "../world/track";

interface World {
  id: number;
  name: string;
  biome: string;
  scenery: string;
  laps: number;
}

interface Avatar {
  id: number;
  name: string;
  sport: string;
  d: number;
  v: number;
  t: number | null;
  lap: number;
  grade: number;
  finished: boolean;
}

interface RouteResponse {
  distance_m: number;
  laps: number;
  points: [number, number, number, number, number][];
  landmarks: { name: string; distance_m: number }[];
}

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

/** Synthetic avatars for load testing the view (`?synthetic=1000`); never sent anywhere. */
function syntheticAvatars(count: number, length: number): Avatar[] {
  return Array.from({ length: count }, (_, i) => ({
    id: -1 - i,
    name: `Synthetic ${i + 1}`,
    sport: "run",
    d: (length * i) / count,
    v: 2 + (i % 7) * 0.3,
    t: Date.now() / 1000,
    lap: 1,
    grade: 0,
    finished: false,
  }));
}

export const worldLivePage = (session: Session) => async (params: Record<string, string>) => {
  if (!(await session.refresh())) {
    session.router().go("/login");
    return h("p", {}, "Please sign in.");
  }
  const world = await api<World>(`worlds/${params.id}/`);
  const route = await api<RouteResponse>(`worlds/${params.id}/route/`);
  const points: RoutePoint[] = route.points.map(([lat, lon, d, ele, grade]) => ({ lat, lon, d, ele, grade }));
  const lapLength = route.laps > 1 ? route.distance_m : undefined;

  const canvas = h("canvas", { role: "img", "aria-label": `Map and elevation profile of ${world.name} with every athlete's position` });
  const renderer = new WorldRenderer(canvas, points, lapLength);
  const avatars = new Map<number, Avatar>();
  const motions = new Map<number, Motion>();
  const standings = h("tbody");
  const status = h("p", { role: "status" }, "Connecting to the live world…");
  const now = () => performance.now() / 1000;

  const apply = (list: Avatar[]) => {
    for (const avatar of list) {
      avatars.set(avatar.id, avatar);
      motions.set(avatar.id, retarget(motions.get(avatar.id), { distance: avatar.d, speed: avatar.finished ? 0 : avatar.v, t: avatar.t ?? 0 }, now()));
    }
  };
  const synthetic = Number(new URLSearchParams(location.search).get("synthetic") ?? 0);
  if (synthetic > 0) apply(syntheticAvatars(Math.min(synthetic, 5000), route.distance_m));

  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/ws/v1/worlds/${params.id}/`);
  socket.onmessage = (event) => {
    const message = JSON.parse(String(event.data));
    if (message.type === "snapshot" || message.type === "tick") apply(message.avatars as Avatar[]);
    for (const gone of (message.gone ?? []) as number[]) {
      avatars.delete(gone);
      motions.delete(gone);
    }
    status.textContent = `${avatars.size} athlete${avatars.size === 1 ? "" : "s"} in ${world.name}.`;
  };
  socket.onclose = () => (status.textContent = "The live connection closed. Reload the page to reconnect.");

  const stats = { frames: 0, since: performance.now() };
  (window as unknown as { __worldStats: typeof stats }).__worldStats = stats;
  const frame = () => {
    if (!canvas.isConnected) {
      socket.close();
      return;
    }
    const t = now();
    const drawn: DrawnAvatar[] = [];
    for (const [id, avatar] of avatars) {
      drawn.push({ id: String(id), name: avatar.name, distance: drawnDistance(motions.get(id)!, t), highlighted: false });
    }
    renderer.draw(drawn);
    stats.frames++;
    requestAnimationFrame(frame);
  };
  const updateStandings = () => {
    if (!canvas.isConnected) return;
    const top = [...avatars.values()].sort((a, b) => b.d - a.d).slice(0, 10);
    standings.replaceChildren(
      ...top.map((a, i) => h("tr", {}, h("td", {}, String(i + 1)), h("th", { scope: "row" }, a.name), h("td", {}, `${(a.d / 1000).toFixed(2)} km`), h("td", {}, `${(a.v * 3.6).toFixed(1)} km/h`))),
    );
    setTimeout(updateStandings, 1000);
  };

  const page = h(
    "div",
    {},
    h("h1", {}, world.name),
    h("p", {}, world.scenery),
    h("div", { class: "world-canvas" }, canvas),
    status,
    h(
      "section",
      { class: "card", "aria-labelledby": "standings-title" },
      h("h2", { id: "standings-title" }, "Standings"),
      h("table", {}, h("thead", {}, h("tr", {}, ...["#", "Athlete", "Distance", "Speed"].map((t) => h("th", { scope: "col" }, t)))), standings),
    ),
  );
  requestAnimationFrame(() => {
    renderer.resize(Math.min(canvas.parentElement!.clientWidth, 1000), 420);
    frame();
    updateStandings();
  });
  return page;
};
