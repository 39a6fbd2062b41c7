import { describe, expect, it } from "vitest";
import { compile, match } from "./router";

describe("route matching", () => {
  const routes = [compile("/"), compile("/workouts/:id"), compile("/worlds/:id/live")];

  it("matches a static path with or without the trailing slash", () => {
    expect(match(routes, "/")).toEqual({ index: 0, params: {} });
  });
  it("extracts parameters", () => {
    expect(match(routes, "/workouts/42/")).toEqual({ index: 1, params: { id: "42" } });
    expect(match(routes, "/worlds/7/live")).toEqual({ index: 2, params: { id: "7" } });
  });
  it("does not match a longer path", () => {
    expect(match(routes, "/workouts/42/extra")).toBeNull();
  });
});
