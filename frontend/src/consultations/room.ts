// Pure parts of the consultation room (/ws/v1/rooms/<id>/, wellness/care/rooms/consumers.py): the
// server's messages, the room's state as they arrive, who offers in a glare, what each mode sends
// and what a closed socket means. No DOM and no WebRTC objects here, so Vitest covers them directly.

export type Role = "clinician" | "patient" | "guest";
export type Mode = "video" | "audio" | "text";

export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

export interface ChatLine {
  from: Role;
  name: string;
  text: string;
  at: string;
}

// What the browsers put in a relayed signal's `data` (the server relays it as is). `session` names
// the sender's page: a new one means the peer reloaded and the old connection to it is dead. The
// polite side says "hello" when it (re)joins; the impolite side then offers (again, if it must).
export type Signal =
  | { kind: "hello"; session: string }
  | { kind: "description"; session: string; description: { type: "offer" | "answer" | "pranswer" | "rollback"; sdp?: string } }
  | { kind: "candidate"; session: string; candidate: { candidate?: string; sdpMid?: string | null; sdpMLineIndex?: number | null; usernameFragment?: string | null } | null }
  | { kind: "state"; session: string; muted: boolean; camera: boolean; mode: Mode };

export type ServerMessage =
  | { type: "welcome"; role: Role; admitted: boolean; ice_servers: IceServer[] }
  | { type: "waiting"; role: Role; name: string }
  | { type: "admitted" }
  | { type: "peer"; role: Role; name: string; present: boolean }
  | { type: "signal"; from: Role; data: Signal }
  | ({ type: "chat" } & ChatLine)
  | { type: "live_hr_sharing"; on: boolean }
  | { type: "live_hr_start" }
  | { type: "live_hr"; bpm: number; t: number | null }
  | { type: "live_hr_clear"; reason: LiveHrClear }
  | { type: "error"; error: { code: string; message: string } };

/** Why the clinician's live heart rate view emptied. */
export type LiveHrClear = "off" | "no_grant" | "grant_ended";
const LIVE_HR_CLEARS: readonly string[] = ["off", "no_grant", "grant_ended"];

const ROLES: readonly string[] = ["clinician", "patient", "guest"];
const isRole = (value: unknown): value is Role => typeof value === "string" && ROLES.includes(value);
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** A server frame as a typed message, or null for anything this page does not understand. */
export function parseServerMessage(raw: string): ServerMessage | null {
  let m: unknown;
  try {
    m = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!isObject(m)) return null;
  switch (m.type) {
    case "welcome":
      return isRole(m.role) && Array.isArray(m.ice_servers) ? (m as unknown as ServerMessage) : null;
    case "waiting":
    case "peer":
      return isRole(m.role) && typeof m.name === "string" ? (m as unknown as ServerMessage) : null;
    case "admitted":
      return { type: "admitted" };
    case "signal":
      return isRole(m.from) && isObject(m.data) && typeof m.data.kind === "string" && typeof m.data.session === "string"
        ? (m as unknown as ServerMessage)
        : null;
    case "chat":
      return isRole(m.from) && typeof m.text === "string" && typeof m.name === "string" ? (m as unknown as ServerMessage) : null;
    case "live_hr_sharing":
      return typeof m.on === "boolean" ? { type: "live_hr_sharing", on: m.on } : null;
    case "live_hr_start":
      return { type: "live_hr_start" };
    case "live_hr":
      return typeof m.bpm === "number" && Number.isFinite(m.bpm) ? { type: "live_hr", bpm: m.bpm, t: typeof m.t === "number" ? m.t : null } : null;
    case "live_hr_clear":
      return typeof m.reason === "string" && LIVE_HR_CLEARS.includes(m.reason) ? { type: "live_hr_clear", reason: m.reason as LiveHrClear } : null;
    case "error":
      return isObject(m.error) && typeof m.error.message === "string" ? (m as unknown as ServerMessage) : null;
    default:
      return null;
  }
}

export type Phase = "connecting" | "waiting" | "in-call" | "reconnecting" | "closed";

export interface Peer {
  role: Role;
  name: string;
  present: boolean;
}

/**
 * The patient's live heart rate in the room: `sharing` is the patient's own switch (as the server
 * confirmed it); the clinician sees `readings` (the newest last, at most LIVE_HR_KEPT) while
 * `watching`, and `cleared` says why the view emptied.
 */
export interface LiveHr {
  sharing: boolean;
  watching: boolean;
  readings: { bpm: number; t: number | null }[];
  cleared: LiveHrClear | null;
}

/** How many recent readings the clinician's trend shows (about a minute from a strap). */
export const LIVE_HR_KEPT = 60;

