// Care: the patient's care page (care team, grants, notes) and the clinician's dashboard and
// patient view. Every read of a patient's data goes through the care API, which checks the grant.

import { api, ApiError, type Schema } from "../app/api";
import { field, formValues, h, showFormErrors } from "../app/dom";
import type { Session } from "../app/session";
import { todaySection } from "./appointments";

type Member = Schema<"CareTeamMemberOutput">;
type Grant = Member["grants"][number];
type Note = Schema<"NoteOutput">;
type Patient = Schema<"PatientOutput">;
type CareWorkout = Schema<"CareWorkoutOutput">;
type Alert = Schema<"AlertOutput">;
// The list is paginated by the view (the schema documents its rows).
interface CareWorkoutPage {
  count: number;
  results: CareWorkout[];
}

export const CATEGORIES: [string, string][] = [
  ["workouts", "Workouts and scores"],
  ["samples", "Heart rate and other samples"],
  ["hrv", "Heart-rate variability"],
  ["class_metrics", "Class metrics"],
  ["rehabilitation", "Rehabilitation sessions"],
  ["physiology", "Profile physiology"],
];
const categoryName = (category: string) => CATEGORIES.find(([key]) => key === category)?.[1] ?? category;
const day = (iso: string, locale?: string) => new Date(iso).toLocaleDateString(locale, { dateStyle: "medium" });

/** "Shared until 7 Mar 2027", "Revoked", "Expired on …", "From 1 Jan 2027 until …". */
export function grantState(grant: Grant, now: Date = new Date(), locale?: string): string {
  if (grant.revoked_at) return "Revoked";
  const expires = new Date(grant.expires_at);
  if (expires <= now) return `Expired on ${day(grant.expires_at, locale)}`;
  if (new Date(grant.starts_at) > now) return `From ${day(grant.starts_at, locale)} until ${day(grant.expires_at, locale)}`;
  return `Shared until ${day(grant.expires_at, locale)}`;
}

function refreshTo(session: Session, path: string): void {
  session.router().go(path);
}

function addForm(session: Session): HTMLFormElement {
  const form = h(
    "form",
    { novalidate: true, "aria-labelledby": "care-add-title" },
    h("h2", { id: "care-add-title" }, "Add a clinician"),
    h("p", { role: "alert", class: "form-alert" }),
    field("Invite code from your clinician", "invite_code", { autocomplete: "off" }),
    h("button", { type: "submit" }, "Add to my care team"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("care/team/", { method: "POST", body: formValues(form) });
      refreshTo(session, "/care");
    } catch (error) {
      if (error instanceof ApiError) showFormErrors(form, error.message, error.fields);
      else throw error;
    }
  });
  return form;
}

function grantRow(grant: Grant, session: Session): HTMLElement {
  const actions = h("span", { class: "actions" });
  if (!grant.revoked_at) {
    const renew = h("button", { type: "button" }, `Renew ${categoryName(grant.category)} for 90 days`);
    renew.addEventListener("click", async () => {
      await api(`care/grants/${grant.id}/renew/`, { method: "POST", body: {} });
      refreshTo(session, "/care");
    });
    const revoke = h("button", { type: "button", class: "danger" }, `Revoke ${categoryName(grant.category)}`);
    revoke.addEventListener("click", async () => {
      await api(`care/grants/${grant.id}/`, { method: "DELETE" });
      refreshTo(session, "/care");
    });
    actions.append(renew, revoke);
  }
  return h(
    "li",
    { "data-grant": grant.category, "data-live": grant.live ? "true" : "false" },
    h("strong", {}, categoryName(grant.category)),
    `: ${grantState(grant)}. `,
    actions,
  );
}

