// The 3D world view (three.js on WebGL 2): terrain and scenery from the world's biome, the route
// as a ribbon at its elevation, every avatar as one instance of a single instanced mesh (one draw
// call for the whole crowd), and a camera that follows the athlete. Everything static is merged
// once into one pre-lit geometry; a frame writes the visible avatars' matrices into one buffer and
// renders a handful of draw calls.
//
// This module is loaded on demand (dynamic import) so pages without the 3D view never fetch it.

import { mergeGeometries } from "three/addons/utils/BufferGeometryUtils.js";
import {
  BufferAttribute,
  BufferGeometry,
  CanvasTexture,
  Color,
  ConeGeometry,
  CylinderGeometry,
  BoxGeometry,
  DoubleSide,
  DynamicDrawUsage,
  Fog,
  Frustum,
  InstancedBufferAttribute,
  InstancedMesh,
  Material,
  Matrix4,
  Mesh,
  OctahedronGeometry,
  MeshBasicMaterial,
  PerspectiveCamera,
  PlaneGeometry,
  Scene,
  SRGBColorSpace,
  Sprite,
  SpriteMaterial,
  Vector3,
  WebGLRenderer,
} from "three";
import type { DrawnAvatar, WorldView } from "./renderer";
import { besides, biomeOf, shading, damp, middleOfField, ResolutionGovernor, followCamera, laneOffset, poseAt, ribbon, scenery, Terrain, toLocal, type LocalRoute, type SceneryKind } from "./scene3d";
import type { RoutePoint } from "./track";

export interface World3DOptions {
  biome: string;
  landmarks: { name: string; distance_m: number }[];
  /** Scenery placement seed (the world's id): the same world always looks the same. */
  seed: number;
  /** Called once if the browser takes the WebGL context away (GPU reset, too many contexts). */
  onContextLost?: () => void;
}

const PATH_WIDTH = 6;
// Light from the south-west, high: baked into vertex colours once (see `lit`), so a frame shades
// nothing per pixel. Software WebGL (SwiftShader, no GPU) would otherwise spend a frame's budget
// on lighting alone.
const SUN = { x: -0.45, y: 0.8, z: 0.4 };
export const AVATAR_SCALE = 1.4;
const SPORT_COLOURS: Record<string, string> = { run: "#1f5fd6", walk: "#8430ce", ride: "#c25400" };
const ME = "#d93025";

/** A text label as a sprite (a canvas texture): for the athlete's name and the landmarks. */
function label(text: string, heightMetres: number): Sprite {
  const canvas = document.createElement("canvas");
  const ctx = canvas.getContext("2d")!;
  const font = "600 36px system-ui, sans-serif";
  ctx.font = font;
  const width = Math.ceil(ctx.measureText(text).width) + 28;
  canvas.width = width;
  canvas.height = 56;
  ctx.font = font;
  ctx.fillStyle = "rgba(255,255,255,0.88)";
  ctx.beginPath();
  ctx.roundRect(0, 0, width, 56, 12);
  ctx.fill();
  ctx.fillStyle = "#14171f";
  ctx.textBaseline = "middle";
  ctx.fillText(text, 14, 30);
  const texture = new CanvasTexture(canvas);
  texture.colorSpace = SRGBColorSpace;
  const sprite = new Sprite(new SpriteMaterial({ map: texture, depthWrite: false }));
  sprite.scale.set((heightMetres * width) / 56, heightMetres, 1);
  return sprite;
}

/** Bake sunlight (and the colour, when given) into a geometry's vertex colours. */
function lit(geometry: BufferGeometry, colour = "#ffffff", baseColours?: Float32Array): BufferGeometry {
  if (!geometry.getAttribute("normal")) geometry.computeVertexNormals();
  const normals = geometry.getAttribute("normal").array as Float32Array;
  const light = shading(normals, SUN);
  const tint = new Color(colour);
  const colours = new Float32Array(light.length * 3);
  for (let i = 0; i < light.length; i++) {
    const base = baseColours ? [baseColours[i * 3], baseColours[i * 3 + 1], baseColours[i * 3 + 2]] : [tint.r, tint.g, tint.b];
    colours[i * 3] = base[0] * light[i];
    colours[i * 3 + 1] = base[1] * light[i];
    colours[i * 3 + 2] = base[2] * light[i];
  }
  geometry.setAttribute("color", new BufferAttribute(colours, 3));
  return geometry;
}

