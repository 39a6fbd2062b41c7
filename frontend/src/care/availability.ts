// Availability: a clinician publishes the times patients may book (recurring weekly windows in
// their time zone, cut into slots with a buffer between them) and removes them.

import { api, ApiError, type Schema } from "../app/api";
import { h, showFormErrors } from "../app/dom";
import type { Session } from "../app/session";

type Rule = Schema<"AvailabilityRuleOutput">;

export const WEEKDAYS: [code: string, name: string][] = [
  ["MO", "Monday"],
  ["TU", "Tuesday"],
  ["WE", "Wednesday"],
  ["TH", "Thursday"],
  ["FR", "Friday"],
  ["SA", "Saturday"],
  ["SU", "Sunday"],
];

/** The RFC 5545 rule for windows on these weekdays every week; "" (this window only) for none. */
export function weeklyRule(days: string[]): string {
  const known = WEEKDAYS.map(([code]) => code).filter((code) => days.includes(code));
  return known.length === 0 ? "" : `FREQ=WEEKLY;BYDAY=${known.join(",")}`;
}

/** "Mondays and Thursdays, 09:00 for 3 h, 30-minute slots, 10 minutes between (Europe/Berlin)". */
export function ruleSummary(rule: Rule): string {
  const [date, time = ""] = rule.first_start_local.split("T");
  const byDay = /BYDAY=([A-Z,]+)/.exec(rule.rrule ?? "")?.[1]?.split(",") ?? [];
  const names = WEEKDAYS.filter(([code]) => byDay.includes(code)).map(([, name]) => `${name}s`);
  const when = !rule.rrule ? `On ${date}` : names.length === 0 ? `Repeating (${rule.rrule}) from ${date}` : names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  const hours = rule.window_minutes % 60 === 0 ? `${rule.window_minutes / 60} h` : `${rule.window_minutes} min`;
  const buffer = rule.buffer_minutes ? `, ${rule.buffer_minutes} minutes between` : "";
  return `${when}, ${time.slice(0, 5)} for ${hours}, ${rule.slot_minutes}-minute slots${buffer} (${rule.time_zone})`;
}

const field = (id: string, label: string, input: HTMLElement) => h("div", { class: "field" }, h("label", { for: id }, label), input);

function ruleForm(session: Session): HTMLElement {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  const today = new Date().toISOString().slice(0, 10);
  const days = h(
    "fieldset",
    {},
    h("legend", {}, "Every week on"),
    ...WEEKDAYS.map(([code, name]) => h("div", { class: "choice" }, h("input", { type: "checkbox", id: `day-${code}`, name: "day", value: code }), h("label", { for: `day-${code}` }, name))),
  );
  const form = h(
    "form",
    { novalidate: true, "aria-labelledby": "rule-title" },
    h("h2", { id: "rule-title" }, "Add available times"),
    h("p", { role: "alert", class: "form-alert" }),
    field("rule-date", "From", h("input", { id: "rule-date", name: "first_start_local", type: "date", value: today, required: true })),
    field("rule-time", "Opens at", h("input", { id: "rule-time", name: "time", type: "time", value: "09:00", required: true })),
    field("rule-hours", "Open for (hours)", h("input", { id: "rule-hours", name: "window_minutes", type: "number", min: "0.25", max: "24", step: "0.25", value: "3", required: true })),
    field("rule-slot", "Consultation length (minutes)", h("input", { id: "rule-slot", name: "slot_minutes", type: "number", min: "5", max: "480", value: "30", required: true })),
    field("rule-buffer", "Break between consultations (minutes)", h("input", { id: "rule-buffer", name: "buffer_minutes", type: "number", min: "0", max: "240", value: "0" })),
    field("rule-zone", "Time zone", h("input", { id: "rule-zone", name: "time_zone", value: zone, required: true, autocomplete: "off" })),
    days,
    h("p", { class: "hint" }, "Leave every day unticked for this one date only."),
    h("button", { type: "submit" }, "Publish these times"),
  ) as HTMLFormElement;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value;
    const ticked = [...form.querySelectorAll<HTMLInputElement>("input[name=day]:checked")].map((box) => box.value);
    try {
      await api("care/availability/", {
        method: "POST",
        body: {
          first_start_local: `${value("first_start_local")}T${value("time")}`,
          time_zone: value("time_zone"),
          rrule: weeklyRule(ticked),
          window_minutes: Math.round(Number(value("window_minutes")) * 60),
          slot_minutes: Number(value("slot_minutes")),
          buffer_minutes: Number(value("buffer_minutes") || 0),
        },
      });
      session.router().go("/care/availability");
    } catch (error) {
      if (error instanceof ApiError) showFormErrors(form, error.message, error.fields);
      else throw error;
    }
  });
  return form;
}

export const availabilityPage = (session: Session) => async () => {
  const profile = await session.refresh();
  if (!profile) {
    session.router().go("/login");
    return h("p", {}, "Please sign in.");
  }
  let rules: Rule[];
  try {
    rules = await api<Rule[]>("care/availability/");
  } catch (error) {
    if (error instanceof ApiError && (error.status === 403 || error.status === 404)) {
      return h("section", { class: "card" }, h("h1", {}, "My availability"), h("p", {}, error.message));
    }
    throw error;
  }
  const item = (rule: Rule) => {
    const summary = ruleSummary(rule);
    const remove = h("button", { type: "button", "aria-label": `Remove: ${summary}` }, "Remove");
    remove.addEventListener("click", async () => {
      await api(`care/availability/${rule.id}/`, { method: "DELETE" });
      session.router().go("/care/availability");
    });
    return h("li", { "data-rule": String(rule.id) }, h("span", {}, summary), " ", remove);
  };
  return h(
    "div",
    {},
    h("h1", {}, "My availability"),
    h("p", {}, h("a", { href: "/care/clinician", "data-link": true }, "Back to the clinician dashboard")),
    h(
      "section",
      { "aria-labelledby": "rules-title" },
      h("h2", { id: "rules-title" }, "Times patients can book"),
      rules.length === 0 ? h("p", {}, "None yet: patients cannot book you until you add some.") : h("ul", {}, ...rules.map(item)),
    ),
    h("section", { class: "card" }, ruleForm(session)),
  );
};
