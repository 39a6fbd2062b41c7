// The same byte vectors as the Python decoder tests (devices/testdata/gatt_vectors.json).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { decode, GattDecodeError, hexToView } from "./gatt";

interface Vector {
  characteristic: string;
  hex: string;
  expected?: Record<string, unknown>;
  error?: boolean;
  source: string;
}

const file = fileURLToPath(new URL("../../../devices/testdata/gatt_vectors.json", import.meta.url));
const { vectors } = JSON.parse(readFileSync(file, "utf8")) as { vectors: Vector[] };

function expectClose(actual: unknown, expected: unknown, path: string): void {
  if (typeof expected === "number") {
    expect(typeof actual, path).toBe("number");
    expect(Math.abs((actual as number) - expected), path).toBeLessThan(1e-4);
  } else if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as unknown[]).length, path).toBe(expected.length);
    expected.forEach((item, i) => expectClose((actual as unknown[])[i], item, `${path}[${i}]`));
  } else {
    expect(actual, path).toEqual(expected);
  }
}

describe("GATT decoders agree with the shared byte vectors", () => {
  it("has vectors to check", () => expect(vectors.length).toBeGreaterThan(10));

  for (const vector of vectors) {
    it(`${vector.characteristic} ${vector.hex || "(empty)"}: ${vector.source}`, () => {
      if (vector.error) {
        expect(() => decode(vector.characteristic, hexToView(vector.hex))).toThrow(GattDecodeError);
        return;
      }
      const decoded = decode(vector.characteristic, hexToView(vector.hex));
      for (const [key, value] of Object.entries(vector.expected ?? {})) {
        expectClose(decoded[key], value, key);
      }
    });
  }
});
