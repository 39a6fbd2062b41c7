import { api, ApiError, ensureCsrf, type Schema } from "../app/api";
import { field, formValues, h, showFormErrors } from "../app/dom";
import { signedIn, type Session } from "../app/session";
import { activeChallenges, type Challenge } from "./challenge";

export type Entry = Schema<"EntryOutput">;

export type Board = Schema<"BoardOutput">;

type Community = Schema<"CommunityOutput">;

/** A goal type as GET challenges/goal-types/ describes it (challenges/goals.py's registry). */
export type GoalType = Schema<"GoalTypeOutput">;

export const SPORTS: [string, string][] = [
  ["run", "Run"],
  ["ride", "Ride"],
  ["walk", "Walk"],
  ["yoga", "Yoga"],
  ["other", "Other"],
  ["rehab", "Rehabilitation"],
];

/** Team names from the form's text, one per line; blank lines dropped. */
export function teamNames(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
}

/** The goal's parameters as numbers, with a message per field that is not a number at or above its minimum. */
export function goalParams(type: GoalType | undefined, values: Record<string, string>): { params: Record<string, number>; errors: Record<string, string[]> } {
  const params: Record<string, number> = {};
  const errors: Record<string, string[]> = {};
  for (const param of type?.params ?? []) {
    const raw = (values[`param_${param.name}`] ?? "").trim();
    const value = Number(raw);
    if (raw === "" || !Number.isFinite(value)) errors[`param_${param.name}`] = [`${param.label}: enter a number.`];
    else if (value < param.minimum) errors[`param_${param.name}`] = [`${param.label}: at least ${param.minimum}.`];
    else params[param.name] = value;
  }
  return { params, errors };
}

/** Top rows then the rows around me that are not already shown, in rank order. */
export function boardRows(board: Board): Entry[] {
  const seen = new Set(board.top.map((e) => e.participant_id));
  return [...board.top, ...board.around_me.filter((e) => !seen.has(e.participant_id))].sort((a, b) => a.rank - b.rank);
}

export const formatProgress = (value: number, unit: string) => `${Math.round(value * 100) / 100} ${unit}`;
const today = () => new Date().toISOString().slice(0, 10);

/** A labelled select with a place for its error message, linked for screen readers. */
function select(label: string, name: string, options: [string, string][]): HTMLElement {
  const id = `f-${name}`;
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    h("select", { id, name, "aria-describedby": `${id}-error` }, ...options.map(([value, text]) => h("option", { value }, text))),
    h("p", { id: `${id}-error`, class: "field-error", "data-error-for": name }),
  );
}

const goalTypes = () => api<{ results: GoalType[] }>("challenges/goal-types/").then((r) => r.results);

