import { describe, expect, it } from "vitest";
import { ApiError, readCookie, toApiError } from "./api";

describe("readCookie", () => {
  it("finds a cookie among several and decodes it", () => {
    expect(readCookie("a=1; csrftoken=abc%3D; b=2", "csrftoken")).toBe("abc=");
  });
  it("returns null when the cookie is absent", () => {
    expect(readCookie("a=1", "csrftoken")).toBeNull();
  });
});

describe("toApiError", () => {
  it("keeps the code, message and field errors of the documented error format", () => {
    const error = toApiError(400, {
      error: { code: "validation_error", message: "Bad.", fields: { email: ["Taken."] } },
    });
    expect(error).toBeInstanceOf(ApiError);
    expect([error.status, error.code, error.message, error.fields]).toEqual([
      400,
      "validation_error",
      "Bad.",
      { email: ["Taken."] },
    ]);
  });
  it("explains a response that is not in the error format", () => {
    expect(toApiError(502, "<html>").message).toBe("The server answered 502.");
  });
});
