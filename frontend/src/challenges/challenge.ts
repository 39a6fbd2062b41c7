// A challenge as more than one page shows it (the challenges pages and the dashboard).

import type { Schema } from "../app/api";

// The schema has no shape yet for these JSON fields (it says `unknown`).
export type Challenge = Omit<Schema<"ChallengeOutput">, "sports" | "goal_params"> & { sports: string[]; goal_params?: Record<string, number> };

/** Challenges running on `today` (ISO date), soonest ending first. */
export function activeChallenges(challenges: Challenge[], today: string): Challenge[] {
  return challenges.filter((c) => c.starts_on <= today && today <= c.ends_on).sort((a, b) => a.ends_on.localeCompare(b.ends_on));
}
