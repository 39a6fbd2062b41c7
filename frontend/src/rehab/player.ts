// The home session player (/care/rehabilitation/sessions/:id), phone-sized first: one exercise at a
// time with its illustration, a countdown and a rep counter, spoken cues with captions, the log
// after each exercise, and the heart-rate ceiling alarm from a strap paired here.

import { api, ApiError, type Schema } from "../app/api";
import { h } from "../app/dom";
import type { Session } from "../app/session";
import { bluetooth, pairSensor } from "../companion/bluetooth";
import type { Decoded } from "../companion/gatt";
import { ceilingStep } from "./ceiling";
import { REHAB_API } from "./paths";
import { backUnderMessage, ceilingMessage, clock, countdownSeconds, duration, targetText, type Target } from "./text";

type Program = Schema<"ProgramOutput">;
type Exercise = Program["exercises"][number];
type RehabSession = Schema<"RehabSessionOutput">;

/** Spoken cues where the browser can speak, always with the same words as a visible caption. */
class Cues {
  muted = false;
  readonly caption = h("p", { class: "cue", "aria-live": "polite", "data-caption": true });

  say(text: string): void {
    this.caption.textContent = text;
    const speech = "speechSynthesis" in window ? window.speechSynthesis : null;
    if (!speech || this.muted) return;
    speech.cancel();
    speech.speak(new SpeechSynthesisUtterance(text));
  }

  toggle(): HTMLButtonElement {
    const button = h("button", { type: "button", class: "secondary", "aria-pressed": "false" }, "Mute spoken cues");
    button.addEventListener("click", () => {
      this.muted = !this.muted;
      button.setAttribute("aria-pressed", String(this.muted));
      if (this.muted && "speechSynthesis" in window) window.speechSynthesis.cancel();
    });
    return button;
  }
}

/** A short beep (Web Audio) and a vibration where the device has them. The audio context is made
 * once, on the tap that pairs the strap: browsers start sound only after a gesture. */
class Alarm {
  private audio: AudioContext | null = null;

  unlock(): void {
    if (this.audio === null && typeof window.AudioContext === "function") this.audio = new AudioContext();
    void this.audio?.resume();
  }

  sound(): void {
    if (this.audio) {
      const tone = this.audio.createOscillator();
      tone.frequency.value = 880;
      tone.connect(this.audio.destination);
      tone.start();
      tone.stop(this.audio.currentTime + 0.3);
    }
    if (typeof navigator.vibrate === "function") navigator.vibrate([200, 100, 200]);
  }
}

/** The heart-rate panel: pair a strap, show the rate, raise the ceiling alarm within a sample. */
function heartRatePanel(ceiling: number | null, ceilingProblem: string | null, cues: Cues): HTMLElement {
  const rate = h("output", { id: "rehab-hr" }, "–");
  const warning = h("p", { role: "alert", class: "ceiling-alert", "data-ceiling-alert": true });
  const problem = h("p", { class: "form-alert" });
  const alarm = new Alarm();
  let above = false;
  const onFrame = (_: unknown, decoded: Decoded) => {
    const bpm = typeof decoded.hr === "number" ? decoded.hr : null;
    if (bpm !== null && bpm > 0) rate.textContent = `${bpm} bpm`;
    const step = ceilingStep(above, bpm, ceiling);
    above = step.above;
    if (step.change === "crossed" && ceiling !== null && bpm !== null) {
      warning.textContent = ceilingMessage(bpm, ceiling);
      cues.say(ceilingMessage(bpm, ceiling));
      alarm.sound();
    } else if (step.change === "back_under" && ceiling !== null) {
      warning.textContent = "";
      cues.say(backUnderMessage(ceiling));
    }
  };
  const pair = h("button", { type: "button", class: "secondary" }, "Pair a heart-rate strap");
  pair.addEventListener("click", async () => {
    alarm.unlock();
    try {
      const sensor = await pairSensor("heartRate", onFrame, (_, error) => (problem.textContent = error.message));
      pair.textContent = `Paired: ${sensor.name}`;
      pair.disabled = true;
      problem.textContent = "";
    } catch (error) {
      problem.textContent = error instanceof Error ? error.message : String(error);
    }
  });
  return h(
    "section",
    { class: "card", "aria-labelledby": "hr-title" },
    h("h2", { id: "hr-title" }, "Heart rate"),
    h("p", {}, h("span", {}, "Now: "), rate, ceiling !== null ? ` (ceiling ${ceiling} bpm)` : ""),
    ceiling === null ? h("p", { class: "hint" }, ceilingProblem ?? "No heart-rate ceiling for this program.") : null,
    warning,
    bluetooth() ? pair : h("p", { class: "hint" }, "This browser cannot pair a strap (Web Bluetooth): use Chrome on Android or a desktop."),
    problem,
  );
}