export interface RoomState {
  phase: Phase;
  role: Role | null;
  iceServers: IceServer[];
  /** Who waits to be let in (the clinician's view), by role. */
  waiting: Map<Role, string>;
  /** The others admitted to the call, by role; `present` false while their socket is away. */
  peers: Map<Role, Peer>;
  chat: ChatLine[];
  liveHr: LiveHr;
  /** Why the room closed, in words, once it did. */
  closed: string | null;
  error: string | null;
}

export const initialRoom = (): RoomState => ({
  phase: "connecting",
  role: null,
  iceServers: [],
  waiting: new Map(),
  peers: new Map(),
  chat: [],
  liveHr: { sharing: false, watching: false, readings: [], cleared: null },
  closed: null,
  error: null,
});

/** The room after one server message (a new object; maps are copied when they change). */
export function roomAfter(state: RoomState, message: ServerMessage): RoomState {
  switch (message.type) {
    case "welcome":
      // A new socket: the server relays nothing to it yet (the patient's page shares again).
      return {
        ...state,
        role: message.role,
        iceServers: message.ice_servers,
        phase: message.admitted ? "in-call" : "waiting",
        error: null,
        liveHr: { ...state.liveHr, watching: false, readings: [] },
      };
    case "waiting": {
      const waiting = new Map(state.waiting);
      waiting.set(message.role, message.name);
      return { ...state, waiting };
    }
    case "admitted":
      return { ...state, phase: "in-call" };
    case "peer": {
      const peers = new Map(state.peers);
      const waiting = new Map(state.waiting);
      peers.set(message.role, { role: message.role, name: message.name, present: message.present });
      if (message.present) waiting.delete(message.role);
      return { ...state, peers, waiting };
    }
    case "chat":
      return { ...state, chat: [...state.chat, { from: message.from, name: message.name, text: message.text, at: message.at }] };
    case "live_hr_sharing":
      return { ...state, liveHr: { ...state.liveHr, sharing: message.on } };
    case "live_hr_start":
      return { ...state, liveHr: { ...state.liveHr, watching: true, readings: [], cleared: null } };
    case "live_hr": {
      if (!state.liveHr.watching) return state;
      const readings = [...state.liveHr.readings, { bpm: message.bpm, t: message.t }].slice(-LIVE_HR_KEPT);
      return { ...state, liveHr: { ...state.liveHr, readings } };
    }
    case "live_hr_clear":
      return { ...state, liveHr: { ...state.liveHr, watching: false, readings: [], cleared: message.reason } };
    case "error":
      return { ...state, error: message.error.message };
    case "signal":
      return state;
  }
}

/**
 * The socket dropped: the page stays in the room and reconnects, unless the server said why it
 * closed. A socket that never opened was refused at the handshake (the browser shows no close code
 * then: the room is not open yet, or the server is out of reach) and is tried again too.
 */
export function roomAfterClose(state: RoomState, code: number, opened = true): RoomState {
  const reason = closeReason(code);
  if (reason !== null) return { ...state, phase: "closed", closed: reason };
  if (!opened && state.phase === "connecting") {
    return { ...state, error: "The room could not be reached. It opens ten minutes before the start; trying again…" };
  }
  // Whoever waits (not yet admitted) waits again after reconnecting; the server remembers admissions.
  return { ...state, phase: "reconnecting" };
}

/** The words for a close the page must not retry, or null when reconnecting may help. */
export function closeReason(code: number): string | null {
  switch (code) {
    case 4401:
      return "Please sign in to join the consultation.";
    case 4403:
      return "The consultation room is closed: it opens ten minutes before the start and closes at the end.";
    case 4404:
      return "This consultation does not exist or you take no part in it.";
    case 4410:
      return "Your sign-in has ended. Sign in again to rejoin.";
    default:
      return null;
  }
}

const RANK: Record<Role, number> = { clinician: 0, patient: 1, guest: 2 };

/**
 * Perfect negotiation: in a glare (both sides offer at once) the polite peer gives way. The
 * clinician is never polite; between the patient and the guest, the guest is. Each pair thus has
 * exactly one polite side, decided by roles both know.
 */
export const isPolite = (me: Role, them: Role): boolean => RANK[me] > RANK[them];

/**
 * What the impolite side does with the polite side's hello: offer on a new connection (none yet, or
 * the peer's page is new), restart ICE on one that broke while they were away, or nothing.
 */
export function afterHello(link: { remoteSession: string | null; broken: boolean } | undefined, session: string): "connect" | "restart-ice" | "keep" {
  if (!link || (link.remoteSession !== null && link.remoteSession !== session)) return "connect";
  return link.broken ? "restart-ice" : "keep";
}