function shareForm(member: Member, session: Session): HTMLFormElement | null {
  const shared = new Set<string>(member.grants.filter((g) => !g.revoked_at && new Date(g.expires_at) > new Date()).map((g) => g.category));
  const options = CATEGORIES.filter(([key]) => !shared.has(key));
  if (options.length === 0) return null;
  const id = `share-${member.id}`;
  const form = h(
    "form",
    { novalidate: true },
    h("p", { role: "alert", class: "form-alert" }),
    h(
      "div",
      { class: "field" },
      h("label", { for: id }, `Share with ${member.clinician.professional_name}`),
      h("select", { id, name: "category" }, ...options.map(([value, text]) => h("option", { value }, text))),
      h("p", { class: "field-error", "data-error-for": "category" }),
    ),
    h("p", { class: "hint" }, "For 90 days; you can renew or revoke it at any time."),
    h("button", { type: "submit" }, "Share"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api(`care/relationships/${member.id}/grants/`, { method: "POST", body: formValues(form) });
      refreshTo(session, "/care");
    } catch (error) {
      if (error instanceof ApiError) showFormErrors(form, error.message, error.fields);
      else throw error;
    }
  });
  return form;
}

function memberCard(member: Member, session: Session): HTMLElement {
  const titleId = `member-${member.id}`;
  const card = h(
    "section",
    { class: "card", "aria-labelledby": titleId, "data-relationship": String(member.id) },
    h("h3", { id: titleId }, member.clinician.professional_name),
    h("p", {}, `${member.clinician.profession.replace(/_/g, " ")}${member.clinician.organisation ? `, ${member.clinician.organisation.name}` : ""}`),
  );
  if (member.status === "awaiting_patient") {
    const accept = h("button", { type: "button" }, "Accept the invitation");
    accept.addEventListener("click", async () => {
      await api(`care/relationships/${member.id}/accept/`, { method: "POST" });
      refreshTo(session, "/care");
    });
    card.append(h("p", {}, "Invites you to their care."), accept);
  } else {
    card.append(
      member.grants.length === 0
        ? h("p", {}, "You share nothing with them yet.")
        : h("ul", { class: "grants", "aria-label": `What ${member.clinician.professional_name} may see` }, ...member.grants.map((g) => grantRow(g, session))),
    );
    const form = shareForm(member, session);
    if (form) card.append(form);
  }
  const end = h("button", { type: "button", class: "danger" }, member.status === "active" ? "End this care relationship" : "Decline");
  end.addEventListener("click", async () => {
    await api(`care/relationships/${member.id}/`, { method: "DELETE" });
    refreshTo(session, "/care");
  });
  card.append(end);
  return card;
}

/** A note's versions, the amended ones marked as such. */
export function noteSection(note: Note, locale?: string): HTMLElement {
  const titleId = `note-${note.id}`;
  return h(
    "article",
    { class: "card note", "aria-labelledby": titleId },
    h("h3", { id: titleId }, `${note.author}, ${day(note.created_at, locale)}`),
    ...note.versions
      .slice()
      .reverse()
      .map((version) =>
        h(
          "section",
          { class: version.amended ? "note-version amended" : "note-version", "data-version": String(version.number) },
          h("h4", {}, version.amended ? `Version ${version.number} (amended)` : `Version ${version.number}`),
          h(
            "dl",
            {},
            ...(
              [
                ["Reason", version.reason],
                ["Findings", version.findings],
                ["Plan", version.plan],
                ["Follow-up", version.follow_up],
              ] as [string, string][]
            ).flatMap(([term, text]) => (text ? [h("dt", {}, term), h("dd", {}, text)] : [])),
          ),
        ),
      ),
  );
}

export const carePage = (session: Session) => async () => {
  const profile = await session.refresh();
  if (!profile) {
    session.router().go("/login");
    return h("p", {}, "Please sign in.");
  }
  const [team, notes] = await Promise.all([api<Member[]>("care/team/"), api<Note[]>("care/notes/")]);
  return h(
    "div",
    {},
    h("h1", {}, "My care"),
    h(
      "p",
      {},
      "Clinicians see only what you share, only until it expires, and every time they look it appears on ",
      h("a", { href: "/profile", "data-link": true }, "your access log"),
      ".",
    ),
    h("p", {}, h("a", { href: "/care/appointments", "data-link": true }, "Book or see my appointments")),
    h("p", {}, h("a", { href: "/care/rehabilitation", "data-link": true }, "My rehabilitation")),
    h("section", { class: "card" }, addForm(session)),
    h(
      "section",
      { "aria-labelledby": "care-team-title" },
      h("h2", { id: "care-team-title" }, "My care team"),
      team.length === 0 ? h("p", {}, "No clinicians yet.") : null,
      ...team.map((member) => memberCard(member, session)),
    ),
    h(
      "section",
      { "aria-labelledby": "care-notes-title" },
      h("h2", { id: "care-notes-title" }, "Consultation notes"),
      notes.length === 0 ? h("p", {}, "No notes yet.") : null,
      ...notes.map((note) => noteSection(note)),
    ),
  );
};

