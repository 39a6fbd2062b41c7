import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { api, ApiError, ensureCsrf, readCookie, toApiError, type Schema } from "../app/api";
import type { components } from "../app/api-schema";
import { h } from "../app/dom";
import { signedIn, type Session } from "../app/session";
import { formatDuration } from "../worlds/protocol";
import { workoutList, workoutTitle, type Workout } from "./list";
import { hasData, summary, toSeries, zoneSeconds, type Sample } from "./series";

/** A zone's bar; its width is set through the CSSOM, which the CSP allows (a style attribute it would not). */
function zoneBar(index: number, percent: number): HTMLElement {
  const bar = h("span", { class: `zone-bar z${index + 1}` });
  bar.style.width = `${Math.round(percent)}%`;
  return bar;
}

/** The per-workout files the export endpoint makes (devices/api.py WorkoutExportView). */
export const EXPORTS: [string, string][] = [
  ["fit", "Download FIT"],
  ["gpx", "Download GPX"],
  ["csv", "Download CSV"],
];

/** What POST workouts/import/ answers. */
export type ImportSummary = Schema<"ImportSummaryOutput">;

/** The sentences an import shows: what was stored, then any warning (a damaged file's). */
export function importMessages(summary: ImportSummary): string[] {
  const distance = summary.distance_m === null ? "" : `, ${(summary.distance_m / 1000).toFixed(2)} km`;
  const pauses = summary.pauses ? `, ${summary.pauses} pause${summary.pauses === 1 ? "" : "s"}` : "";
  return [`Imported ${summary.samples.toLocaleString("en")} samples (${formatDuration(summary.duration_s)}${distance}${pauses}).`, ...summary.warnings];
}

function importSection(): HTMLElement {
  const status = h("div", { role: "status", "aria-live": "polite" });
  const input = h("input", { type: "file", id: "import-file", name: "file", accept: ".fit,.gpx,.tcx,.csv" }) as HTMLInputElement;
  const form = h("form", {}, h("label", { for: "import-file" }, "Activity file (FIT, GPX, TCX or CSV)"), input, h("button", { type: "submit" }, "Import"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = input.files?.[0];
    if (!file) return;
    await ensureCsrf();
    const body = new FormData();
    body.append("file", file);
    const response = await fetch("/api/v1/workouts/import/", { method: "POST", body, credentials: "same-origin", headers: { "X-CSRFToken": readCookie(document.cookie, "csrftoken") ?? "" } });
    const answer: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      status.replaceChildren(h("p", { class: "error" }, toApiError(response.status, answer).message));
      return;
    }
    const summary = answer as ImportSummary;
    const [done, ...warnings] = importMessages(summary);
    status.replaceChildren(h("p", {}, h("a", { href: `/workouts/${summary.workout_id}`, "data-link": true }, done)), ...warnings.map((w) => h("p", { class: "warning" }, w)));
  });
  return h("section", { class: "card", "aria-labelledby": "import-title" }, h("h2", { id: "import-title" }, "Import a file"), form, status);
}

export const workoutsPage = (session: Session) => async () => {
  if (!(await signedIn(session))) return h("p", {}, "Please sign in.");
  const { results } = await api<{ results: Workout[] }>("workouts/?page_size=50");
  return h("div", {}, h("h1", {}, "Workouts"), h("section", { class: "card" }, workoutList(results)), importSection());
};

/** One best effort of a workout (wellness/scoring/selectors.py workout_records). */
export type BestEffortView = Schema<"BestEffortViewOutput">;

/** GET workouts/<id>/score/: only workout_id and status until the workout is scored, hence not Required. */
export type ScoreView = components["schemas"]["WorkoutScoreOutput"];

/** Rows of the best-efforts table: the effort, its time or power, and whether it is a record. */
export function recordRows(records: BestEffortView[]): [string, string, string][] {
  return records.map((r) => [r.kind === "time" ? r.name : `${r.name} power`, r.kind === "time" ? formatDuration(r.value) : `${Math.round(r.value)} W`, r.record ? "Personal record" : ""]);
}

