// Which view the live world shows: the 3D landscape where WebGL 2 is available, unless the person
// chose the 2D map (remembered in this browser); the 2D map everywhere else.

export type ViewMode = "2d" | "3d";
export const VIEW_KEY = "wellverse:world-view";

const isMode = (value: string | null | undefined): value is ViewMode => value === "2d" || value === "3d";

/** The view to open with: a one-off `?view=` first, then the remembered choice, then 3D. */
export function initialMode(options: { webgl: boolean; stored?: string | null; requested?: string | null }): ViewMode {
  if (!options.webgl) return "2d";
  if (isMode(options.requested)) return options.requested;
  if (isMode(options.stored)) return options.stored;
  return "3d";
}

/** The view's height for a width: the 3D landscape keeps a wide frame, the 2D map a fixed one. */
export const viewHeight = (mode: ViewMode, width: number) => (mode === "3d" ? Math.round(Math.min(480, Math.max(280, width * 0.58))) : 420);

/** Whether this browser can give a canvas a WebGL 2 context (three.js needs WebGL 2). */
export function webglAvailable(doc: Document = document): boolean {
  try {
    const probe = doc.createElement("canvas");
    const gl = probe.getContext("webgl2");
    if (!gl) return false;
    // Hand the probe's context back at once: browsers allow only a few live contexts.
    gl.getExtension("WEBGL_lose_context")?.loseContext();
    return true;
  } catch {
    return false;
  }
}

export function storedMode(storage: Pick<Storage, "getItem"> | null = safeStorage()): string | null {
  try {
    return storage?.getItem(VIEW_KEY) ?? null;
  } catch {
    return null;
  }
}

export function storeMode(mode: ViewMode, storage: Pick<Storage, "setItem"> | null = safeStorage()): void {
  try {
    storage?.setItem(VIEW_KEY, mode);
  } catch {
    // Private browsing may refuse storage: the choice then lasts for this page only.
  }
}

function safeStorage(): Storage | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null;
  }
}