/** The DTLS fingerprint of a session description: a new one means a new peer connection at the other end. */
export function fingerprint(sdp: string | undefined): string | null {
  return /^a=fingerprint:(.+)$/m.exec(sdp ?? "")?.[1]?.trim() ?? null;
}

/** Whether an offer comes from another peer connection than the one this connection talked to. */
export function fromNewConnection(previous: string | undefined, offer: string | undefined): boolean {
  const before = fingerprint(previous);
  const now = fingerprint(offer);
  return before !== null && now !== null && now !== before;
}

/** Whether an incoming offer collides with ours and we, impolite, ignore it (MDN's rule). */
export function ignoresOffer(args: { polite: boolean; makingOffer: boolean; signalingState: string; settingRemoteAnswer: boolean }): boolean {
  const readyForOffer = !args.makingOffer && (args.signalingState === "stable" || args.settingRemoteAnswer);
  return !readyForOffer && !args.polite;
}

/** The direction of our audio and video transceivers in each mode: text-only sends and receives no media. */
export function directions(mode: Mode): { audio: "sendrecv" | "inactive"; video: "sendrecv" | "inactive" } {
  return { audio: mode === "text" ? "inactive" : "sendrecv", video: mode === "video" ? "sendrecv" : "inactive" };
}

/** The time of a chat line as the reader's clock shows it (hh:mm). */
export function chatTime(at: string, locale?: string): string {
  const when = new Date(at);
  return Number.isNaN(when.getTime()) ? "" : when.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
}

/** How a role is named beside a person's name. */
export const roleLabel = (role: Role): string => ({ clinician: "clinician", patient: "patient", guest: "guest" })[role];

/** The sentence of the peer's media state for the others. */
export function peerStateText(name: string, state: { muted: boolean; camera: boolean; mode: Mode }): string {
  if (state.mode === "text") return `${name} uses text only.`;
  const parts = [state.muted ? "microphone muted" : "microphone on"];
  if (state.mode === "audio") parts.push("audio only");
  else parts.push(state.camera ? "camera on" : "camera off");
  return `${name}: ${parts.join(", ")}.`;
}

/** What the clinician's live heart rate card says (the live region reads it out). */
export function liveHrText(live: LiveHr): string {
  const last = live.readings.at(-1);
  if (live.watching && last) return `Heart rate ${Math.round(last.bpm)} bpm, ${liveHrTrend(live.readings)}.`;
  if (live.watching) return "The patient shares their heart rate; waiting for their strap or bridge.";
  if (live.cleared === "no_grant") return "The patient shares their heart rate, but has not granted you their samples.";
  if (live.cleared === "grant_ended") return "The patient's grant ended: their heart rate is no longer shown.";
  if (live.cleared === "off") return "The patient stopped sharing their heart rate.";
  return "The patient does not share their live heart rate.";
}

/** Rising, falling or steady: the last ~10 readings' mean against the ~10 before them (±3 bpm). */
export function liveHrTrend(readings: { bpm: number }[], window = 10): "rising" | "falling" | "steady" {
  const recent = readings.slice(-window);
  const before = readings.slice(-2 * window, -window);
  if (recent.length === 0 || before.length === 0) return "steady";
  const mean = (xs: { bpm: number }[]) => xs.reduce((sum, x) => sum + x.bpm, 0) / xs.length;
  const change = mean(recent) - mean(before);
  return change >= 3 ? "rising" : change <= -3 ? "falling" : "steady";
}

/** An SVG polyline's points for the readings in a width x height box (bpm scaled to its range). */
export function sparkline(readings: { bpm: number }[], width: number, height: number): string {
  if (readings.length === 0) return "";
  const values = readings.map((r) => r.bpm);
  const low = Math.min(...values) - 5;
  const high = Math.max(...values) + 5;
  const step = readings.length > 1 ? width / (readings.length - 1) : 0;
  return values.map((bpm, i) => `${(i * step).toFixed(1)},${(height - ((bpm - low) / (high - low)) * height).toFixed(1)}`).join(" ");
}

/**
 * Whether the live region should speak now: on every change of state (the text not being a
 * reading), and for readings at most every `everyMs` (a screen reader must not read each second).
 */
export function announceDue(args: { text: string; spoken: string; spokenAt: number; now: number; reading: boolean; everyMs?: number }): boolean {
  if (args.text === args.spoken) return false;
  if (!args.reading) return true;
  return !args.spoken.startsWith("Heart rate") || args.now - args.spokenAt >= (args.everyMs ?? 15_000);
}
