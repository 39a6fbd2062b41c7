import { api, type Schema } from "../app/api";
import { h } from "../app/dom";
import type { Session } from "../app/session";
import { activeChallenges, type Challenge } from "../challenges/challenge";
import { workoutList, type Workout } from "../workouts/list";

type Streak = Schema<"StreakOutput">;

type JourneyProgress = Schema<"JourneyProgressOutput">;

type LevelProgress = Schema<"LevelProgressOutput">;

/** The bar's value and end, counted from the level's start: 1,250 XP at level 3 (from 1,000,
 * level 4 at 2,000) is 250 of 1,000, not 1,250 of 2,000. */
export function levelBar(progress: LevelProgress): { value: number; max: number } {
  const max = Math.max(progress.next_level_xp - progress.level_xp, 0);
  return { value: Math.min(Math.max(progress.xp - progress.level_xp, 0), max), max };
}

export function levelSection(progress: LevelProgress | null): HTMLElement | null {
  if (!progress) return null;
  const { value, max } = levelBar(progress);
  return h(
    "section",
    { class: "card", "aria-labelledby": "level-title" },
    h("h2", { id: "level-title" }, `Level ${progress.level}`),
    h("p", {}, `${value} of ${max} XP to level ${progress.level + 1} (${progress.xp} XP in all)`),
    max > 0 ? h("progress", { max: String(max), value: String(value), "aria-label": `Experience towards level ${progress.level + 1}` }) : null,
  );
}

// One failing block must not take the dashboard down: each is fetched on its own.
async function optional<T>(path: string): Promise<T | null> {
  try {
    return await api<T>(path);
  } catch {
    return null;
  }
}

export const dashboardPage = (session: Session) => async () => {
  const profile = await session.refresh();
  if (!profile) {
    return h(
      "section",
      { class: "card narrow" },
      h("h1", {}, "Welcome to Wellverse"),
      h("p", {}, "Run, ride, walk and do yoga with your wearables, together in shared virtual worlds."),
      h("p", {}, h("a", { href: "/signup", "data-link": true, class: "button" }, "Create an account"), " or ", h("a", { href: "/login", "data-link": true }, "sign in")),
    );
  }
  const [workouts, streaks, challenges, journeys, progress] = await Promise.all([
    profile.health_data_consent ? optional<{ results: Workout[] }>("workouts/?page_size=5") : Promise.resolve(null),
    optional<{ results: Streak[] }>("streaks/"),
    optional<{ results: Challenge[] }>("challenges/?page_size=100"),
    optional<{ results: JourneyProgress[] }>("worlds/journey-progress/"),
    optional<LevelProgress>("me/progress/"),
  ]);
  const running = activeChallenges(challenges?.results ?? [], new Date().toISOString().slice(0, 10)).slice(0, 5);
  const streakRows = (streaks?.results ?? []).filter((s) => s.current > 0 || s.longest > 0);
  return h(
    "div",
    {},
    h("h1", {}, `Hello, ${profile.display_name}`),
    profile.health_data_consent
      ? null
      : h(
          "section",
          { class: "card notice" },
          h("h2", {}, "One step before your first workout"),
          h("p", {}, "Wellverse needs your consent to store heart rate and workouts. ", h("a", { href: "/profile", "data-link": true }, "Review and consent")),
        ),
    levelSection(progress),
    h(
      "div",
      { class: "grid" },
      h(
        "section",
        { class: "card", "aria-labelledby": "recent-title" },
        h("h2", { id: "recent-title" }, "Recent workouts"),
        workouts ? workoutList(workouts.results) : h("p", {}, "Workouts appear here once you have consented."),
        h("p", {}, h("a", { href: "/workouts", "data-link": true }, "All workouts")),
      ),
      h(
        "section",
        { class: "card", "aria-labelledby": "streaks-title" },
        h("h2", { id: "streaks-title" }, "Streaks"),
        streakRows.length
          ? h("ul", { class: "plain" }, ...streakRows.map((s) => h("li", {}, `${s.kind.replace(/_/g, " ")}: ${s.current} now, best ${s.longest}`)))
          : h("p", {}, "No streak yet: one workout starts it."),
      ),
      h(
        "section",
        { class: "card", "aria-labelledby": "active-challenges-title" },
        h("h2", { id: "active-challenges-title" }, "Challenges running now"),
        running.length
          ? h("ul", { class: "plain" }, ...running.map((c) => h("li", {}, h("a", { href: `/challenges/${c.id}`, "data-link": true }, c.title), ` · until ${c.ends_on}`)))
          : h("p", {}, h("a", { href: "/challenges", "data-link": true }, "Find or create a challenge")),
      ),
      h(
        "section",
        { class: "card", "aria-labelledby": "journeys-title" },
        h("h2", { id: "journeys-title" }, "Journeys"),
        journeys?.results?.length
          ? h("ul", { class: "plain" }, ...journeys.results.map((j) => h("li", {}, `${j.journey_name}: ${(j.distance_m / 1000).toFixed(1)} km${j.completed_at ? " · completed" : ""}`)))
          : h("p", {}, "You have not set out on a journey yet."),
      ),
      h(
        "section",
        { class: "card", "aria-labelledby": "moving-title" },
        h("h2", { id: "moving-title" }, "Get moving"),
        h("ul", {}, h("li", {}, h("a", { href: "/devices", "data-link": true }, "Connect a wearable bridge or phone")), h("li", {}, h("a", { href: "/worlds", "data-link": true }, "Enter a world"))),
      ),
    ),
  );
};