/**
 * Position and colour only, always indexed: what mergeGeometries needs of every part. Indexed,
 * because shared vertices are shaded once (the terrain grid has a sixth of the vertices it would
 * have as separate triangles), and in software WebGL vertices cost the same at any resolution.
 */
function plain(geometry: BufferGeometry): BufferGeometry {
  const part = geometry.clone();
  for (const name of Object.keys(part.attributes)) if (name !== "position" && name !== "color") part.deleteAttribute(name);
  if (!part.index) part.setIndex([...Array(part.getAttribute("position").count).keys()]);
  return part;
}

function sceneryGeometry(kind: SceneryKind): { geometry: BufferGeometry; colour: string }[] {
  const up = (g: BufferGeometry, y: number) => g.translate(0, y, 0);
  switch (kind) {
    case "tree":
      return [{ geometry: up(new ConeGeometry(3, 7.5, 4, 1, true), 3.75), colour: "#3f7a35" }];
    case "pine":
      return [{ geometry: up(new ConeGeometry(2.6, 9, 5, 1, true), 4.5), colour: "#2f5e31" }];
    case "rock":
      return [{ geometry: up(new OctahedronGeometry(1.8, 0), 0.6), colour: "#8b8780" }];
    case "cactus":
      return [{ geometry: up(new CylinderGeometry(0.5, 0.6, 5, 5, 1, true), 2.5), colour: "#4f7f3a" }];
    case "building":
      return [{ geometry: up(new BoxGeometry(12, 18, 12), 9), colour: "#c9c2b8" }];
    case "reed":
      return [{ geometry: up(new ConeGeometry(0.4, 2.2, 3, 1, true), 1.1), colour: "#9b8f4e" }];
  }
}

export class World3DRenderer implements WorldView {
  private readonly renderer: WebGLRenderer;
  protected readonly scene = new Scene();
  private readonly camera = new PerspectiveCamera(55, 2, 0.5, 3100);
  protected readonly route: LocalRoute;
  // A four-sided open cone (four triangles): cheap enough that a thousand cost little even in
  // software WebGL, where every vertex and pixel is the CPU's work.
  protected readonly avatarGeometry = lit(new ConeGeometry(0.65, 2.0, 4, 1, true).translate(0, 1.0, 0));
  protected readonly avatarMaterial = new MeshBasicMaterial({ vertexColors: true });
  private crowd: InstancedMesh | null = null;
  private capacity = 0;
  private readonly meBody: Mesh;
  private meLabel: Sprite | null = null;
  private meName = "";
  private readonly lanes = new Map<string, number>();
  private readonly colours = new Map<string, Color>();
  private readonly eye = { x: 0, y: 0, z: 0, tx: 0, ty: 0, tz: 0, placed: false };
  private lastFrame = 0;
  private size = { width: 300, height: 150 };
  private readonly governor = new ResolutionGovernor();
  private middleId: string | null = null;
  private framesSinceMiddle = 0;
  private readonly frustum = new Frustum();
  private readonly viewProjection = new Matrix4();
  private disposed = false;

