// The therapist's "prescribe a program" form on the overview page: one phase, one session of up to
// four exercises with their targets, and the safety limits. The API validates everything and names
// each problem by its path; the request body is built by the pure `prescription`.

import { api, ApiError, type Schema } from "../app/api";
import { field, h } from "../app/dom";
import type { Session } from "../app/session";
import { REHAB_API } from "./paths";

type Patient = Schema<"PatientOutput">;
type Exercise = Schema<"ExerciseOutput">;

const ROWS = 4;
const CEILING_KEYS: Record<string, string> = { bpm: "bpm", hrr_percent: "percent", beta_blocker: "above_rest_bpm" };

const whole = (value: string | undefined): number | null => {
  const trimmed = (value ?? "").trim();
  return trimmed === "" ? null : Number(trimmed);
};

/** The POST programs/ body from the form's values (exercise rows without an exercise are left out). */
export function prescription(values: Record<string, string>): Record<string, unknown> {
  const exercises = [];
  for (let i = 0; i < ROWS; i++) {
    const id = whole(values[`exercise_${i}`]);
    if (id === null) continue;
    const target: Record<string, number> = { exercise_id: id, sets: whole(values[`sets_${i}`]) ?? 1, rest_s: whole(values[`rest_${i}`]) ?? 0 };
    const reps = whole(values[`reps_${i}`]);
    const seconds = whole(values[`seconds_${i}`]);
    if (reps !== null) target.reps = reps;
    // Seconds with reps are a hold per rep; alone, the set's duration.
    if (seconds !== null) target[reps !== null ? "hold_s" : "duration_s"] = seconds;
    exercises.push(target);
  }
  const rule = values.ceiling_rule ?? "bpm";
  return {
    patient_id: whole(values.patient_id),
    title: values.title ?? "",
    plan: {
      phases: [{ name: "Phase 1", weeks: whole(values.weeks), sessions_per_week: whole(values.sessions_per_week), sessions: [{ name: "A", exercises }] }],
    },
    limits: {
      ceiling: { rule, [CEILING_KEYS[rule] ?? "bpm"]: whole(values.ceiling_value) },
      max_rpe: whole(values.max_rpe),
      target_rpe: whole(values.target_rpe),
      pain_stop: whole(values.pain_stop),
    },
  };
}

function select(label: string, name: string, options: [string, string][]): HTMLElement {
  const id = `f-${name}`;
  return h("div", { class: "field" }, h("label", { for: id }, label), h("select", { id, name }, ...options.map(([value, text]) => h("option", { value }, text))));
}

function exerciseRow(i: number, exercises: Exercise[]): HTMLElement {
  const small = (label: string, name: string, value = "") => field(label, `${name}_${i}`, { type: "number", min: "0", inputmode: "numeric", value });
  return h(
    "fieldset",
    { class: "field exercise-row" },
    h("legend", {}, `Exercise ${i + 1}`),
    select("Exercise", `exercise_${i}`, [["", i === 0 ? "Choose an exercise" : "None"], ...exercises.map((e): [string, string] => [String(e.id), e.name])]),
    small("Sets", "sets", "2"),
    small("Reps per set", "reps", "10"),
    small("Seconds: hold per rep, or duration", "seconds"),
    small("Rest between sets (s)", "rest", "60"),
  );
}

export async function prescribeForm(session: Session): Promise<HTMLElement> {
  const [patients, exercises] = await Promise.all([api<Patient[]>("care/patients/"), api<Exercise[]>(`${REHAB_API}/exercises/`)]);
  const active = patients.filter((p) => p.status === "active");
  const alert = h("p", { role: "alert", class: "form-alert" });
  const form = h(
    "form",
    { novalidate: true, "aria-labelledby": "prescribe-title" },
    h("h2", { id: "prescribe-title" }, "Prescribe a program"),
    select("Patient", "patient_id", active.map((p): [string, string] => [String(p.patient_id), p.name])),
    field("Title", "title", { required: true, maxlength: "120" }),
    field("Weeks", "weeks", { type: "number", min: "1", max: "52", value: "4" }),
    field("Sessions per week", "sessions_per_week", { type: "number", min: "1", max: "14", value: "3" }),
    select("Heart-rate ceiling rule", "ceiling_rule", [
      ["bpm", "Fixed (bpm)"],
      ["hrr_percent", "% of heart-rate reserve"],
      ["beta_blocker", "Resting + N bpm (on beta-blockers)"],
    ]),
    field("Ceiling value (bpm, %, or N)", "ceiling_value", { type: "number", min: "0", value: "120" }),
    field("Pain stop rule (stop at pain ≥ N/10)", "pain_stop", { type: "number", min: "1", max: "10", value: "5" }),
    field("Maximum RPE (0–10)", "max_rpe", { type: "number", min: "1", max: "10", value: "5" }),
    field("Target RPE (0–10)", "target_rpe", { type: "number", min: "0", max: "10", value: "4" }),
    ...Array.from({ length: ROWS }, (_, i) => exerciseRow(i, exercises)),
    alert,
    h("button", { type: "submit" }, "Prescribe"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values: Record<string, string> = {};
    new FormData(form).forEach((value, key) => (values[key] = String(value)));
    try {
      await api(`${REHAB_API}/programs/`, { method: "POST", body: prescription(values) });
      session.router().go("/care/rehabilitation/patients");
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const problems = Object.entries(error.fields).map(([path, messages]) => `${path}: ${messages.join(" ")}`);
      alert.textContent = [error.message, ...problems].join(" ");
    }
  });
  return h(
    "section",
    { class: "card" },
    active.length === 0 ? h("p", {}, "No patient is in your active care: a program needs one.") : form,
    h("p", { class: "hint" }, "Several phases, session templates, target zones and progression rules: ", h("a", { href: "/api/v1/docs/" }, "the rehabilitation API"), "."),
  );
}