function recordsSection(records: BestEffortView[] | undefined): HTMLElement | null {
  if (!records?.length) return null;
  return h(
    "section",
    { class: "card", "aria-labelledby": "records-title" },
    h("h2", { id: "records-title" }, "Best efforts"),
    h(
      "table",
      {},
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Effort"), h("th", { scope: "col" }, "Best"), h("th", { scope: "col" }, "Record"))),
      h("tbody", {}, ...recordRows(records).map(([name, value, record]) => h("tr", {}, h("th", { scope: "row" }, name), h("td", {}, value), h("td", {}, record)))),
    ),
  );
}

/** The score endpoint's view as the score block shows it: points and one sentence per metric. */
export function scoreFromApi(view: ScoreView | null): unknown {
  if (!view) return null;
  if (view.status === "pending") return { explanation: "This workout is being scored." };
  if (view.status === "unscorable") return { explanation: `This workout could not be scored: ${view.reason ?? "no usable data"}.` };
  return { points: view.points ?? 0, explanation: Object.values(view.explanations ?? {}) };
}

/** The score block: whatever the scoring work provides, explained in words where it says why. */
export function scoreSection(score: unknown): HTMLElement | null {
  if (score === null || score === undefined) return null;
  const section = h("section", { class: "card", "aria-labelledby": "score-title" }, h("h2", { id: "score-title" }, "Score"));
  if (typeof score === "number") {
    section.append(h("p", { class: "big" }, String(score)));
    return section;
  }
  if (typeof score !== "object") return null;
  const fields = score as Record<string, unknown>;
  const numbers = Object.entries(fields).filter(([, v]) => typeof v === "number");
  if (numbers.length) {
    section.append(h("dl", { class: "facts" }, ...numbers.flatMap(([k, v]) => [h("dt", {}, k.replace(/_/g, " ")), h("dd", {}, String(Math.round((v as number) * 10) / 10))])));
  }
  const explanation = fields.explanation;
  if (typeof explanation === "string") section.append(h("p", {}, explanation));
  else if (Array.isArray(explanation)) section.append(h("ul", {}, ...explanation.map((line) => h("li", {}, typeof line === "string" ? line : JSON.stringify(line)))));
  return section;
}

function chart(title: string, unit: string, x: number[], y: (number | null)[], color: string): HTMLElement {
  const holder = h("div", { class: "chart" });
  const known = y.filter((v): v is number => v !== null);
  const described = `${title}: from ${Math.min(...known).toFixed(1)} to ${Math.max(...known).toFixed(1)} ${unit} over ${formatDuration(x[x.length - 1] ?? 0)}.`;
  const figure = h("figure", { class: "card" }, h("figcaption", {}, h("h2", {}, title)), h("div", { role: "img", "aria-label": described }, holder));
  requestAnimationFrame(() => {
    const fit = () => Math.max(260, Math.min(holder.clientWidth || 600, 1000));
    const plot = new uPlot(
      {
        width: fit(),
        height: 180,
        scales: { x: { time: false } },
        axes: [{ values: (_u, ticks) => ticks.map((t) => formatDuration(t)) }, { label: unit }],
        series: [{}, { label: title, stroke: color, width: 2, spanGaps: false }],
        legend: { show: false },
      },
      [x, y as number[]],
      holder,
    );
    // Follow the page width (a phone turned sideways, a resized window).
    new ResizeObserver(() => plot.width !== fit() && plot.setSize({ width: fit(), height: 180 })).observe(holder);
  });
  return figure;
}

