import { api, ApiError, ensureCsrf } from "../api";
import { field, formValues, h, showFormErrors } from "../dom";
import type { Session } from "../session";

export interface Challenge {
  id: number;
  community_id: number | null;
  title: string;
  description: string;
  starts_on: string;
  ends_on: string;
  time_zone: string;
  sports: string[];
  mode: string;
  goal_type: string;
  target: number | null;
  unit: string;
  teams: { id: number; name: string }[];
}

export interface Entry {
  rank: number;
  participant_id: number;
  name: string;
  progress: number;
  is_me: boolean;
}

export interface Board {
  unit: string;
  my_rank: number | null;
  top: Entry[];
  around_me: Entry[];
}

interface Community {
  id: number;
  name: string;
  description: string;
  visibility: string;
  join_policy: string;
}

export const GOALS: [string, string][] = [
  ["distance", "Distance (km)"],
  ["active_minutes", "Active minutes"],
  ["zone3_minutes", "Minutes in heart-rate zone 3+"],
  ["mindful_minutes", "Yoga and mindful minutes"],
  ["training_load", "Training load"],
  ["points", "Points"],
  ["elevation", "Elevation gain (m)"],
  ["streak_days", "Active days"],
];

/** Challenges running on `today` (ISO date), soonest ending first. */
export function activeChallenges(challenges: Challenge[], today: string): Challenge[] {
  return challenges.filter((c) => c.starts_on <= today && today <= c.ends_on).sort((a, b) => a.ends_on.localeCompare(b.ends_on));
}

/** Top rows then the rows around me that are not already shown, in rank order. */
export function boardRows(board: Board): Entry[] {
  const seen = new Set(board.top.map((e) => e.participant_id));
  return [...board.top, ...board.around_me.filter((e) => !seen.has(e.participant_id))].sort((a, b) => a.rank - b.rank);
}

export const formatProgress = (value: number, unit: string) => `${Math.round(value * 100) / 100} ${unit}`;
const today = () => new Date().toISOString().slice(0, 10);

async function signedIn(session: Session): Promise<boolean> {
  if (await session.refresh()) return true;
  session.router().go("/login");
  return false;
}

function select(label: string, name: string, options: [string, string][]): HTMLElement {
  const id = `f-${name}`;
  return h("div", { class: "field" }, h("label", { for: id }, label), h("select", { id, name }, ...options.map(([value, text]) => h("option", { value }, text))), h("p", { class: "field-error", "data-error-for": name }));
}

export const challengesPage = (session: Session) => async () => {
  if (!(await signedIn(session))) return h("p", {}, "Please sign in.");
  const { results } = await api<{ results: Challenge[] }>("challenges/?page_size=100");
  const form = h(
    "form",
    { novalidate: true },
    field("Title", "title", { required: true, maxlength: "120" }),
    field("Description", "description"),
    field("Starts on", "starts_on", { type: "date", required: true, value: today() }),
    field("Ends on", "ends_on", { type: "date", required: true }),
    select("Goal", "goal_type", GOALS),
    field("Target (optional, in the goal's unit)", "target", { type: "number", min: "0", step: "any" }),
    field("Community id (optional; organizers only)", "community_id", { type: "number", min: "1" }),
    h("p", { role: "alert", class: "form-error" }),
    h("button", { type: "submit" }, "Create challenge"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = formValues(form);
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
          target: v.target ? Number(v.target) : null,
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
        ? h("ul", { class: "plain" }, ...results.map((c) => h("li", {}, h("a", { href: `/challenges/${c.id}`, "data-link": true }, c.title), ` · ${c.starts_on} to ${c.ends_on}${running.has(c.id) ? " · running now" : ""}`)))
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
  const rows = h("tbody");
  const rank = h("p", { role: "status" }, "Loading the leaderboard…");
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
      await api(`challenges/${challenge.id}/join/`, { method: "POST", body: {} });
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
          ["Goal", GOALS.find(([k]) => k === challenge.goal_type)?.[1] ?? challenge.goal_type],
          ["Target", challenge.target === null ? "none: the most wins" : formatProgress(challenge.target, challenge.unit)],
          ["Mode", challenge.mode],
        ].flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
      ),
      h("p", {}, join, " ", leave),
      alert,
    ),
    h("section", { class: "card", "aria-labelledby": "board-title" }, h("h2", { id: "board-title" }, "Leaderboard"), rank, table),
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
      const created = await api<Community & { invite_code: string }>("communities/", { method: "POST", body: { name: v.name, description: v.description } });
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
