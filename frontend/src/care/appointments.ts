// Appointments: the patient books a free slot with a clinician of their care team; both see their
// appointments, join the consultation room, add one to their calendar or cancel it.

import { api, ApiError, type Schema } from "../app/api";
import { h, showFormErrors } from "../app/dom";
import type { Session } from "../app/session";

type Member = Schema<"CareTeamMemberOutput">;
type Slot = Schema<"SlotOutput">;
type Appointment = Schema<"AppointmentOutput">;

/** Slots grouped by the local day they start on, in order: [day label, slots][]. */
export function slotsByDay(slots: Slot[], locale?: string, timeZone?: string): [string, Slot[]][] {
  const days = new Map<string, Slot[]>();
  for (const slot of [...slots].sort((a, b) => a.starts_at.localeCompare(b.starts_at))) {
    const label = new Date(slot.starts_at).toLocaleDateString(locale, { weekday: "long", day: "numeric", month: "long", timeZone });
    days.set(label, [...(days.get(label) ?? []), slot]);
  }
  return [...days.entries()];
}

export const slotTime = (iso: string, locale?: string, timeZone?: string) =>
  new Date(iso).toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit", timeZone });

/** The booked appointments that start on the same local day as `now`, earliest first. */
export function todaysAppointments(appointments: Appointment[], now: Date = new Date()): Appointment[] {
  const sameDay = (iso: string) => new Date(iso).toDateString() === now.toDateString();
  return appointments.filter((a) => a.status === "booked" && sameDay(a.starts_at)).sort((a, b) => a.starts_at.localeCompare(b.starts_at));
}

/** "Tuesday 8 December, 09:00 with Dr. Okafor (cancelled: …)" from the viewer's side: the clinician
 * (whose own clinician profile id is `ownClinicianId`) sees the patient's name, anyone else the clinician's. */
export function appointmentTitle(appointment: Appointment, ownClinicianId: number | null, locale?: string, timeZone?: string): string {
  const when = `${new Date(appointment.starts_at).toLocaleDateString(locale, { weekday: "long", day: "numeric", month: "long", timeZone })}, ${slotTime(appointment.starts_at, locale, timeZone)}`;
  const other = appointment.clinician.id === ownClinicianId ? appointment.patient.name : appointment.clinician.name;
  const state = appointment.status === "cancelled" ? ` (cancelled${appointment.cancel_reason ? `: ${appointment.cancel_reason}` : ""})` : appointment.status === "ended" ? " (ended)" : "";
  return `${when} with ${other}${state}`;
}

function bookingForm(session: Session, clinicians: Member[]): HTMLElement {
  const choose = h(
    "select",
    { id: "book-clinician", name: "clinician" },
    h("option", { value: "" }, "Choose a clinician"),
    ...clinicians.map((m) => h("option", { value: String(m.clinician.id) }, m.clinician.professional_name)),
  ) as HTMLSelectElement;
  const slotsArea = h("div", { id: "book-slots", "aria-live": "polite" });
  const form = h(
    "form",
    { novalidate: true, "aria-labelledby": "book-title" },
    h("h2", { id: "book-title" }, "Book a consultation"),
    h("p", { role: "alert", class: "form-alert" }),
    h("div", { class: "field" }, h("label", { for: "book-clinician" }, "Clinician"), choose),
    slotsArea,
    h("button", { type: "submit" }, "Book this time"),
  ) as HTMLFormElement;
  choose.addEventListener("change", async () => {
    slotsArea.replaceChildren();
    if (!choose.value) return;
    const slots = await api<Slot[]>(`care/clinicians/${choose.value}/slots/`);
    if (slots.length === 0) {
      slotsArea.append(h("p", {}, "No free times in the next two weeks."));
      return;
    }
    const groups = slotsByDay(slots).map(([label, daySlots], i) =>
      h(
        "fieldset",
        {},
        h("legend", {}, label),
        ...daySlots.map((slot, j) => {
          const id = `slot-${i}-${j}`;
          return h("div", { class: "choice" }, h("input", { type: "radio", id, name: "starts_at", value: slot.starts_at }), h("label", { for: id }, slotTime(slot.starts_at)));
        }),
      ),
    );
    slotsArea.append(...groups);
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const picked = form.querySelector<HTMLInputElement>("input[name=starts_at]:checked");
    if (!choose.value || !picked) {
      showFormErrors(form, "Choose a clinician and a time.", {});
      return;
    }
    try {
      await api("care/appointments/", { method: "POST", body: { clinician_id: Number(choose.value), starts_at: picked.value } });
      session.router().go("/care/appointments");
    } catch (error) {
      if (error instanceof ApiError) showFormErrors(form, error.message, error.fields);
      else throw error;
    }
  });
  return form;
}

