import { describe, expect, it } from "vitest";
import { afterHello, announceDue, closeReason, fingerprint, fromNewConnection, directions, ignoresOffer, initialRoom, isPolite, LIVE_HR_KEPT, liveHrText, liveHrTrend, parseServerMessage, peerStateText, roomAfter, roomAfterClose, sparkline, type RoomState, type ServerMessage } from "./room";

const run = (...messages: ServerMessage[]): RoomState => messages.reduce(roomAfter, initialRoom());
const welcome = (role: "clinician" | "patient" | "guest", admitted: boolean): ServerMessage => ({ type: "welcome", role, admitted, ice_servers: [{ urls: ["stun:stun.example.org:3478"] }] });

describe("the room's messages", () => {
  it("reads the server's messages and refuses what it does not understand", () => {
    expect(parseServerMessage('{"type":"admitted"}')).toEqual({ type: "admitted" });
    expect(parseServerMessage('{"type":"peer","role":"patient","name":"Ann","present":true}')).toEqual({ type: "peer", role: "patient", name: "Ann", present: true });
    expect(parseServerMessage('{"type":"signal","from":"clinician","data":{"kind":"candidate","session":"s1","candidate":null}}')?.type).toBe("signal");
    expect(parseServerMessage("not json")).toBeNull();
    expect(parseServerMessage('{"type":"peer","role":"admin","name":"X","present":true}')).toBeNull();
    expect(parseServerMessage('{"type":"signal","from":"patient","data":{"kind":"offer"}}')).toBeNull();
    expect(parseServerMessage('{"type":"chat","from":"patient","text":5,"name":"Ann"}')).toBeNull();
    expect(parseServerMessage("[1,2]")).toBeNull();
  });
});

describe("the room's state", () => {
  it("puts the patient in the waiting room until the clinician admits them", () => {
    const waiting = run(welcome("patient", false));
    const admitted = roomAfter(waiting, { type: "admitted" });

    expect(waiting.phase).toBe("waiting");
    expect(waiting.iceServers).toEqual([{ urls: ["stun:stun.example.org:3478"] }]);
    expect(admitted.phase).toBe("in-call");
  });

  it("shows the clinician who waits, and forgets them once they are in", () => {
    const asked = run(welcome("clinician", true), { type: "waiting", role: "patient", name: "Ann" }, { type: "waiting", role: "guest", name: "Interpreter" });
    const patientIn = roomAfter(asked, { type: "peer", role: "patient", name: "Ann", present: true });

    expect(asked.phase).toBe("in-call");
    expect([...asked.waiting]).toEqual([["patient", "Ann"], ["guest", "Interpreter"]]);
    expect([...patientIn.waiting]).toEqual([["guest", "Interpreter"]]);
    expect(patientIn.peers.get("patient")).toEqual({ role: "patient", name: "Ann", present: true });
    expect(asked.waiting.size).toBe(2); // the earlier state is not changed
  });

  it("keeps a peer whose socket dropped, marked away, and keeps the chat in order", () => {
    const state = run(
      welcome("patient", true),
      { type: "peer", role: "clinician", name: "Dr. Okafor", present: true },
      { type: "chat", from: "clinician", name: "Dr. Okafor", text: "Hello", at: "2026-12-07T14:00:00Z" },
      { type: "peer", role: "clinician", name: "Dr. Okafor", present: false },
      { type: "chat", from: "patient", name: "Ann", text: "Hi", at: "2026-12-07T14:00:05Z" },
    );

    expect(state.peers.get("clinician")?.present).toBe(false);
    expect(state.chat.map((line) => line.text)).toEqual(["Hello", "Hi"]);
  });

  it("reconnects after a network drop but not after a refusal", () => {
    const inCall = run(welcome("patient", true));

    expect(roomAfterClose(inCall, 1006).phase).toBe("reconnecting");
    expect(roomAfterClose(inCall, 1011).phase).toBe("reconnecting");
    expect(roomAfterClose(inCall, 4404)).toMatchObject({ phase: "closed", closed: "This consultation does not exist or you take no part in it." });
    expect(roomAfterClose(inCall, 4403).phase).toBe("closed");
    expect(closeReason(4401)).toMatch(/sign in/);
    expect(closeReason(1001)).toBeNull();
  });

  it("keeps trying a room that refused the handshake (not open yet, or out of reach)", () => {
    const refused = roomAfterClose(initialRoom(), 1006, false);

    expect(refused.phase).toBe("connecting");
    expect(refused.error).toMatch(/opens ten minutes before the start/);
    expect(roomAfterClose(run(welcome("patient", true)), 1006, false).phase).toBe("reconnecting");
  });

  it("shows an error the server sent without leaving the call", () => {
    const state = run(welcome("patient", true), { type: "error", error: { code: "invalid", message: "A chat message is 1 to 2000 characters of text." } });

    expect(state).toMatchObject({ phase: "in-call", error: "A chat message is 1 to 2000 characters of text." });
  });
});

