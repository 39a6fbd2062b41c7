import { describe, expect, it } from "vitest";
import { appointmentTitle, slotsByDay, slotTime, todaysAppointments } from "./appointments";

const slot = (starts_at: string) => ({ starts_at, ends_at: starts_at });

describe("slotsByDay", () => {
  it("groups slots by the local day they start on, earliest first", () => {
    const days = slotsByDay([slot("2026-12-09T09:00:00Z"), slot("2026-12-08T09:40:00Z"), slot("2026-12-08T09:00:00Z")], "en-GB", "UTC");
    expect(days.map(([label, slots]) => [label, slots.map((s) => slotTime(s.starts_at, "en-GB", "UTC"))])).toEqual([
      ["Tuesday 8 December", ["09:00", "09:40"]],
      ["Wednesday 9 December", ["09:00"]],
    ]);
  });

  it("uses the viewer's time zone, so a late slot can fall on the next local day", () => {
    const [[label]] = slotsByDay([slot("2026-12-08T23:30:00Z")], "en-GB", "Europe/Berlin");
    expect(label).toBe("Wednesday 9 December");
  });
});

describe("appointmentTitle", () => {
  const appointment = {
    id: 4,
    clinician: { id: 7, name: "Dr. Okafor", profession: "doctor" },
    patient: { id: 3, name: "Ada" },
    guest: null,
    starts_at: "2026-12-08T09:00:00Z",
    ends_at: "2026-12-08T09:30:00Z",
    status: "booked" as const,
    cancelled_at: null,
    cancel_reason: "",
    ended_at: null,
  };

  it("names the clinician to the patient and the patient to the clinician", () => {
    expect(appointmentTitle(appointment, null, "en-GB", "UTC")).toBe("Tuesday 8 December, 09:00 with Dr. Okafor");
    expect(appointmentTitle(appointment, 7, "en-GB", "UTC")).toBe("Tuesday 8 December, 09:00 with Ada");
  });

  it("says when it was cancelled, and why", () => {
    expect(appointmentTitle({ ...appointment, status: "cancelled", cancel_reason: "care ended" }, null, "en-GB", "UTC")).toBe(
      "Tuesday 8 December, 09:00 with Dr. Okafor (cancelled: care ended)",
    );
  });
});

describe("todaysAppointments", () => {
  const at = (id: number, starts_at: string, status: "booked" | "cancelled" = "booked") => ({
    id, clinician: { id: 7, name: "Dr. Okafor", profession: "doctor" }, patient: { id: 3, name: "Ada" }, guest: null,
    starts_at, ends_at: starts_at, status, cancelled_at: null, cancel_reason: "", ended_at: null,
  });

  it("keeps today's booked consultations, earliest first", () => {
    const now = new Date(2026, 11, 8, 8, 0);
    const later = new Date(2026, 11, 8, 15, 0).toISOString();
    const earlier = new Date(2026, 11, 8, 9, 0).toISOString();
    const tomorrow = new Date(2026, 11, 9, 9, 0).toISOString();
    const kept = todaysAppointments([at(1, later), at(2, tomorrow), at(3, earlier), at(4, earlier, "cancelled")], now);
    expect(kept.map((a) => a.id)).toEqual([3, 1]);
  });
});