  constructor(
    readonly canvas: HTMLCanvasElement,
    points: RoutePoint[],
    protected readonly lapLength: number | undefined,
    options: World3DOptions,
  ) {
    // Throws where WebGL 2 is missing; the caller falls back to the 2D view.
    this.renderer = new WebGLRenderer({ canvas, antialias: false, powerPreference: "high-performance" });
    canvas.addEventListener("webglcontextlost", (event) => {
      event.preventDefault();
      if (!this.disposed) options.onContextLost?.();
    });
    this.route = toLocal(points);
    const biome = biomeOf(options.biome);
    this.scene.background = new Color(biome.sky);
    this.scene.fog = new Fog(biome.sky, 500, 3000);

    // Everything that never moves (land, water, path, scenery, landmark poles) is merged into one
    // geometry with its light baked in: one draw call. Software WebGL pays dearly per draw call.
    const statics: BufferGeometry[] = [];
    const terrain = new Terrain(this.route, biome);
    const grid = terrain.grid();
    // The biome's colours are sRGB; three.js blends in linear space.
    const linear = new Color();
    for (let i = 0; i < grid.colors.length; i += 3) {
      linear.setRGB(grid.colors[i], grid.colors[i + 1], grid.colors[i + 2], SRGBColorSpace);
      grid.colors.set([linear.r, linear.g, linear.b], i);
    }
    const land = new BufferGeometry();
    land.setAttribute("position", new BufferAttribute(grid.positions, 3));
    land.setIndex(new BufferAttribute(grid.indices, 1));
    land.computeVertexNormals();
    statics.push(lit(land, undefined, grid.colors));
    if (terrain.waterLevel !== null) {
      const water = new PlaneGeometry(terrain.maxX - terrain.minX, terrain.maxZ - terrain.minZ).rotateX(-Math.PI / 2);
      statics.push(lit(water.translate((terrain.minX + terrain.maxX) / 2, terrain.waterLevel, (terrain.minZ + terrain.maxZ) / 2), "#2f6aa3"));
    }

    // The path lies at least 0.85 m above the land beside it (Terrain.sample), so it needs no
    // polygon offset against it.
    const path = ribbon(this.route, PATH_WIDTH);
    const pathGeometry = new BufferGeometry();
    pathGeometry.setAttribute("position", new BufferAttribute(path.positions, 3));
    pathGeometry.setIndex(new BufferAttribute(path.indices, 1));
    pathGeometry.computeVertexNormals();
    // The top in the path's colour, the banks (outer vertices, see ribbon) in the land's.
    const [top, bank] = [new Color(biome.path), new Color(biome.ground)];
    const pathColours = new Float32Array(path.positions.length);
    for (let v = 0; v < path.positions.length / 3; v++) {
      const c = v % 4 === 0 || v % 4 === 3 ? bank : top;
      pathColours.set([c.r, c.g, c.b], v * 3);
    }
    statics.push(lit(pathGeometry, undefined, pathColours));

    const matrix = new Matrix4();
    const scale = new Vector3();
    const shapes = new Map<SceneryKind, BufferGeometry[]>();
    for (const p of scenery(terrain, options.seed)) {
      if (!shapes.has(p.kind)) shapes.set(p.kind, sceneryGeometry(p.kind).map(({ geometry, colour }) => lit(geometry, colour)));
      matrix.makeRotationY(p.turn).scale(scale.setScalar(p.scale)).setPosition(p.x, p.y, p.z);
      for (const shape of shapes.get(p.kind)!) statics.push(shape.clone().applyMatrix4(matrix));
    }
    for (const mark of options.landmarks) {
      const at = poseAt(this.route, mark.distance_m);
      const side = besides(at, PATH_WIDTH / 2 + 1.5);
      statics.push(lit(new CylinderGeometry(0.2, 0.2, 7, 4).translate(side.x, at.y + 3.5, side.z), "#14171f"));
      const sign = label(mark.name, 2.4);
      sign.position.set(side.x, at.y + 8.4, side.z);
      this.scene.add(sign);
    }
    const world = mergeGeometries(statics.map(plain));
    statics.forEach((g) => g.dispose());
    shapes.forEach((list) => list.forEach((g) => g.dispose()));
    this.scene.add(new Mesh(world, new MeshBasicMaterial({ vertexColors: true, side: DoubleSide })));

    // The athlete: a larger avatar in their colour with a pointer above, one mesh.
    const body = this.avatarGeometry.clone().scale(AVATAR_SCALE * 1.15, AVATAR_SCALE * 1.15, AVATAR_SCALE * 1.15);
    const pointer = lit(new ConeGeometry(0.8, 1.8, 8).rotateX(Math.PI).translate(0, 5.2, 0));
    this.meBody = new Mesh(mergeGeometries([plain(body), plain(pointer)]), new MeshBasicMaterial({ color: ME, vertexColors: true }));
    this.meBody.visible = false;
    this.scene.add(this.meBody);
  }