function appointmentItem(appointment: Appointment, ownClinicianId: number | null, session: Session): HTMLElement {
  const actions = h("span", { class: "actions" });
  if (appointment.status === "booked") {
    actions.append(
      h("a", { href: `/consultations/${appointment.id}`, "data-link": true }, "Join the consultation"),
      " ",
      h("a", { href: `/api/v1/care/appointments/${appointment.id}/invitation.ics`, download: `consultation-${appointment.id}.ics` }, "Add to my calendar"),
      " ",
    );
    const cancel = h("button", { type: "button" }, "Cancel");
    cancel.addEventListener("click", async () => {
      await api(`care/appointments/${appointment.id}/cancel/`, { method: "POST", body: { reason: "" } });
      session.router().go("/care/appointments");
    });
    actions.append(cancel);
  }
  return h("li", { "data-appointment": String(appointment.id) }, h("span", {}, appointmentTitle(appointment, ownClinicianId)), " ", actions);
}

export const appointmentsPage = (session: Session) => async () => {
  const profile = await session.refresh();
  if (!profile) {
    session.router().go("/login");
    return h("p", {}, "Please sign in.");
  }
  const [team, appointments, ownClinician] = await Promise.all([
    api<Member[]>("care/team/"),
    api<{ results: Appointment[] }>("care/appointments/?page_size=100"),
    api<Schema<"OwnClinicianProfileOutput">>("care/clinician/").catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }),
  ]);
  const bookable = team.filter((m) => m.status === "active" && m.clinician.verified);
  const ownClinicianId = ownClinician?.id ?? null;
  return h(
    "div",
    {},
    h("h1", {}, "Appointments"),
    h("p", {}, h("a", { href: "/care", "data-link": true }, "Back to my care")),
    bookable.length > 0 ? h("section", { class: "card" }, bookingForm(session, bookable)) : h("p", {}, "Add a clinician to your care team to book a consultation."),
    h(
      "section",
      { "aria-labelledby": "my-appointments-title" },
      h("h2", { id: "my-appointments-title" }, "My appointments"),
      appointments.results.length === 0 ? h("p", {}, "No appointments yet.") : h("ul", {}, ...appointments.results.map((a) => appointmentItem(a, ownClinicianId, session))),
    ),
  );
};

/** The clinician dashboard's list of today's consultations, each with its room. */
export function todaySection(appointments: Appointment[]): HTMLElement {
  const today = todaysAppointments(appointments);
  return h(
    "section",
    { class: "card", "aria-labelledby": "today-title" },
    h("h2", { id: "today-title" }, "Today's appointments"),
    today.length === 0
      ? h("p", {}, "No consultations today.")
      : h(
          "ul",
          {},
          ...today.map((a) =>
            h("li", {}, `${slotTime(a.starts_at)} ${a.patient.name} `, h("a", { href: `/consultations/${a.id}`, "data-link": true }, `Open the room for ${a.patient.name}`)),
          ),
        ),
    h("p", {}, h("a", { href: "/care/appointments", "data-link": true }, "All appointments"), " · ", h("a", { href: "/care/availability", "data-link": true }, "My availability")),
  );
}