/** A countdown that reads itself aloud at the end; stops when its page is gone. */
function countdown(seconds: number, label: string, cues: Cues): HTMLElement {
  const display = h("p", { class: "big", role: "timer", "aria-label": label }, clock(seconds));
  const start = h("button", { type: "button", class: "big-button" }, `Start ${label.toLowerCase()} (${duration(seconds)})`);
  let timer: number | undefined;
  start.addEventListener("click", () => {
    if (timer !== undefined) {
      window.clearInterval(timer);
      timer = undefined;
      start.textContent = `Start ${label.toLowerCase()} (${duration(seconds)})`;
      return;
    }
    const ends = Date.now() + seconds * 1000;
    cues.say(`${label}: ${duration(seconds)}. Go.`);
    start.textContent = "Stop the countdown";
    timer = window.setInterval(() => {
      const left = (ends - Date.now()) / 1000;
      display.textContent = clock(left);
      if (!display.isConnected || left <= 0) {
        window.clearInterval(timer);
        timer = undefined;
        start.textContent = `Start ${label.toLowerCase()} (${duration(seconds)})`;
        if (display.isConnected) cues.say(`${label} done.`);
      }
    }, 250);
  });
  return h("div", { class: "countdown" }, display, start);
}

function repCounter(target: Target, cues: Cues, onChange: (reps: number) => void): HTMLElement {
  let reps = 0;
  const count = h("output", { class: "big", "aria-live": "polite" }, "0");
  const add = h("button", { type: "button", class: "big-button" }, "Rep done");
  add.addEventListener("click", () => {
    reps += 1;
    count.textContent = String(reps);
    onChange(reps);
    if (target.reps && reps % target.reps === 0) cues.say(`Set of ${target.reps} done. Rest ${duration(target.rest_s)}.`);
  });
  return h("div", { class: "reps" }, h("p", {}, "Reps so far: ", count), add);
}

function numberField(label: string, name: string, value: number, max: number): HTMLElement {
  const id = `log-${name}`;
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    h("input", { id, name, type: "number", inputmode: "numeric", min: "0", max: String(max), step: "1", value: String(value), required: true }),
  );
}