  /** Room for at least `count` avatars in the instanced mesh (doubling, so growth is rare). */
  private grow(count: number): void {
    let capacity = Math.max(this.capacity, 1024);
    while (capacity < count) capacity *= 2;
    if (capacity === this.capacity && this.crowd) return;
    if (this.crowd) {
      this.scene.remove(this.crowd);
      this.crowd.dispose();
    }
    const crowd = new InstancedMesh(this.avatarGeometry, this.avatarMaterial, capacity);
    crowd.instanceMatrix.setUsage(DynamicDrawUsage);
    crowd.instanceColor = new InstancedBufferAttribute(new Float32Array(capacity * 3), 3).setUsage(DynamicDrawUsage);
    crowd.frustumCulled = false; // the crowd moves every frame; its bounding sphere would be stale
    crowd.count = 0;
    this.scene.add(crowd);
    this.crowd = crowd;
    this.capacity = capacity;
  }

  resize(width: number, height: number): void {
    this.size = { width, height };
    this.renderer.setSize(width, height, true);
    this.applyResolution();
    this.camera.aspect = width / Math.max(1, height);
    this.camera.updateProjectionMatrix();
  }

  /** The share of the canvas's pixels rendered (1 = full resolution), lowered when frames are slow. */
  get resolutionScale(): number {
    return this.governor.scale;
  }

