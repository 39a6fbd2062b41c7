import { describe, expect, it } from "vitest";
import { nextTemplate } from "./page";

describe("nextTemplate", () => {
  it("takes the phase's session templates in turn through the week", () => {
    expect([0, 1, 2, 3].map((done) => nextTemplate(done, 2))).toEqual([0, 1, 0, 1]);
  });
  it("is the first template when the phase has one or none", () => {
    expect([nextTemplate(4, 1), nextTemplate(3, 0)]).toEqual([0, 0]);
  });
});