// --- The clinician's side ------------------------------------------------------------------------
export const clinicianPage = (session: Session) => async () => {
  const profile = await session.refresh();
  if (!profile) {
    session.router().go("/login");
    return h("p", {}, "Please sign in.");
  }
  let patients: Patient[];
  let appointments: Schema<"AppointmentOutput">[];
  let alerts: Alert[];
  try {
    [patients, { results: appointments }, alerts] = await Promise.all([
      api<Patient[]>("care/patients/"),
      api<{ results: Schema<"AppointmentOutput">[] }>("care/appointments/?page_size=100"),
      api<Alert[]>("care/alerts/"),
    ]);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      return h("section", { class: "card" }, h("h1", {}, "Clinician dashboard"), h("p", {}, "Your clinician profile is not verified yet, or you have none."));
    }
    throw error;
  }
  const live = patients.filter((p) => p.status === "active" && p.live_categories.length > 0);
  const requests = patients.filter((p) => p.status === "awaiting_clinician");
  const requestItem = (patient: Patient) => {
    const accept = h("button", { type: "button" }, `Accept ${patient.name}`);
    accept.addEventListener("click", async () => {
      await api(`care/relationships/${patient.id}/accept/`, { method: "POST" });
      session.router().go("/care/clinician");
    });
    return h("li", {}, `${patient.name} asks you to join their care team. `, accept);
  };
  return h(
    "div",
    {},
    h("h1", {}, "Clinician dashboard"),
    todaySection(appointments),
    h("p", {}, h("a", { href: "/care/rehabilitation/patients", "data-link": true }, "Rehabilitation overview")),
    h(
      "section",
      { class: "card", "aria-labelledby": "patients-title" },
      h("h2", { id: "patients-title" }, "Patients sharing with you now"),
      live.length === 0
        ? h("p", {}, "No patient shares anything with you right now.")
        : h(
            "ul",
            { class: "patients" },
            ...live.map((p) =>
              h(
                "li",
                { "data-patient": String(p.patient_id) },
                h("a", { href: `/care/patients/${p.patient_id}`, "data-link": true }, p.name),
                `: ${p.live_categories.map(categoryName).join(", ")}`,
              ),
            ),
          ),
    ),
    requests.length > 0
      ? h("section", { class: "card", "aria-labelledby": "requests-title" }, h("h2", { id: "requests-title" }, "Requests"), h("ul", {}, ...requests.map(requestItem)))
      : null,
    alertsSection(alerts),
  );
};

