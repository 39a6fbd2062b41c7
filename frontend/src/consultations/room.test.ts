import { describe, expect, it } from "vitest";
import { afterHello, closeReason, fingerprint, fromNewConnection, directions, ignoresOffer, initialRoom, isPolite, parseServerMessage, peerStateText, roomAfter, roomAfterClose, type RoomState, type ServerMessage } from "./room";

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
