import { describe, expect, it } from "vitest";
import { prescription } from "./prescribe";

const values = {
  patient_id: "7", title: "Knee", weeks: "4", sessions_per_week: "3", ceiling_rule: "beta_blocker", ceiling_value: "20",
  pain_stop: "5", max_rpe: "5", target_rpe: "4",
  exercise_0: "11", sets_0: "2", reps_0: "10", seconds_0: "", rest_0: "60",
  exercise_1: "12", sets_1: "1", reps_1: "", seconds_1: "120", rest_1: "0",
  exercise_2: "13", sets_2: "3", reps_2: "5", seconds_2: "10", rest_2: "30",
  exercise_3: "", sets_3: "2", reps_3: "10", seconds_3: "", rest_3: "60",
};

describe("prescription", () => {
  const body = prescription(values) as { patient_id: number; plan: { phases: { weeks: number; sessions: { exercises: unknown[] }[] }[] }; limits: Record<string, unknown> };

  it("makes one phase of one session from the filled rows", () => {
    expect(body.patient_id).toBe(7);
    expect(body.plan.phases[0].weeks).toBe(4);
    expect(body.plan.phases[0].sessions[0].exercises).toEqual([
      { exercise_id: 11, sets: 2, reps: 10, rest_s: 60 },
      { exercise_id: 12, sets: 1, duration_s: 120, rest_s: 0 },
      { exercise_id: 13, sets: 3, reps: 5, hold_s: 10, rest_s: 30 },
    ]);
  });

  it("names the ceiling's value by its rule", () => {
    expect(body.limits).toEqual({ ceiling: { rule: "beta_blocker", above_rest_bpm: 20 }, max_rpe: 5, target_rpe: 4, pain_stop: 5 });
    expect((prescription({ ...values, ceiling_rule: "hrr_percent", ceiling_value: "70" }) as { limits: { ceiling: unknown } }).limits.ceiling).toEqual({ rule: "hrr_percent", percent: 70 });
  });

  it("sends an empty number as null, for the API to name", () => {
    expect((prescription({ ...values, weeks: " " }) as typeof body).plan.phases[0].weeks).toBeNull();
  });
});