  private applyResolution(): void {
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2) * this.governor.scale);
    this.renderer.setSize(this.size.width, this.size.height, false);
  }

  protected lane(id: string): number {
    let lane = this.lanes.get(id);
    if (lane === undefined) {
      lane = laneOffset(id, PATH_WIDTH / 2);
      this.lanes.set(id, lane);
    }
    return lane;
  }

  protected colour(sport: string | undefined): Color {
    const key = sport ?? "run";
    let colour = this.colours.get(key);
    if (!colour) {
      colour = new Color(SPORT_COLOURS[key] ?? SPORT_COLOURS.run);
      this.colours.set(key, colour);
    }
    return colour;
  }

  draw(avatars: DrawnAvatar[]): void {
    if (this.disposed) return;
    const now = performance.now();
    const seconds = this.lastFrame ? Math.min(0.25, (now - this.lastFrame) / 1000) : 0;
    this.lastFrame = now;
    let me: DrawnAvatar | null = null;
    let middle: DrawnAvatar | null = null;
    for (const a of avatars) {
      if (a.highlighted) me = a;
      if (a.id === this.middleId) middle = a;
    }
    if (!me && (!middle || ++this.framesSinceMiddle > 30)) {
      middle = middleOfField(avatars);
      this.middleId = middle?.id ?? null;
      this.framesSinceMiddle = 0;
    }
    // The camera follows the athlete; a spectator watches the middle of the field, where most of
    // the athletes are in view (or waits at the start).
    const followed = me ?? middle;
    const view = followCamera(this.route, followed ? followed.distance : 0, this.lapLength);
    const e = this.eye;
    const far = Math.hypot(view.position.x - e.x, view.position.z - e.z) > 400;
    if (!e.placed || far) {
      Object.assign(e, { x: view.position.x, y: view.position.y, z: view.position.z, tx: view.target.x, ty: view.target.y, tz: view.target.z, placed: true });
    } else {
      e.x = damp(e.x, view.position.x, seconds);
      e.y = damp(e.y, view.position.y, seconds);
      e.z = damp(e.z, view.position.z, seconds);
      e.tx = damp(e.tx, view.target.x, seconds, 0.2);
      e.ty = damp(e.ty, view.target.y, seconds, 0.2);
      e.tz = damp(e.tz, view.target.z, seconds, 0.2);
    }
    this.camera.position.set(e.x, e.y, e.z);
    this.camera.lookAt(e.tx, e.ty, e.tz);
    this.drawCrowd(avatars);

    this.meBody.visible = me !== null;
    if (me) {
      const pose = poseAt(this.route, me.distance, this.lapLength);
      this.meBody.position.set(pose.x, pose.y + 0.25, pose.z);
      this.meBody.rotation.y = pose.heading;
      if (me.name !== this.meName) {
        if (this.meLabel) {
          this.scene.remove(this.meLabel);
          this.meLabel.material.map?.dispose();
          this.meLabel.material.dispose();
        }
        this.meLabel = label(me.name, 1.8);
        this.meName = me.name;
        this.scene.add(this.meLabel);
      }
      this.meLabel?.position.set(pose.x, pose.y + 8.6, pose.z);
    }
    if (this.meLabel) this.meLabel.visible = me !== null;

    this.renderer.render(this.scene, this.camera);
    this.adapt(now);
  }

  /** Lowers (or raises) the resolution when frames are slow (or fast again). */
  protected adapt(now: number): void {
    if (this.governor.frame(now) !== null) this.applyResolution();
  }

  /** Everyone but the athlete: one instanced mesh, one draw call for the whole crowd. */
  protected drawCrowd(avatars: DrawnAvatar[]): void {
    this.grow(avatars.length);
    const crowd = this.crowd!;
    const m = crowd.instanceMatrix.array as Float32Array;
    const c = crowd.instanceColor!.array as Float32Array;
    // Only avatars inside the camera's view go into the buffer: the crowd spreads over kilometres
    // and most of it is behind the camera or beyond the fog.
    this.camera.updateMatrixWorld();
    this.frustum.setFromProjectionMatrix(this.viewProjection.multiplyMatrices(this.camera.projectionMatrix, this.camera.matrixWorldInverse));
    const planes = this.frustum.planes;
    let n = 0;
    outer: for (const a of avatars) {
      if (a.highlighted) continue;
      const pose = poseAt(this.route, a.distance, this.lapLength);
      const at = besides(pose, this.lane(a.id));
      for (const plane of planes) {
        if (plane.normal.x * at.x + plane.normal.y * (pose.y + 1) + plane.normal.z * at.z + plane.constant < -3) continue outer;
      }
      // Rotation about y, uniform scale and translation, written straight into the instance buffer.
      const cos = Math.cos(pose.heading) * AVATAR_SCALE;
      const sin = Math.sin(pose.heading) * AVATAR_SCALE;
      const o = n * 16;
      m[o] = cos;
      m[o + 1] = 0;
      m[o + 2] = -sin;
      m[o + 3] = 0;
      m[o + 4] = 0;
      m[o + 5] = AVATAR_SCALE;
      m[o + 6] = 0;
      m[o + 7] = 0;
      m[o + 8] = sin;
      m[o + 9] = 0;
      m[o + 10] = cos;
      m[o + 11] = 0;
      m[o + 12] = at.x;
      m[o + 13] = pose.y + 0.25;
      m[o + 14] = at.z;
      m[o + 15] = 1;
      const colour = this.colour(a.sport);
      c[n * 3] = colour.r;
      c[n * 3 + 1] = colour.g;
      c[n * 3 + 2] = colour.b;
      n++;
    }
    crowd.count = n;
    crowd.instanceMatrix.clearUpdateRanges();
    crowd.instanceMatrix.addUpdateRange(0, n * 16);
    crowd.instanceMatrix.needsUpdate = true;
    crowd.instanceColor!.clearUpdateRanges();
    crowd.instanceColor!.addUpdateRange(0, n * 3);
    crowd.instanceColor!.needsUpdate = true;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.scene.traverse((object) => {
      const mesh = object as Mesh;
      mesh.geometry?.dispose();
      const materials = Array.isArray(mesh.material) ? mesh.material : mesh.material ? [mesh.material] : [];
      materials.forEach((material: Material) => {
        (material as SpriteMaterial).map?.dispose();
        material.dispose();
      });
    });
    this.renderer.dispose();
    // Give the context back now: browsers allow only a handful at once, and toggling makes new ones.
    this.renderer.forceContextLoss();
  }
}
