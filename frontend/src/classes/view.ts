// The class view shared by the live session and the on-demand player: segment, cue text (always
// on screen), countdown, what comes next, the breathing pacer and the guidance switches.

import { h } from "../app/dom";
import { breathPhase, formatSeconds, type SessionState } from "./session";

/** A short tone through the Web Audio API when audio cues are switched on. */
function beep(context: AudioContext | null, frequency: number): void {
  if (!context) return;
  const oscillator = context.createOscillator();
  const gain = context.createGain();
  oscillator.frequency.value = frequency;
  gain.gain.value = 0.1;
  oscillator.connect(gain).connect(context.destination);
  oscillator.start();
  oscillator.stop(context.currentTime + 0.15);
}

export interface SegmentView {
  card: HTMLElement;
  guidance: HTMLElement;
  /** A new state arrived: show its segment (a tone marks the change when audio is on). */
  show(state: SessionState): void;
  /** Every frame: the countdown and the pacer at `left` seconds before the segment's end. */
  tick(state: SessionState, left: number): void;
}

export function segmentView(labels: { scheduled: string; ended: string }): SegmentView {
  let audio: AudioContext | null = null;
  let lastPhase = "";
  const heading = h("h2", { id: "segment-name" });
  const cue = h("p", { class: "cue", "aria-live": "polite" });
  const clock = h("p", { role: "timer", "aria-label": "Time left in this segment" });
  const upNext = h("p");
  const pacerCircle = h("div", { class: "pacer-circle", "aria-hidden": "true" });
  const pacerText = h("p", { class: "pacer-text" });
  // Phase changes are announced only while the pacer announcements are on, so a screen reader
  // is not interrupted every few seconds unless the person wants to be guided.
  const pacerAnnouncer = h("p", { class: "visually-hidden", "aria-live": "assertive" });
  const pacer = h("section", { class: "pacer", "aria-labelledby": "pacer-h" }, h("h3", { id: "pacer-h" }, "Breathing pacer"), pacerCircle, pacerText, pacerAnnouncer);
  const announce = h("input", { type: "checkbox", id: "announce-breath" });
  const sound = h("input", { type: "checkbox", id: "audio-cues" });
  sound.addEventListener("change", () => {
    audio = sound.checked ? new AudioContext() : null;
  });

  return {
    card: h("section", { class: "card", "aria-labelledby": "segment-name" }, heading, cue, clock, upNext, pacer),
    guidance: h(
      "fieldset",
      {},
      h("legend", {}, "Guidance"),
      h("div", {}, announce, h("label", { for: "announce-breath" }, "Announce breathing phases (screen readers)")),
      h("div", {}, sound, h("label", { for: "audio-cues" }, "Audio cues")),
    ),
    show(state) {
      heading.textContent = `${state.segment_index + 1} of ${state.segment_count}: ${state.segment.name}`;
      cue.textContent = state.segment.cue || "No cue for this segment.";
      upNext.textContent = state.next_segment ? `Up next: ${state.next_segment}` : "Last segment.";
      pacer.hidden = state.segment.breathing === null;
      beep(audio, 660);
    },
    tick(state, left) {
      const label = state.status === "scheduled" ? labels.scheduled : state.status === "ended" ? labels.ended : `${formatSeconds(left)} left${state.status === "paused" ? " (paused)" : ""}`;
      if (clock.textContent !== label) clock.textContent = label;
      const pattern = state.segment.breathing;
      if (pattern && state.status === "running") {
        const phase = breathPhase(pattern, state.segment.duration_s - left);
        pacerCircle.style.transform = `scale(${0.5 + phase.fullness / 2})`;
        pacerText.textContent = `${phase.label}: ${phase.secondsLeft}`;
        if (phase.label !== lastPhase) {
          lastPhase = phase.label;
          if (announce.checked) pacerAnnouncer.textContent = phase.label;
          beep(audio, phase.label === "Breathe in" ? 520 : 390);
        }
      }
    },
  };
}