/** "Ada cancelled a consultation (Tuesday 8 December, 09:00)": the alert in the viewer's time. */
export function alertText(alert: Alert, locale?: string, timeZone?: string): string {
  if (!alert.about_at) return alert.message;
  const when = new Date(alert.about_at).toLocaleString(locale, { weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit", timeZone });
  return `${alert.message} (${when})`;
}

function alertsSection(alerts: Alert[]): HTMLElement {
  return h(
    "section",
    { class: "card", "aria-labelledby": "alerts-title" },
    h("h2", { id: "alerts-title" }, "Recent alerts"),
    alerts.length === 0
      ? h("p", {}, "Nothing needs your attention.")
      : h("ul", { class: "alerts" }, ...alerts.map((a) => h("li", { "data-alert": a.kind }, h("a", { href: `/care/patients/${a.patient_id}`, "data-link": true }, alertText(a))))),
  );
}

function workoutsTable(workouts: CareWorkout[]): HTMLElement {
  return h(
    "table",
    {},
    h("caption", {}, "Workouts and scores"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Date"), h("th", { scope: "col" }, "Sport"), h("th", { scope: "col" }, "Points"), h("th", { scope: "col" }, "Training load"))),
    h(
      "tbody",
      {},
      ...workouts.map((w) =>
        h(
          "tr",
          {},
          h("td", {}, day(w.started_at)),
          h("td", {}, w.sport),
          h("td", {}, w.score ? String(w.score.points) : "not scored"),
          h("td", {}, w.score ? w.score.training_load.toFixed(0) : ""),
        ),
      ),
    ),
  );
}

async function optional<T>(path: string): Promise<T | null> {
  try {
    return await api<T>(path);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

function noteArea(label: string, name: string): HTMLElement {
  const id = `note-${name}`;
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    h("textarea", { id, name, rows: "3", "aria-describedby": `${id}-error` }),
    h("p", { id: `${id}-error`, class: "field-error", "data-error-for": name }),
  );
}

/** The clinician writes a note after a consultation; the patient reads it on their care page. */
function noteForm(session: Session, relationshipId: number, patientPath: string): HTMLFormElement {
  const form = h(
    "form",
    { novalidate: true, "aria-labelledby": "note-form-title" },
    h("h2", { id: "note-form-title" }, "Write a note"),
    h("p", { role: "alert", class: "form-alert" }),
    noteArea("Reason", "reason"),
    noteArea("Findings", "findings"),
    noteArea("Plan", "plan"),
    noteArea("Follow-up", "follow_up"),
    h("button", { type: "submit" }, "Save the note"),
  ) as HTMLFormElement;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api(`care/relationships/${relationshipId}/notes/`, { method: "POST", body: formValues(form) });
      refreshTo(session, patientPath);
    } catch (error) {
      if (error instanceof ApiError) showFormErrors(form, error.message, error.fields);
      else throw error;
    }
  });
  return form;
}

export const carePatientPage = (session: Session) => async (params: Record<string, string>) => {
  const profile = await session.refresh();
  if (!profile) {
    session.router().go("/login");
    return h("p", {}, "Please sign in.");
  }
  const base = `care/patients/${params.id}/`;
  const [workouts, hrv, physiology, notes, patients] = await Promise.all([
    optional<CareWorkoutPage>(`${base}workouts/`),
    optional<Schema<"HrvOutput">[]>(`${base}hrv/`),
    optional<Schema<"PhysiologyOutput">>(`${base}physiology/`),
    optional<Note[]>(`${base}notes/`),
    optional<Schema<"PatientOutput">[]>("care/patients/"),
  ]);
  const relationship = patients?.find((p) => String(p.patient_id) === params.id && p.status === "active");
  const nothing = h("p", {}, "Not shared with you now.");
  return h(
    "div",
    {},
    h("h1", {}, "Patient"),
    h("p", {}, h("a", { href: "/care/clinician", "data-link": true }, "Back to the dashboard")),
    h("section", { class: "card", "aria-labelledby": "pw-title", "data-section": "workouts" }, h("h2", { id: "pw-title" }, "Workouts"), workouts ? workoutsTable(workouts.results) : nothing.cloneNode(true)),
    h(
      "section",
      { class: "card", "aria-labelledby": "hrv-title", "data-section": "hrv" },
      h("h2", { id: "hrv-title" }, "Heart-rate variability"),
      hrv ? h("ul", {}, ...hrv.map((r) => h("li", {}, `${day(r.started_at)}: RMSSD ${r.rmssd_ms?.toFixed(0) ?? "–"} ms, SDNN ${r.sdnn_ms?.toFixed(0) ?? "–"} ms`))) : nothing.cloneNode(true),
    ),
    h(
      "section",
      { class: "card", "aria-labelledby": "phys-title", "data-section": "physiology" },
      h("h2", { id: "phys-title" }, "Physiology"),
      physiology
        ? h("p", {}, `Resting heart rate ${physiology.resting_heart_rate ?? "–"} bpm, maximum ${physiology.max_heart_rate ?? "–"} bpm.`)
        : nothing.cloneNode(true),
    ),
    h("section", { "aria-labelledby": "pn-title" }, h("h2", { id: "pn-title" }, "Your notes"), notes && notes.length > 0 ? null : h("p", {}, "No notes yet."), ...(notes ?? []).map((n) => noteSection(n))),
    relationship ? h("section", { class: "card" }, noteForm(session, relationship.id, `/care/patients/${params.id}`)) : null,
  );
};