function summary(done: RehabSession): HTMLElement {
  const rows: [string, string][] = [
    ["Status", done.status === "stopped" ? "Stopped" : done.status === "completed" ? "Completed" : "Under way"],
    ["Exercises logged", `${done.logs.length} of ${done.targets.length}`],
    ["Highest pain", done.peak_pain === null ? "–" : `${done.peak_pain}/10`],
    ["Highest effort (RPE)", done.peak_rpe === null ? "–" : `${done.peak_rpe}/10`],
  ];
  if (done.adherence !== null) rows.push(["Done of the plan", `${Math.round(done.adherence * 100)} %`]);
  if (done.ceiling_bpm !== null) rows.push(["Time over the ceiling", `${duration(done.time_above_ceiling_s ?? 0)} (${done.ceiling_crossings ?? 0} times)`]);
  return h(
    "section",
    { class: "card", "aria-labelledby": "summary-title", "data-summary": true },
    h("h2", { id: "summary-title" }, "Session summary"),
    done.stop_reason ? h("p", { role: "alert", class: "stop-message" }, `Stop: ${done.stop_reason} Rest, and tell your therapist if the pain does not settle.`) : null,
    done.advanced_phase ? h("p", {}, "Well done: your program moves on to its next phase.") : null,
    h("dl", { class: "live" }, ...rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
    h("h3", {}, "Your logs"),
    h("ul", {}, ...done.logs.map((log) => h("li", {}, `${log.exercise_name}: ${log.sets_done} sets${log.reps_done !== null ? `, ${log.reps_done} reps` : ""}, pain ${log.pain}/10, RPE ${log.rpe}/10`))),
    h("p", {}, h("a", { href: "/care/rehabilitation", "data-link": true }, "Back to my rehabilitation")),
  );
}

export const rehabPlayerPage = (session: Session) => async (params: Record<string, string>) => {
  if (!(await session.refresh())) {
    session.router().go("/login");
    return h("p", {}, "Please sign in.");
  }
  let current: RehabSession;
  try {
    current = await api<RehabSession>(`${REHAB_API}/sessions/${params.id}/`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return h("section", { class: "card" }, h("h1", {}, "Session"), h("p", {}, "No such session."));
    throw error;
  }
  const program = await api<Program>(`${REHAB_API}/programs/${current.program_id}/`);
  const exercises = new Map<number, Exercise>(program.exercises.map((e) => [e.id, e]));
  const ceiling = current.ceiling_bpm ?? program.ceiling_bpm;
  const cues = new Cues();
  const stage = h("div", { "data-stage": true });
  const problem = h("p", { role: "alert", class: "form-alert" });

  const finish = (done: RehabSession) => {
    stage.replaceChildren(summary(done));
    cues.say(done.stop_reason ? `Stop. ${done.stop_reason}` : "Session complete. Well done.");
  };

  const show = () => {
    problem.textContent = "";
    if (current.status !== "active") return finish(current);
    const logged = new Set(current.logs.map((l) => l.position));
    const position = current.targets.findIndex((_, i) => !logged.has(i));
    if (position < 0) {
      void api<RehabSession>(`${REHAB_API}/sessions/${current.id}/end/`, { method: "POST" }).then(finish);
      return;
    }
    const target = current.targets[position];
    const exercise = exercises.get(target.exercise_id);
    const name = exercise?.name ?? "Exercise";
    let reps = 0;
    const timed = countdownSeconds(target);
    const form = h(
      "form",
      { "aria-labelledby": "log-title", novalidate: true },
      h("h3", { id: "log-title" }, `Log ${name}`),
      numberField("Sets done", "sets_done", target.sets, 50),
      target.reps ? numberField("Reps done (all sets)", "reps_done", target.reps * target.sets, 1000) : null,
      numberField("Pain now, 0 (none) to 10 (worst)", "pain", 0, 10),
      numberField("Effort (RPE), 0 (rest) to 10 (maximal)", "rpe", 0, 10),
      h("button", { type: "submit", class: "big-button" }, "Save and continue"),
    );
    const repsInput = () => form.querySelector<HTMLInputElement>("[name=reps_done]");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const value = (key: string) => Number(form.querySelector<HTMLInputElement>(`[name=${key}]`)!.value);
      try {
        current = await api<RehabSession>(`${REHAB_API}/sessions/${current.id}/logs/`, {
          method: "POST",
          body: { position, sets_done: value("sets_done"), reps_done: repsInput() ? value("reps_done") : null, pain: value("pain"), rpe: value("rpe") },
        });
        show();
      } catch (error) {
        if (error instanceof ApiError) problem.textContent = `${error.message} ${Object.values(error.fields).flat().join(" ")}`.trim();
        else throw error;
      }
    });
    stage.replaceChildren(
      h(
        "section",
        { class: "card exercise", "aria-labelledby": "exercise-title", "data-position": String(position) },
        h("p", { class: "hint" }, `Exercise ${position + 1} of ${current.targets.length}`),
        h("h2", { id: "exercise-title", tabindex: "-1" }, name),
        exercise?.illustration_url ? h("img", { src: exercise.illustration_url, alt: `How to do ${name}`, class: "illustration", width: "240", height: "240" }) : null,
        h("p", { class: "target" }, targetText(target)),
        exercise ? h("p", {}, exercise.instructions) : null,
        exercise?.precautions ? h("p", { class: "notice" }, h("strong", {}, "Take care: "), exercise.precautions) : null,
        timed !== null ? countdown(timed, target.duration_s ? "Exercise" : "Hold", cues) : null,
        target.reps
          ? repCounter(target, cues, (n) => {
              reps = n;
              const input = repsInput();
              if (input) input.value = String(reps);
            })
          : null,
        target.rest_s ? countdown(target.rest_s, "Rest", cues) : null,
        form,
      ),
    );
    stage.querySelector<HTMLElement>("#exercise-title")?.focus();
    cues.say(`${name}. ${targetText(target)}.`);
  };

  show();
  return h(
    "div",
    { class: "player" },
    h("h1", {}, program.title),
    h("p", {}, `Stop any exercise if pain reaches ${program.version.limits.pain_stop}/10 or you feel unwell.`),
    heartRatePanel(ceiling, program.ceiling_problem, cues),
    h("div", { class: "button-row" }, cues.toggle()),
    cues.caption,
    problem,
    stage,
  );
};
