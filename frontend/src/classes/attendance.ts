// What the class pages share: a class, an attendance and what it was recorded as.

import type { WorkoutStart } from "../companion/recorder";
import type { SessionState } from "./session";

export interface FitnessClass {
  id: number;
  title: string;
  description: string;
  kind: string;
  level: string;
  language: string;
  delivery: "live" | "on_demand";
  duration_seconds: number;
  segments: SessionState["segment"][];
  media_url: string;
  accessibility_notes: string;
  time_zone: string;
  instructor: string;
}

interface SegmentMetrics {
  name: string;
  target_zone: number | null;
  planned_s: number;
  attended_s: number;
  in_zone_s: number | null;
}

/** A class taken (or being taken): `classes/attendances/<id>/` and the history's entries. */
export interface Attendance {
  id: number;
  status: "started" | "completed";
  fitness_class: number;
  class_title: string;
  kind: string;
  delivery: "live" | "on_demand";
  occurrence: number | null;
  occurrence_starts_at: string | null;
  started_at: string;
  completed_at: string | null;
  elapsed_s: number;
  workout: number | null;
  recording: WorkoutStart | null;
  score: { status: string; points?: number; mindful_minutes?: number; active_minutes?: number; energy_kcal?: number; energy_method?: string; hr_avg?: number | null; reason?: string } | null;
  class_metrics: {
    attended_s: number;
    heart_rate_measured: boolean;
    segments: SegmentMetrics[];
    hrv_start_rmssd_ms: number | null;
    hrv_end_rmssd_ms: number | null;
    relaxation: string;
  } | null;
  explanations: Record<string, string>;
}

/** What a participant's attendance means, in one sentence. */
export function recordedAs(attendance: Attendance): string {
  return attendance.workout
    ? "It is recorded as a workout: it counts for your challenges, streaks and badges."
    : "It is kept in your class history, but not recorded as a workout: give health-data consent in your profile for that.";
}
