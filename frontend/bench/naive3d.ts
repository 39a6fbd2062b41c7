// The 3D renderer at a fixed full resolution (to compare renderers alone), and the straightforward
// 3D baseline beside it: one mesh per avatar instead of one instanced mesh for the crowd.

import { Mesh, MeshBasicMaterial } from "three";
import type { DrawnAvatar } from "../src/worlds/renderer";
import { AVATAR_SCALE, World3DRenderer } from "../src/worlds/renderer3d";
import { besides, poseAt } from "../src/worlds/scene3d";

export class FullResolution3DRenderer extends World3DRenderer {
  protected override adapt(): void {}
}

export class NaiveWorld3DRenderer extends FullResolution3DRenderer {
  private readonly pool: Mesh[] = [];
  private readonly sportMaterials = new Map<string, MeshBasicMaterial>();

  /** One mesh (one draw call) per avatar, positioned through the scene graph. */
  protected override drawCrowd(avatars: DrawnAvatar[]): void {
    let n = 0;
    for (const a of avatars) {
      if (a.highlighted) continue;
      let mesh = this.pool[n];
      if (!mesh) {
        mesh = new Mesh(this.avatarGeometry, this.avatarMaterial);
        mesh.scale.setScalar(AVATAR_SCALE);
        this.pool.push(mesh);
        this.scene.add(mesh);
      }
      const key = a.sport ?? "run";
      let material = this.sportMaterials.get(key);
      if (!material) {
        material = new MeshBasicMaterial({ color: this.colour(key), vertexColors: true });
        this.sportMaterials.set(key, material);
      }
      mesh.material = material;
      const pose = poseAt(this.route, a.distance, this.lapLength);
      const at = besides(pose, this.lane(a.id));
      mesh.position.set(at.x, pose.y + 0.25, at.z);
      mesh.rotation.y = pose.heading;
      mesh.visible = true;
      n++;
    }
    for (let i = n; i < this.pool.length; i++) this.pool[i].visible = false;
  }
}