export const challengesPage = (session: Session) => async () => {
  if (!(await signedIn(session))) return h("p", {}, "Please sign in.");
  const [{ results }, types] = await Promise.all([api<{ results: Challenge[] }>("challenges/?page_size=100"), goalTypes()]);
  const typeOf = (code: string) => types.find((t) => t.code === code);
  // The goal's own settings (e.g. what makes a day count) follow the chosen goal type.
  const paramsBox = h("div", {});
  const paramsSet = h("fieldset", { class: "field", hidden: true }, h("legend", {}, "Goal settings"), paramsBox, h("p", { id: "f-goal_params-error", class: "field-error", "data-error-for": "goal_params" }));
  const targetField = field("Target (optional)", "target", { type: "number", min: "0", step: "any" });
  const goalSelect = select("Goal", "goal_type", types.map((t) => [t.code, `${t.title} (${t.unit})`]));
  const showGoal = () => {
    const type = typeOf(goal.value);
    targetField.querySelector("label")!.textContent = `Target (optional, in ${type?.unit ?? "the goal's unit"})`;
    paramsBox.replaceChildren(...(type?.params ?? []).map((p) => field(p.label, `param_${p.name}`, { type: "number", min: String(p.minimum), step: "any", required: true, value: String(p.default) })));
    paramsSet.hidden = !type?.params.length;
  };
  const goal = goalSelect.querySelector("select")!;
  goal.addEventListener("change", showGoal);
  // Team challenges: the organizer names the teams; people pick one when they join.
  const modeSelect = select("Mode", "mode", [["individual", "Individual: everyone for themselves"], ["team", "Team: members add up for their team"]]);
  const mode = modeSelect.querySelector("select")!;
  const teamsField = h(
    "div",
    { class: "field", hidden: true },
    h("label", { for: "f-teams" }, "Teams (one name per line)"),
    h("textarea", { id: "f-teams", name: "teams", rows: "3", "aria-describedby": "f-teams-error" }),
    h("p", { id: "f-teams-error", class: "field-error", "data-error-for": "teams" }),
  );
  mode.addEventListener("change", () => (teamsField.hidden = mode.value !== "team"));
  const sports = h(
    "fieldset",
    { class: "field", "aria-describedby": "f-sports-error" },
    h("legend", {}, "Sports that count (none ticked: all of them)"),
    ...SPORTS.map(([value, label]) => h("div", { class: "check" }, h("input", { type: "checkbox", id: `f-sport-${value}`, name: "sports", value }), h("label", { for: `f-sport-${value}` }, label))),
    h("p", { id: "f-sports-error", class: "field-error", "data-error-for": "sports" }),
  );
  const form = h(
    "form",
    { novalidate: true },
    field("Title", "title", { required: true, maxlength: "120" }),
    field("Description", "description"),
    field("Starts on", "starts_on", { type: "date", required: true, value: today() }),
    field("Ends on", "ends_on", { type: "date", required: true }),
    goalSelect,
    paramsSet,
    targetField,
    modeSelect,
    teamsField,
    sports,
    field("Community id (optional; organizers only)", "community_id", { type: "number", min: "1" }),
    h("p", { role: "alert", class: "form-error" }),
    h("button", { type: "submit" }, "Create challenge"),
  );
  showGoal();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = formValues(form);
    const { params, errors } = goalParams(typeOf(v.goal_type), v);
    if (Object.keys(errors).length) {
      showFormErrors(form, "Check the goal settings.", errors);
      return;
    }
    try {
      await ensureCsrf();
      const created = await api<Challenge>("challenges/", {
        method: "POST",
        body: {
          title: v.title,
          description: v.description,
          starts_on: v.starts_on,
          ends_on: v.ends_on,
          goal_type: v.goal_type,
          goal_params: params,
          target: v.target ? Number(v.target) : null,
          mode: v.mode,
          teams: v.mode === "team" ? teamNames(v.teams ?? "") : [],
          sports: new FormData(form).getAll("sports").map(String),
          community_id: v.community_id ? Number(v.community_id) : null,
          time_zone: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC",
        },
      });
      session.router().go(`/challenges/${created.id}`);
    } catch (error) {
      if (error instanceof ApiError) showFormErrors(form, error.message, error.fields);
      else throw error;
    }
  });
  const running = new Set(activeChallenges(results, today()).map((c) => c.id));
  return h(
    "div",
    {},
    h("h1", {}, "Challenges"),
    h(
      "section",
      { class: "card", "aria-labelledby": "browse-title" },
      h("h2", { id: "browse-title" }, "Browse"),
      results.length
        ? h("ul", { class: "plain" }, ...results.map((c) => h("li", {}, h("a", { href: `/challenges/${c.id}`, "data-link": true }, c.title), ` · ${c.starts_on} to ${c.ends_on}${c.mode === "team" ? " · teams" : ""}${running.has(c.id) ? " · running now" : ""}`)))
        : h("p", {}, "No challenges yet: create the first."),
    ),
    h("section", { class: "card narrow", "aria-labelledby": "create-title" }, h("h2", { id: "create-title" }, "Create a challenge"), form),
  );
};

