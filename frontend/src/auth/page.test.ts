import { describe, expect, it } from "vitest";
import { confirmationFromQuery } from "./page";

describe("confirmationFromQuery", () => {
  it("reads the emailed link's user and token as the confirm endpoint's body", () => {
    expect(confirmationFromQuery("?user=42&token=cd5x2a-0f1e9b7c")).toEqual({ user_id: 42, token: "cd5x2a-0f1e9b7c" });
  });
  it("refuses a link cut short or tampered with, so nothing is sent", () => {
    expect(confirmationFromQuery("?user=42")).toBeNull();
    expect(confirmationFromQuery("?token=abc")).toBeNull();
    expect(confirmationFromQuery("?user=-1&token=abc")).toBeNull();
    expect(confirmationFromQuery("?user=1e99&token=abc")).toBeNull();
    expect(confirmationFromQuery("?user=4&token=a%20b")).toBeNull();
  });
});
