import { api, ApiError, type Schema } from "../app/api";
import { field, formValues, h, showFormErrors } from "../app/dom";
import type { Profile, Session } from "../app/session";

const NUMERIC = ["birth_year", "resting_heart_rate", "max_heart_rate", "lactate_threshold_heart_rate"];

/** Form strings to the API's types: empty numeric fields mean "unknown" (null). */
export function profileChanges(values: Record<string, string>, showInWorlds: boolean): Record<string, unknown> {
  const changes: Record<string, unknown> = { ...values, show_in_live_worlds: showInWorlds };
  for (const key of [...NUMERIC, "weight_kg"]) {
    if (!(key in values)) continue;
    const raw = values[key].trim();
    changes[key] = raw === "" ? null : NUMERIC.includes(key) ? Number(raw) : raw;
  }
  return changes;
}

function consentSection(session: Session): HTMLElement {
  const granted = session.profile?.health_data_consent ?? false;
  const status = h("p", { role: "status" });
  const button = h("button", { type: "button" }, granted ? "Withdraw consent" : "I consent");
  button.addEventListener("click", async () => {
    await api("consent/health-data/", { method: "POST", body: { granted: !granted } });
    await session.refresh();
    session.router().go("/profile");
  });
  return h(
    "section",
    { class: "card", "aria-labelledby": "consent-title" },
    h("h2", { id: "consent-title" }, "Health data consent"),
    h(
      "p",
      {},
      granted
        ? "You consent to Wellverse processing your heart rate, physiology and workouts to score them. You can withdraw at any time; your data stays yours to export or erase."
        : "Heart rate, physiology and workouts are health data. Wellverse stores them only with your explicit consent (GDPR Art. 9).",
    ),
    button,
    status,
  );
}

function profileForm(profile: Profile, session: Session): HTMLFormElement {
  const value = (v: string | number | null) => (v === null ? "" : String(v));
  const select = (name: string, label: string, options: [string, string][], current: string) => {
    const id = `f-${name}`;
    return h(
      "div",
      { class: "field" },
      h("label", { for: id }, label),
      h(
        "select",
        { id, name },
        ...options.map(([v, text]) => h("option", { value: v, selected: v === current }, text)),
      ),
      h("p", { class: "field-error", "data-error-for": name }),
    );
  };
  const showInWorlds = h("input", { type: "checkbox", id: "f-show", checked: profile.show_in_live_worlds });
  const estimate = profile.effective_max_heart_rate;
  const form = h(
    "form",
    { novalidate: true },
    h("p", { role: "alert", class: "form-alert" }),
    h("h2", {}, "About you"),
    field("Display name", "display_name", { value: profile.display_name }),
    field("Time zone", "time_zone", { value: profile.time_zone }),
    select("units", "Units", [["metric", "Metric"], ["imperial", "Imperial"]], profile.units),
    h("h2", {}, "Privacy"),
    select(
      "visibility",
      "Who sees my name",
      [["public", "Everyone sees my display name"], ["private", "Others see only my pseudonym"]],
      profile.visibility,
    ),
    field("Pseudonym", "pseudonym", { value: profile.pseudonym }),
    h("div", { class: "field check" }, showInWorlds, h("label", { for: "f-show" }, "Show my avatar to spectators in live worlds")),
    h("h2", {}, "Physiology (health data)"),
    field("Birth year", "birth_year", { type: "number", value: value(profile.birth_year), inputmode: "numeric" }),
    select("sex", "Sex (only for formulas)", [["", "Not given"], ["female", "Female"], ["male", "Male"]], profile.sex),
    field("Weight (kg)", "weight_kg", { value: value(profile.weight_kg), inputmode: "decimal" }),
    field("Resting heart rate (bpm)", "resting_heart_rate", { type: "number", value: value(profile.resting_heart_rate) }),
    field("Maximum heart rate (bpm)", "max_heart_rate", { type: "number", value: value(profile.max_heart_rate) }),
    estimate
      ? h("p", { class: "hint" }, `In use: ${estimate.value} bpm (${estimate.source}${estimate.formula ? `, ${estimate.formula}` : ""}).`)
      : null,
    field("Lactate-threshold heart rate (bpm)", "lactate_threshold_heart_rate", {
      type: "number",
      value: value(profile.lactate_threshold_heart_rate),
    }),
    h("button", { type: "submit" }, "Save profile"),
    h("p", { role: "status", class: "saved" }),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("me/", { method: "PATCH", body: profileChanges(formValues(form), showInWorlds.checked) });
      showFormErrors(form, "");
      form.querySelector(".saved")!.textContent = "Profile saved.";
      await session.refresh();
    } catch (error) {
      if (error instanceof ApiError) showFormErrors(form, error.message, error.fields);
      else throw error;
    }
  });
  return form;
}

type AccessLogEntry = Schema<"AccessLogEntryOutput">;

/** One line of the access log: "Ana (challenge organizer) read workout 12 on 7 Dec, 14:02 – why". */
export function accessLogLine(entry: AccessLogEntry, locale?: string): string {
  const when = new Date(entry.at).toLocaleString(locale, { dateStyle: "medium", timeStyle: "short" });
  const role = entry.accessor_role.replace(/_/g, " ");
  return `${entry.accessor} (${role}) read your ${entry.what} on ${when}: ${entry.why}.`;
}

async function accessLogSection(): Promise<HTMLElement> {
  const page = await api<Schema<"PaginatedAccessLogEntryOutputList">>("me/access-log/");
  return h(
    "section",
    { class: "card", "aria-labelledby": "access-log-title" },
    h("h2", { id: "access-log-title" }, "Who read your health data"),
    page.results.length === 0
      ? h("p", {}, "No one else has read your health data.")
      : h("ul", { class: "access-log" }, ...page.results.map((entry) => h("li", {}, accessLogLine(entry)))),
    page.count > page.results.length
      ? h("p", { class: "hint" }, `The ${page.results.length} most recent of ${page.count}; the export has them all.`)
      : null,
  );
}

export const profilePage = (session: Session) => async () => {
  const profile = await session.refresh();
  if (!profile) {
    session.router().go("/login");
    return h("p", {}, "Please sign in.");
  }
  return h(
    "div",
    {},
    h("h1", {}, "Profile and privacy"),
    consentSection(session),
    h("section", { class: "card" }, profileForm(profile, session)),
    await accessLogSection(),
    h(
      "section",
      { class: "card" },
      h("h2", {}, "Your data"),
      h("p", {}, h("a", { href: "/api/v1/me/export/", download: "wellverse-export.json" }, "Download everything Wellverse stores about you")),
    ),
  );
};
