// The heart-rate ceiling during a home session, sample by sample: the same rule as the server's
// wellness/care/rehabilitation/safety.py (strictly above counts, one sample triggers, dropouts
// neither start nor end an episode). Pure: the player turns its answers into sound and messages.

export type CeilingChange = "crossed" | "back_under" | null;

export interface CeilingStep {
  above: boolean;
  change: CeilingChange;
}

/** Whether this sample puts the person over the ceiling, or back under it. */
export function ceilingStep(wasAbove: boolean, bpm: number | null | undefined, ceiling: number | null): CeilingStep {
  const valid = typeof bpm === "number" && Number.isFinite(bpm) && bpm > 0;
  if (!valid || ceiling === null) return { above: wasAbove, change: null };
  const above = bpm > ceiling;
  if (above === wasAbove) return { above, change: null };
  return { above, change: above ? "crossed" : "back_under" };
}