describe("negotiation", () => {
  it("makes exactly one side of each pair polite", () => {
    const roles = ["clinician", "patient", "guest"] as const;
    for (const a of roles) for (const b of roles) if (a !== b) expect(isPolite(a, b)).toBe(!isPolite(b, a));
    expect(isPolite("clinician", "patient")).toBe(false);
    expect(isPolite("guest", "patient")).toBe(true);
  });

  it("offers a new connection to a peer whose page is new, and restarts ICE on a broken one", () => {
    expect(afterHello(undefined, "s2")).toBe("connect");
    expect(afterHello({ remoteSession: "s1", broken: false }, "s2")).toBe("connect");
    expect(afterHello({ remoteSession: "s1", broken: true }, "s1")).toBe("restart-ice");
    expect(afterHello({ remoteSession: null, broken: false }, "s1")).toBe("keep");
    expect(afterHello({ remoteSession: "s1", broken: false }, "s1")).toBe("keep");
  });

  it("tells an offer from a new peer connection by its DTLS fingerprint", () => {
    const sdp = (print: string) => `v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\na=group:BUNDLE 0\r\na=fingerprint:sha-256 ${print}\r\na=setup:actpass\r\n`;

    expect(fingerprint(sdp("AA:BB"))).toBe("sha-256 AA:BB");
    expect(fingerprint("v=0\r\n")).toBeNull();
    expect(fromNewConnection(sdp("AA:BB"), sdp("AA:BB"))).toBe(false);
    expect(fromNewConnection(sdp("AA:BB"), sdp("CC:DD"))).toBe(true);
    expect(fromNewConnection(undefined, sdp("CC:DD"))).toBe(false);
    expect(fromNewConnection(sdp("AA:BB"), undefined)).toBe(false); // a candidate, not an offer
  });

  it("ignores a colliding offer only on the impolite side", () => {
    const glare = { makingOffer: true, signalingState: "have-local-offer", settingRemoteAnswer: false };
    expect(ignoresOffer({ polite: false, ...glare })).toBe(true);
    expect(ignoresOffer({ polite: true, ...glare })).toBe(false);
    expect(ignoresOffer({ polite: false, makingOffer: false, signalingState: "stable", settingRemoteAnswer: false })).toBe(false);
    expect(ignoresOffer({ polite: false, makingOffer: false, signalingState: "have-local-offer", settingRemoteAnswer: true })).toBe(false);
  });

  it("sends no video in audio-only mode and no media at all in text-only mode", () => {
    expect(directions("video")).toEqual({ audio: "sendrecv", video: "sendrecv" });
    expect(directions("audio")).toEqual({ audio: "sendrecv", video: "inactive" });
    expect(directions("text")).toEqual({ audio: "inactive", video: "inactive" });
  });

  it("says what the others' microphone and camera do", () => {
    expect(peerStateText("Ann", { muted: true, camera: true, mode: "video" })).toBe("Ann: microphone muted, camera on.");
    expect(peerStateText("Ann", { muted: false, camera: false, mode: "audio" })).toBe("Ann: microphone on, audio only.");
    expect(peerStateText("Ann", { muted: false, camera: true, mode: "text" })).toBe("Ann uses text only.");
  });
});