export const challengeDetailPage = (session: Session) => async (params: Record<string, string>) => {
  if (!(await signedIn(session))) return h("p", {}, "Please sign in.");
  let challenge: Challenge;
  try {
    challenge = await api<Challenge>(`challenges/${params.id}/`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return h("section", { class: "card" }, h("h1", {}, "Challenge not found"), h("p", {}, h("a", { href: "/challenges", "data-link": true }, "All challenges")));
    throw error;
  }
  const types = await goalTypes().catch(() => [] as GoalType[]);
  const goalTitle = types.find((t) => t.code === challenge.goal_type)?.title ?? challenge.goal_type;
  const rows = h("tbody");
  const rank = h("p", { role: "status" }, "Loading the leaderboard…");
  const isTeam = challenge.mode === "team" && challenge.teams.length > 0;
  const teamPick = isTeam ? select("Your team", "team_id", challenge.teams.map((t) => [String(t.id), t.name])) : null;
  const teamRows = h("tbody");
  const teamTable = h("table", {}, h("caption", { class: "visually-hidden" }, `Team standings of ${challenge.title}`), h("thead", {}, h("tr", {}, ...["Rank", "Team", "Progress"].map((t) => h("th", { scope: "col" }, t)))), teamRows);
  const alert = h("p", { role: "alert", class: "form-error" });
  const join = h("button", { type: "button" }, "Join this challenge");
  const leave = h("button", { type: "button", class: "secondary" }, "Leave");
  const table = h("table", {}, h("caption", { class: "visually-hidden" }, `Leaderboard of ${challenge.title}`), h("thead", {}, h("tr", {}, ...["Rank", "Athlete", "Progress"].map((t) => h("th", { scope: "col" }, t)))), rows);
  let lastRank: number | null | undefined;
  const refresh = async () => {
    if (!table.isConnected && lastRank !== undefined) return;
    try {
      const board = await api<Board>(`challenges/${challenge.id}/leaderboard/?top=20&neighbours=2`);
      rows.replaceChildren(
        ...boardRows(board).map((e) => h("tr", { class: e.is_me ? "me" : undefined }, h("td", {}, String(e.rank)), h("th", { scope: "row" }, e.is_me ? `${e.name} (you)` : e.name), h("td", {}, formatProgress(e.progress, board.unit)))),
      );
      // The status region is polite: only a change of my rank is worth announcing.
      if (board.my_rank !== lastRank) rank.textContent = board.my_rank === null ? "You have not joined this challenge." : `You are ranked ${board.my_rank}.`;
      lastRank = board.my_rank;
      join.hidden = board.my_rank !== null;
      leave.hidden = board.my_rank === null;
      if (teamPick) teamPick.hidden = board.my_rank !== null;
      if (isTeam) {
        const { results: teams } = await api<{ results: Schema<"TeamEntryOutput">[] }>(`challenges/${challenge.id}/leaderboard/teams/`);
        teamRows.replaceChildren(...teams.map((t) => h("tr", {}, h("td", {}, String(t.rank)), h("th", { scope: "row" }, t.name), h("td", {}, formatProgress(t.progress, board.unit)))));
      }
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      rank.textContent = error.message;
    }
    // Leaderboards have no socket: a poll every 5 s keeps the table live at little cost.
    if (table.isConnected || lastRank === undefined) setTimeout(() => void refresh(), 5000);
  };
  join.addEventListener("click", async () => {
    try {
      await ensureCsrf();
      const team = teamPick?.querySelector("select")?.value;
      await api(`challenges/${challenge.id}/join/`, { method: "POST", body: team ? { team_id: Number(team) } : {} });
      alert.textContent = "";
      await refresh();
    } catch (error) {
      if (error instanceof ApiError) alert.textContent = error.message;
      else throw error;
    }
  });
  leave.addEventListener("click", async () => {
    await ensureCsrf();
    await api(`challenges/${challenge.id}/leave/`, { method: "POST" });
    await refresh();
  });
  void refresh();
  return h(
    "div",
    {},
    h("h1", {}, challenge.title),
    challenge.description ? h("p", {}, challenge.description) : null,
    h(
      "section",
      { class: "card", "aria-labelledby": "about-title" },
      h("h2", { id: "about-title" }, "About"),
      h(
        "dl",
        { class: "facts" },
        ...[
          ["Runs", `${challenge.starts_on} to ${challenge.ends_on} (${challenge.time_zone})`],
          ["Goal", `${goalTitle} (${challenge.unit})`],
          ["Target", challenge.target === null ? "none: the most wins" : formatProgress(challenge.target, challenge.unit)],
          ["Mode", isTeam ? `team (${challenge.teams.map((t) => t.name).join(", ")})` : challenge.mode],
          ...(challenge.sports.length ? [["Sports", challenge.sports.join(", ")]] : []),
          ...Object.entries(challenge.goal_params ?? {}).map(([name, value]) => [types.find((t) => t.code === challenge.goal_type)?.params.find((p) => p.name === name)?.label ?? name, String(value)]),
        ].flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
      ),
      teamPick,
      h("p", {}, join, " ", leave),
      alert,
    ),
    h("section", { class: "card", "aria-labelledby": "board-title" }, h("h2", { id: "board-title" }, "Leaderboard"), rank, table),
    isTeam ? h("section", { class: "card", "aria-labelledby": "teams-title" }, h("h2", { id: "teams-title" }, "Teams"), teamTable) : null,
  );
};

export const communitiesPage = (session: Session) => async () => {
  if (!(await signedIn(session))) return h("p", {}, "Please sign in.");
  const { results } = await api<{ results: Community[] }>("communities/?page_size=100");
  const message = h("p", { role: "status" });
  const form = h(
    "form",
    { novalidate: true },
    field("Community name", "name", { required: true, maxlength: "80" }),
    field("What it is about", "description"),
    h("p", { role: "alert", class: "form-error" }),
    h("button", { type: "submit" }, "Create community"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = formValues(form);
    try {
      await ensureCsrf();
      const created = await api<Community & Schema<"InviteCode">>("communities/", { method: "POST", body: { name: v.name, description: v.description } });
      message.textContent = `Created ${created.name}. Invitation code: ${created.invite_code}.`;
      form.reset();
    } catch (error) {
      if (error instanceof ApiError) showFormErrors(form, error.message, error.fields);
      else throw error;
    }
  });
  const item = (c: Community) => {
    const button = h("button", { type: "button", class: "secondary", "aria-label": `Join ${c.name}` }, "Join");
    button.addEventListener("click", async () => {
      try {
        await ensureCsrf();
        await api(`communities/${c.id}/join/`, { method: "POST", body: {} });
        message.textContent = c.join_policy === "approval" ? `Asked to join ${c.name}; an organizer will decide.` : `You joined ${c.name}.`;
      } catch (error) {
        if (error instanceof ApiError) message.textContent = error.message;
        else throw error;
      }
    });
    return h("li", { class: "card" }, h("h3", {}, c.name), c.description ? h("p", {}, c.description) : null, h("p", {}, c.join_policy === "open" ? "Anyone may join. " : c.join_policy === "approval" ? "An organizer approves each request. " : "Invitation only. ", c.join_policy === "invitation" ? null : button));
  };
  return h(
    "div",
    {},
    h("h1", {}, "Communities"),
    message,
    h("section", { "aria-labelledby": "list-title" }, h("h2", { id: "list-title" }, "Communities you can see"), results.length ? h("ul", { class: "cards" }, ...results.map(item)) : h("p", {}, "No communities yet.")),
    h("section", { class: "card narrow", "aria-labelledby": "new-community-title" }, h("h2", { id: "new-community-title" }, "Start a community"), form),
  );
};
