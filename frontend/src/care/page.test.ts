import { describe, expect, it } from "vitest";
import { alertText, grantState } from "./page";

const grant = (over: Record<string, unknown>) => ({
  id: 1,
  category: "workouts" as const,
  starts_at: "2026-12-01T10:00:00Z",
  expires_at: "2027-03-01T10:00:00Z",
  revoked_at: null,
  live: true,
  ...over,
});

describe("grantState", () => {
  const now = new Date("2026-12-07T12:00:00Z");

  it("says until when a live grant shares", () => {
    expect(grantState(grant({}), now, "en-GB")).toBe("Shared until 1 Mar 2027");
  });

  it("says a revoked grant is revoked, whatever its dates", () => {
    expect(grantState(grant({ revoked_at: "2026-12-05T09:00:00Z" }), now, "en-GB")).toBe("Revoked");
  });

  it("says when an expired grant ended", () => {
    expect(grantState(grant({ expires_at: "2026-12-06T10:00:00Z" }), now, "en-GB")).toBe("Expired on 6 Dec 2026");
  });

  it("says from when a future grant shares", () => {
    expect(grantState(grant({ starts_at: "2027-01-01T10:00:00Z" }), now, "en-GB")).toBe("From 1 Jan 2027 until 1 Mar 2027");
  });
});

describe("alertText", () => {
  const alert = { kind: "appointment_cancelled", patient_id: 3, patient_name: "Ada", at: "2026-12-07T10:00:00Z", message: "Ada cancelled a consultation.", about_at: "2026-12-08T09:00:00Z" };

  it("adds the time it concerns in the viewer's zone", () => {
    expect(alertText(alert, "en-GB", "Europe/Berlin")).toBe("Ada cancelled a consultation. (Tuesday 8 December at 10:00)");
  });

  it("is the message alone when it concerns no time", () => {
    expect(alertText({ ...alert, about_at: null }, "en-GB", "UTC")).toBe("Ada cancelled a consultation.");
  });
});
