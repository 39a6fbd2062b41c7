import { describe, expect, it } from "vitest";
import { initialMode, storedMode, storeMode, VIEW_KEY } from "./views";

describe("initialMode", () => {
  it("opens the 3D view where WebGL exists and nothing was chosen", () => {
    expect(initialMode({ webgl: true })).toBe("3d");
  });
  it("keeps the remembered choice, and a one-off request beats it", () => {
    expect(initialMode({ webgl: true, stored: "2d" })).toBe("2d");
    expect(initialMode({ webgl: true, stored: "2d", requested: "3d" })).toBe("3d");
  });
  it("always shows the 2D map without WebGL, whatever was chosen", () => {
    expect(initialMode({ webgl: false, stored: "3d", requested: "3d" })).toBe("2d");
  });
  it("ignores values it does not know", () => {
    expect(initialMode({ webgl: true, stored: "4d", requested: "" })).toBe("3d");
  });
});

describe("stored choice", () => {
  it("round-trips through storage under one key", () => {
    const values = new Map<string, string>();
    const storage = { getItem: (k: string) => values.get(k) ?? null, setItem: (k: string, v: string) => void values.set(k, v) };
    storeMode("2d", storage);
    expect(values.get(VIEW_KEY)).toBe("2d");
    expect(storedMode(storage)).toBe("2d");
  });
  it("survives storage that refuses (private browsing)", () => {
    const refusing = {
      getItem: () => {
        throw new Error("denied");
      },
      setItem: () => {
        throw new Error("denied");
      },
    };
    expect(() => storeMode("3d", refusing)).not.toThrow();
    expect(storedMode(refusing)).toBeNull();
  });
});
