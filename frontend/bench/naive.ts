// The straightforward 2D renderer, the benchmark's baseline (`renderer=naive`): every frame
// redraws the whole route and profile, and every avatar with its own path, fill and name.

import type { DrawnAvatar, WorldView } from "../src/worlds/renderer";
import { fitProjection, locate, type RoutePoint } from "../src/worlds/track";

export class NaiveWorldRenderer implements WorldView {
  private width = 0;
  private height = 0;

  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly route: RoutePoint[],
    private readonly lapLength?: number,
  ) {}

  resize(width: number, height: number): void {
    this.canvas.width = width;
    this.canvas.height = height;
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    this.width = width;
    this.height = height;
  }

  draw(avatars: DrawnAvatar[]): void {
    const ctx = this.canvas.getContext("2d")!;
    const mapHeight = Math.round(this.height * 0.62);
    const projection = fitProjection(this.route, this.width, mapHeight);
    const eles = this.route.map((p) => p.ele);
    const lo = Math.min(...eles);
    const hi = Math.max(...eles, lo + 10);
    const total = this.route[this.route.length - 1]?.d || 1;
    const px = (d: number) => 8 + ((this.width - 16) * Math.min(d, total)) / total;
    const py = (ele: number) => this.height - 8 - ((this.height - mapHeight - 24) * (ele - lo)) / (hi - lo);
    ctx.fillStyle = "#cfe3c3";
    ctx.fillRect(0, 0, this.width, mapHeight);
    ctx.fillStyle = "#e8f1fb";
    ctx.fillRect(0, mapHeight, this.width, this.height - mapHeight);
    ctx.strokeStyle = "#14171f";
    ctx.lineWidth = 3;
    ctx.beginPath();
    this.route.forEach((p, i) => (i ? ctx.lineTo(projection.x(p.lon), projection.y(p.lat)) : ctx.moveTo(projection.x(p.lon), projection.y(p.lat))));
    ctx.stroke();
    ctx.fillStyle = "#7a9a6a";
    ctx.beginPath();
    ctx.moveTo(px(0), this.height);
    for (const p of this.route) ctx.lineTo(px(p.d), py(p.ele));
    ctx.lineTo(px(total), this.height);
    ctx.fill();
    ctx.font = "11px system-ui, sans-serif";
    for (const avatar of avatars) {
      const at = locate(this.route, avatar.distance, this.lapLength);
      const d = this.lapLength ? avatar.distance % this.lapLength : avatar.distance;
      ctx.fillStyle = avatar.highlighted ? "#d93025" : "#0b57d0";
      ctx.beginPath();
      ctx.arc(projection.x(at.lon), projection.y(at.lat), 4, 0, Math.PI * 2);
      ctx.fill();
      ctx.beginPath();
      ctx.arc(px(d), py(at.ele) - 4, 3, 0, Math.PI * 2);
      ctx.fill();
      ctx.fillStyle = "#14171f";
      ctx.fillText(avatar.name, projection.x(at.lon) + 6, projection.y(at.lat) - 6);
    }
  }

  dispose(): void {}
}
