// What the class pages share: a class, an attendance and what it was recorded as.

import type { Schema } from "../app/api";
import type { WorkoutStart } from "../companion/recorder";
import type { SessionState } from "./session";

// The schema has no shape yet for the segments (a JSON field: `unknown`).
export type FitnessClass = Omit<Schema<"ClassOutput">, "segments"> & { segments: SessionState["segment"][] };

interface SegmentMetrics {
  name: string;
  target_zone: number | null;
  planned_s: number;
  attended_s: number;
  in_zone_s: number | null;
}

/** A class taken (or being taken): `classes/attendances/<id>/` and the history's entries. */
export type Attendance = Omit<Schema<"AttendanceOutput">, "recording" | "score" | "class_metrics"> & {
  // The schema has no shape yet for these three (the selectors return bare dicts).
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
};

/** What a participant's attendance means, in one sentence. */
export function recordedAs(attendance: Attendance): string {
  return attendance.workout
    ? "It is recorded as a workout: it counts for your challenges, streaks and badges."
    : "It is kept in your class history, but not recorded as a workout: give health-data consent in your profile for that.";
}
