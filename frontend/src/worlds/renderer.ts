// Draws a world on a 2D canvas: the route map on top, the elevation profile below, and every
// avatar on both. The route and profile are drawn once into an offscreen canvas; each frame only
// copies that and draws the avatars, which keeps 1,000 avatars well above 50 frames per second.

import { fitProjection, locate, type RoutePoint } from "./track";

export interface DrawnAvatar {
  id: string;
  name: string;
  distance: number;
  highlighted: boolean;
  sport?: string;
}

/** What the live page needs of a view: the 2D map and profile, or the 3D landscape. */
export interface WorldView {
  readonly canvas: HTMLCanvasElement;
  resize(width: number, height: number): void;
  draw(avatars: DrawnAvatar[]): void;
  dispose(): void;
  /** Share of full resolution being rendered, where the view adapts it (the 3D view). */
  readonly resolutionScale?: number;
}

const COLORS = { sky: "#e8f1fb", land: "#cfe3c3", route: "#14171f", profile: "#7a9a6a", me: "#d93025", other: "#0b57d0" };

export class WorldRenderer implements WorldView {
  private background: HTMLCanvasElement | null = null;
  private width = 0;
  private height = 0;

  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly route: RoutePoint[],
    private readonly lapLength?: number,
  ) {
    const eles = route.map((p) => p.ele);
    const lo = eles.length ? Math.min(...eles) : 0;
    this.eleRange = { lo, hi: eles.length ? Math.max(...eles, lo + 10) : lo + 10 };
  }

  private layout() {
    const mapHeight = Math.round(this.height * 0.62);
    return { mapHeight, profileTop: mapHeight, profileHeight: this.height - mapHeight };
  }

  resize(width: number, height: number): void {
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(width * ratio);
    this.canvas.height = Math.round(height * ratio);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    this.width = width;
    this.height = height;
    this.background = document.createElement("canvas");
    this.background.width = this.canvas.width;
    this.background.height = this.canvas.height;
    const ctx = this.background.getContext("2d")!;
    ctx.scale(ratio, ratio);
    this.drawBackground(ctx);
  }

  private profileX(d: number): number {
    const total = this.route[this.route.length - 1]?.d || 1;
    return 8 + ((this.width - 16) * Math.min(d, total)) / total;
  }

  // The elevation range, found once: profileY runs for every avatar in every frame.
  private readonly eleRange: { lo: number; hi: number };

  private profileY(ele: number): number {
    const { profileTop, profileHeight } = this.layout();
    const { lo, hi } = this.eleRange;
    return profileTop + profileHeight - 8 - ((profileHeight - 24) * (ele - lo)) / (hi - lo);
  }

  private drawBackground(ctx: CanvasRenderingContext2D): void {
    const { mapHeight, profileTop, profileHeight } = this.layout();
    ctx.fillStyle = COLORS.land;
    ctx.fillRect(0, 0, this.width, mapHeight);
    ctx.fillStyle = COLORS.sky;
    ctx.fillRect(0, profileTop, this.width, profileHeight);
    if (this.route.length < 2) return;
    const projection = fitProjection(this.route, this.width, mapHeight);
    ctx.strokeStyle = COLORS.route;
    ctx.lineWidth = 3;
    ctx.beginPath();
    this.route.forEach((p, i) => (i ? ctx.lineTo(projection.x(p.lon), projection.y(p.lat)) : ctx.moveTo(projection.x(p.lon), projection.y(p.lat))));
    ctx.stroke();
    ctx.fillStyle = COLORS.profile;
    ctx.beginPath();
    ctx.moveTo(this.profileX(0), profileTop + profileHeight);
    for (const p of this.route) ctx.lineTo(this.profileX(p.d), this.profileY(p.ele));
    ctx.lineTo(this.profileX(this.route[this.route.length - 1].d), profileTop + profileHeight);
    ctx.closePath();
    ctx.fill();
  }

  draw(avatars: DrawnAvatar[]): void {
    const ctx = this.canvas.getContext("2d")!;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    if (this.background) ctx.drawImage(this.background, 0, 0);
    const ratio = window.devicePixelRatio || 1;
    ctx.scale(ratio, ratio);
    const { mapHeight } = this.layout();
    const projection = fitProjection(this.route, this.width, mapHeight);
    const total = this.route[this.route.length - 1]?.d || 1;
    ctx.fillStyle = COLORS.other;
    let me: DrawnAvatar | null = null;
    for (const avatar of avatars) {
      if (avatar.highlighted) {
        me = avatar;
        continue;
      }
      const at = locate(this.route, avatar.distance, this.lapLength);
      ctx.fillRect(projection.x(at.lon) - 3, projection.y(at.lat) - 3, 6, 6);
      const d = this.lapLength ? avatar.distance % this.lapLength : Math.min(avatar.distance, total);
      ctx.fillRect(this.profileX(d) - 2, this.profileY(at.ele) - 6, 4, 6);
    }
    if (me) {
      const at = locate(this.route, me.distance, this.lapLength);
      const d = this.lapLength ? me.distance % this.lapLength : Math.min(me.distance, total);
      ctx.fillStyle = COLORS.me;
      ctx.beginPath();
      ctx.arc(projection.x(at.lon), projection.y(at.lat), 7, 0, Math.PI * 2);
      ctx.arc(this.profileX(d), this.profileY(at.ele) - 7, 6, 0, Math.PI * 2);
      ctx.fill();
      ctx.fillStyle = COLORS.route;
      ctx.font = "600 13px system-ui, sans-serif";
      ctx.fillText(me.name, projection.x(at.lon) + 10, projection.y(at.lat) - 8);
    }
  }

  dispose(): void {
    this.background = null;
  }
}
