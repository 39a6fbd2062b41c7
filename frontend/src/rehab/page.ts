// Rehabilitation: the patient's programs (/care/rehabilitation) and the therapist's overview
// (/care/rehabilitation/patients). Reads go through the rehabilitation API, which checks grants
// and writes the access log; the player is in player.ts.

import { api, ApiError, type Schema } from "../app/api";
import { h } from "../app/dom";
import type { Session } from "../app/session";
import { REHAB_API } from "./paths";
import { prescribeForm } from "./prescribe";
import { alertText, targetText } from "./text";

type ProgramSummary = Schema<"ProgramSummaryOutput">;
type Program = Schema<"ProgramOutput">;
type Overview = Schema<"ProgramOverviewOutput">;
type RehabSession = Schema<"RehabSessionOutput">;


async function signedIn(session: Session): Promise<boolean> {
  if (await session.refresh()) return true;
  session.router().go("/login");
  return false;
}

/** The template to do next this week: the phase's templates in turn. */
export function nextTemplate(weekDone: number, templates: number): number {
  return templates > 0 ? weekDone % templates : 0;
}

function programCard(program: Program, overview: Overview, underWay: RehabSession | undefined, session: Session): HTMLElement {
  const titleId = `program-${program.id}`;
  const phases = program.version.plan.phases;
  const phase = phases[program.current_phase];
  const names = new Map(program.exercises.map((e) => [e.id, e.name]));
  const { adherence } = overview;
  const template = nextTemplate(adherence.week_done, phase.sessions.length);
  const start = h("button", { type: "button", class: "big-button" }, underWay ? "Continue today's session" : "Start today's session");
  const problem = h("p", { role: "alert", class: "form-alert" });
  start.addEventListener("click", async () => {
    try {
      const started = underWay ?? (await api<RehabSession>(`${REHAB_API}/programs/${program.id}/sessions/`, { method: "POST", body: { template } }));
      session.router().go(`/care/rehabilitation/sessions/${started.id}`);
    } catch (error) {
      if (error instanceof ApiError) problem.textContent = error.message;
      else throw error;
    }
  });
  return h(
    "section",
    { class: "card", "aria-labelledby": titleId, "data-program": String(program.id) },
    h("h2", { id: titleId }, program.title),
    h("p", {}, program.therapist_name ? `Prescribed by ${program.therapist_name} (version ${program.version.number}).` : `Version ${program.version.number}.`),
    h(
      "p",
      { "data-adherence": "week" },
      `This week: ${adherence.week_done} of ${adherence.week_planned} sessions done. Over the program: ${adherence.program_done} done, ${adherence.planned_to_date} planned so far, ${adherence.program_planned} in all.`,
    ),
    program.ceiling_bpm !== null
      ? h("p", {}, `Your heart-rate ceiling: ${program.ceiling_bpm} bpm. Stop an exercise if pain reaches ${program.version.limits.pain_stop}/10.`)
      : h("p", {}, `Stop an exercise if pain reaches ${program.version.limits.pain_stop}/10. ${program.ceiling_problem ?? ""}`),
    h("h3", {}, "Phases"),
    h(
      "ol",
      {},
      ...phases.map((p, i) =>
        h("li", i === program.current_phase ? { "aria-current": "step" } : {}, `${p.name}: ${p.weeks} weeks, ${p.sessions_per_week} sessions a week`, i === program.current_phase ? h("strong", {}, " (now)") : null),
      ),
    ),
    h("h3", {}, `Next session: ${phase.sessions[template]?.name ?? ""}`),
    h("ul", {}, ...(phase.sessions[template]?.exercises ?? []).map((t) => h("li", {}, `${names.get(t.exercise_id) ?? "Exercise"}: ${targetText(t)}`))),
    problem,
    start,
  );
}

export const rehabPage = (session: Session) => async () => {
  if (!(await signedIn(session))) return h("p", {}, "Please sign in.");
  const programs = (await api<ProgramSummary[]>(`${REHAB_API}/programs/`)).filter((p) => p.status === "active");
  const cards = await Promise.all(
    programs.map(async (summary) => {
      const [program, overview, sessions] = await Promise.all([
        api<Program>(`${REHAB_API}/programs/${summary.id}/`),
        api<Overview>(`${REHAB_API}/programs/${summary.id}/adherence/`),
        api<RehabSession[]>(`${REHAB_API}/programs/${summary.id}/sessions/`),
      ]);
      return programCard(program, overview, sessions.find((s) => s.status === "active"), session);
    }),
  );
  return h(
    "div",
    {},
    h("h1", {}, "My rehabilitation"),
    cards.length === 0 ? h("p", {}, "No rehabilitation program yet: your therapist prescribes one once you are in their care.") : null,
    ...cards,
    h("p", {}, h("a", { href: "/care", "data-link": true }, "Back to my care")),
  );
};

// --- The therapist's overview --------------------------------------------------------------------
function overviewRow(row: Overview): HTMLElement {
  const a = row.adherence;
  return h(
    "tr",
    { "data-patient": String(row.patient_id) },
    h("th", { scope: "row" }, h("a", { href: `/care/patients/${row.patient_id}`, "data-link": true }, row.patient_name)),
    h("td", {}, row.program_title),
    h("td", {}, `${a.week_done} of ${a.week_planned} this week; ${a.program_done} of ${a.planned_to_date} to date`),
    h("td", {}, row.last_pain === null ? "–" : `${row.last_pain}/10`),
    h("td", {}, row.last_rpe === null ? "–" : `${row.last_rpe}/10`),
    h("td", {}, row.alerts.length === 0 ? "None" : h("ul", { class: "alerts" }, ...row.alerts.map((alert) => h("li", { "data-alert": alert.kind }, alertText(alert))))),
  );
}

export const rehabPatientsPage = (session: Session) => async () => {
  if (!(await signedIn(session))) return h("p", {}, "Please sign in.");
  let rows: Overview[];
  try {
    rows = await api<Overview[]>(`${REHAB_API}/patients/`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      return h("section", { class: "card" }, h("h1", {}, "Rehabilitation overview"), h("p", {}, "Your clinician profile is not verified yet, or you have none."));
    }
    throw error;
  }
  return h(
    "div",
    {},
    h("h1", {}, "Rehabilitation overview"),
    h("p", {}, "Patients sharing rehabilitation with you now. Each look is recorded on their access log."),
    rows.length === 0
      ? h("p", {}, "No patient shares rehabilitation with you right now.")
      : h(
          "div",
          { class: "table-scroll", role: "region", "aria-label": "Patients (scrolls sideways)", tabindex: "0" },
          h(
            "table",
            { "aria-label": "Rehabilitation patients" },
            h("thead", {}, h("tr", {}, ...["Patient", "Program", "Adherence", "Last pain", "Last RPE", "Alerts"].map((c) => h("th", { scope: "col" }, c)))),
            h("tbody", {}, ...rows.map(overviewRow)),
          ),
        ),
    await prescribeForm(session),
    h("p", {}, h("a", { href: "/care/clinician", "data-link": true }, "Back to the clinician dashboard")),
  );
};
