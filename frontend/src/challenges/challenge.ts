// A challenge as more than one page shows it (the challenges pages and the dashboard).

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
  goal_params?: Record<string, number>;
  teams: { id: number; name: string }[];
}

/** Challenges running on `today` (ISO date), soonest ending first. */
export function activeChallenges(challenges: Challenge[], today: string): Challenge[] {
  return challenges.filter((c) => c.starts_on <= today && today <= c.ends_on).sort((a, b) => a.ends_on.localeCompare(b.ends_on));
}
