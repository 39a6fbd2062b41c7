// The live world view with a synthetic crowd, for benchmarks/world_view.py: the app's renderers
// beside their straightforward baselines, on one world's route. Query: `world` (id), `synthetic`
// (avatars), `view` (2d|3d), `renderer=naive`, `resolution=full` (3D without adapting it).

import { api, type Schema } from "../src/app/api";
import { drawnAvatars, retrack } from "../src/worlds/crowd";
import type { Motion } from "../src/worlds/motion";
import type { Avatar } from "../src/worlds/protocol";
import { WorldRenderer, type DrawnAvatar, type WorldView } from "../src/worlds/renderer";
import { routePoints, type RouteResponse } from "../src/worlds/track";
import { viewHeight, type ViewMode } from "../src/worlds/views";
import { NaiveWorldRenderer } from "./naive";

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

async function view(mode: ViewMode, canvas: HTMLCanvasElement, route: RouteResponse, world: Schema<"WorldOutput">, query: URLSearchParams): Promise<WorldView> {
  const points = routePoints(route);
  const lapLength = route.laps > 1 ? route.distance_m : undefined;
  const naive = query.get("renderer") === "naive";
  if (mode === "2d") return naive ? new NaiveWorldRenderer(canvas, points, lapLength) : new WorldRenderer(canvas, points, lapLength);
  const options = { biome: world.biome, landmarks: route.landmarks, seed: world.id };
  if (naive) {
    const { NaiveWorld3DRenderer } = await import("./naive3d");
    return new NaiveWorld3DRenderer(canvas, points, lapLength, options);
  }
  if (query.get("resolution") === "full") {
    const { FullResolution3DRenderer } = await import("./naive3d");
    return new FullResolution3DRenderer(canvas, points, lapLength, options);
  }
  const { World3DRenderer } = await import("../src/worlds/renderer3d");
  return new World3DRenderer(canvas, points, lapLength, options);
}

async function main(): Promise<void> {
  const query = new URLSearchParams(location.search);
  const mode: ViewMode = query.get("view") === "3d" ? "3d" : "2d";
  const world = await api<Schema<"WorldOutput">>(`worlds/${query.get("world")}/`);
  const route = await api<RouteResponse>(`worlds/${world.id}/route/`);

  const avatars = new Map<number, Avatar>();
  for (const avatar of syntheticAvatars(Math.min(Number(query.get("synthetic") ?? 0), 5000), route.distance_m)) avatars.set(avatar.id, avatar);
  const motions = new Map<number, Motion>();
  const now = () => performance.now() / 1000;
  retrack(avatars, motions, avatars.keys(), now());

  const holder = document.querySelector<HTMLElement>(".world-canvas")!;
  const canvas = document.createElement("canvas");
  const shown = await view(mode, canvas, route, world, query);
  holder.dataset.view = mode;
  holder.replaceChildren(canvas);
  const width = Math.min(holder.clientWidth || 1000, 1000);
  shown.resize(width, viewHeight(mode, width));
  document.querySelector("[role=status]")!.textContent = `${avatars.size} avatars, ${mode}, ${query.get("renderer") ?? "app"} renderer`;

  // The benchmark reads the frame count (and the 3D view's resolution) from the page.
  const stats = { frames: 0, scale: 1 };
  (window as unknown as { __worldStats: typeof stats }).__worldStats = stats;
  const drawn: DrawnAvatar[] = [];
  const frame = () => {
    shown.draw(drawnAvatars(avatars, motions, now(), undefined, drawn));
    stats.frames++;
    stats.scale = shown.resolutionScale ?? 1;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

void main();