describe("the patient's live heart rate", () => {
  const reading = (bpm: number, t: number | null = null): ServerMessage => ({ type: "live_hr", bpm, t });

  it("reads the live heart rate messages and refuses malformed ones", () => {
    expect(parseServerMessage('{"type":"live_hr","bpm":131,"t":1764000002.5}')).toEqual({ type: "live_hr", bpm: 131, t: 1764000002.5 });
    expect(parseServerMessage('{"type":"live_hr","bpm":131}')).toEqual({ type: "live_hr", bpm: 131, t: null });
    expect(parseServerMessage('{"type":"live_hr_clear","reason":"grant_ended"}')).toEqual({ type: "live_hr_clear", reason: "grant_ended" });
    expect(parseServerMessage('{"type":"live_hr_sharing","on":true}')).toEqual({ type: "live_hr_sharing", on: true });
    expect(parseServerMessage('{"type":"live_hr","bpm":"131"}')).toBeNull();
    expect(parseServerMessage('{"type":"live_hr_clear","reason":"bored"}')).toBeNull();
    expect(parseServerMessage('{"type":"live_hr_sharing","on":"yes"}')).toBeNull();
  });

  it("shows the clinician the readings once the relay starts, and empties the view when cleared", () => {
    const watching = run(welcome("clinician", true), { type: "live_hr_start" }, reading(120), reading(124));
    const cleared = roomAfter(watching, { type: "live_hr_clear", reason: "grant_ended" });

    expect(watching.liveHr.readings.map((r) => r.bpm)).toEqual([120, 124]);
    expect(liveHrText(watching.liveHr)).toBe("Heart rate 124 bpm, steady.");
    expect(cleared.liveHr).toEqual({ sharing: false, watching: false, readings: [], cleared: "grant_ended" });
    expect(liveHrText(cleared.liveHr)).toBe("The patient's grant ended: their heart rate is no longer shown.");
  });

  it("ignores a reading that comes after the view was cleared, and forgets readings on a new socket", () => {
    const cleared = run(welcome("clinician", true), { type: "live_hr_start" }, reading(120), { type: "live_hr_clear", reason: "off" });
    const late = roomAfter(cleared, reading(130));
    const reconnected = run(welcome("clinician", true), { type: "live_hr_start" }, reading(120), welcome("clinician", true));

    expect(late.liveHr.readings).toEqual([]);
    expect(liveHrText(late.liveHr)).toBe("The patient stopped sharing their heart rate.");
    expect(reconnected.liveHr.watching).toBe(false);
    expect(reconnected.liveHr.readings).toEqual([]);
  });

  it("keeps the last minute of readings", () => {
    const many = Array.from({ length: LIVE_HR_KEPT + 5 }, (_, i) => reading(100 + i));
    const state = run(welcome("clinician", true), { type: "live_hr_start" }, ...many);

    expect(state.liveHr.readings).toHaveLength(LIVE_HR_KEPT);
    expect(state.liveHr.readings[0].bpm).toBe(105);
  });

  it("remembers the patient's own switch as the server confirmed it", () => {
    expect(run(welcome("patient", true), { type: "live_hr_sharing", on: true }).liveHr.sharing).toBe(true);
    expect(run(welcome("patient", true), { type: "live_hr_sharing", on: true }, { type: "live_hr_sharing", on: false }).liveHr.sharing).toBe(false);
  });

  it("says rising, falling or steady from the last readings against the ones before", () => {
    const series = (...bpms: number[]) => bpms.map((bpm) => ({ bpm }));
    expect(liveHrTrend(series(100, 100, 110, 110), 2)).toBe("rising");
    expect(liveHrTrend(series(110, 110, 100, 100), 2)).toBe("falling");
    expect(liveHrTrend(series(100, 101, 102, 101), 2)).toBe("steady");
    expect(liveHrTrend(series(100), 2)).toBe("steady");
  });

  it("draws the trend line inside its box", () => {
    expect(sparkline([{ bpm: 100 }, { bpm: 110 }, { bpm: 105 }], 200, 40)).toBe("0.0,30.0 100.0,10.0 200.0,20.0");
    expect(sparkline([{ bpm: 100 }], 200, 40)).toBe("0.0,20.0");
    expect(sparkline([], 200, 40)).toBe("");
  });

  it("reads state changes out at once but readings at most every 15 seconds", () => {
    const base = { spoken: "Heart rate 120 bpm, steady.", spokenAt: 1_000, reading: true };
    expect(announceDue({ ...base, text: "Heart rate 121 bpm, steady.", now: 5_000 })).toBe(false);
    expect(announceDue({ ...base, text: "Heart rate 121 bpm, steady.", now: 16_000 })).toBe(true);
    expect(announceDue({ ...base, text: "The patient stopped sharing their heart rate.", now: 2_000, reading: false })).toBe(true);
    expect(announceDue({ ...base, spoken: "The patient shares their heart rate; waiting for their strap or bridge.", text: "Heart rate 121 bpm, steady.", now: 1_500 })).toBe(true);
    expect(announceDue({ ...base, text: base.spoken, now: 99_000 })).toBe(false);
  });
});
