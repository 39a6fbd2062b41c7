import { describe, expect, it } from "vitest";
import { backoffSeconds } from "./link";

describe("backoffSeconds", () => {
  it("doubles from one second and stops at thirty", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(backoffSeconds)).toEqual([1, 2, 4, 8, 16, 30, 30, 30]);
  });
});