export const workoutDetailPage = (session: Session) => async (params: Record<string, string>) => {
  if (!(await signedIn(session))) return h("p", {}, "Please sign in.");
  let workout: Workout;
  let scoreView: ScoreView | null = null;
  try {
    workout = await api<Workout>(`workouts/${params.id}/`);
    if (workout.score === undefined) scoreView = await api<ScoreView>(`workouts/${params.id}/score/`).catch(() => null);
    workout.score ??= scoreFromApi(scoreView);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return h("section", { class: "card" }, h("h1", {}, "Workout not found"), h("p", {}, h("a", { href: "/workouts", "data-link": true }, "All workouts")));
    throw error;
  }
  const { samples } = await api<{ samples: Sample[] }>(`workouts/${workout.id}/samples/`);
  const series = toSeries(samples);
  const totals = summary(samples);
  const profile = session.profile!;
  const maxHr = profile.max_heart_rate ?? profile.effective_max_heart_rate?.value ?? 0;
  const zones = zoneSeconds(samples, maxHr);
  const zoneTotal = zones.reduce((a, b) => a + b, 0);

  const facts: [string, string][] = [
    ["Duration", formatDuration(totals.seconds)],
    ["Distance", totals.distance_m === null ? "—" : `${(totals.distance_m / 1000).toFixed(2)} km`],
    ["Average heart rate", totals.averageHr === null ? "—" : `${totals.averageHr} bpm`],
    ["Maximum heart rate", totals.maxHr === null ? "—" : `${totals.maxHr} bpm`],
    ["Source", workout.source],
    ["Status", workout.status],
  ];
  // A workout just finished is scored in the background: the page shows the score once it is there.
  let score = scoreSection(workout.score);
  const poll = async (): Promise<void> => {
    await new Promise((done) => setTimeout(done, 3000));
    if (!score?.isConnected) return;
    const view = await api<ScoreView>(`workouts/${workout.id}/score/`).catch(() => null);
    const next = scoreSection(scoreFromApi(view));
    if (next) {
      score.replaceWith(next);
      score = next;
    }
    if (view?.status === "pending") void poll();
  };
  if (scoreView?.status === "pending") void poll();
  return h(
    "div",
    {},
    h("h1", {}, workoutTitle(workout)),
    h("section", { class: "card", "aria-labelledby": "summary-title" }, h("h2", { id: "summary-title" }, "Summary"), h("dl", { class: "facts" }, ...facts.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]))),
    score,
    recordsSection(scoreView?.records),
    zoneTotal > 0
      ? h(
          "section",
          { class: "card", "aria-labelledby": "zones-title" },
          h("h2", { id: "zones-title" }, "Heart-rate zones"),
          h(
            "table",
            {},
            h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Zone"), h("th", { scope: "col" }, "Time"), h("th", { scope: "col" }, "Share"))),
            h("tbody", {}, ...zones.map((s, i) => h("tr", {}, h("th", { scope: "row" }, `Zone ${i + 1}`), h("td", {}, formatDuration(s)), h("td", {}, zoneBar(i, (100 * s) / zoneTotal), ` ${Math.round((100 * s) / zoneTotal)} %`)))),
          ),
        )
      : null,
    hasData(series.hr) ? chart("Heart rate", "bpm", series.elapsed, series.hr, "#d93025") : null,
    hasData(series.pace) ? chart("Pace", "min/km", series.elapsed, series.pace, "#0b57d0") : null,
    hasData(series.cadence) ? chart("Cadence", "per min", series.elapsed, series.cadence, "#7627bb") : null,
    hasData(series.altitude) ? chart("Elevation", "m", series.elapsed, series.altitude, "#3b6e2a") : null,
    samples.length ? null : h("p", {}, "No samples were recorded for this workout."),
    h(
      "section",
      { class: "card", "aria-labelledby": "export-title" },
      h("h2", { id: "export-title" }, "Export"),
      h("p", {}, "Download this workout for another app or to import it again: FIT for watches and training software, GPX for maps, CSV for spreadsheets."),
      samples.length
        ? h(
            "p",
            { class: "button-row" },
            ...EXPORTS.map(([format, label]) => h("a", { class: "button", href: `/api/v1/workouts/${workout.id}/export.${format}`, download: true }, label)),
          )
        : h("p", {}, "This workout has no samples yet, so there is nothing to export."),
      h(
        "ul",
        {},
        h("li", {}, h("a", { href: `/api/v1/workouts/${workout.id}/samples/`, download: `workout-${workout.id}-samples.json` }, "This workout's samples (JSON)")),
        h("li", {}, h("a", { href: "/api/v1/me/export/", download: "wellverse-export.json" }, "All my data (JSON)")),
      ),
    ),
  );
};
