// The browser side of a consultation's media: this page's camera and microphone, and one
// RTCPeerConnection per other participant with perfect negotiation (room.ts decides who is polite).

import { directions, ignoresOffer, isPolite, type IceServer, type Mode, type Role, type Signal } from "./room";

/** This page's camera and microphone, chosen and muted by the person. */
export class LocalMedia {
  stream = new MediaStream();
  muted = false;
  camera = true;
  mode: Mode = "video";
  private listeners: (() => void)[] = [];

  /** Open the chosen devices (or the defaults); false when the browser gives none. */
  async open(ids: { audio?: string; video?: string } = {}): Promise<boolean> {
    let fresh: MediaStream;
    try {
      fresh = await navigator.mediaDevices.getUserMedia({
        audio: ids.audio ? { deviceId: { exact: ids.audio } } : true,
        video: ids.video ? { deviceId: { exact: ids.video } } : true,
      });
    } catch {
      return false;
    }
    this.stream.getTracks().forEach((track) => {
      track.stop();
      this.stream.removeTrack(track);
    });
    fresh.getTracks().forEach((track) => this.stream.addTrack(track));
    this.apply();
    this.listeners.forEach((listener) => listener());
    return true;
  }

  track(kind: "audio" | "video"): MediaStreamTrack | null {
    return this.stream.getTracks().find((t) => t.kind === kind) ?? null;
  }

  /** Called after the devices change, so every connection sends the new tracks. */
  onTracks(listener: () => void): void {
    this.listeners.push(listener);
  }

  set(change: Partial<Pick<LocalMedia, "muted" | "camera" | "mode">>): void {
    Object.assign(this, change);
    this.apply();
  }

  private apply(): void {
    const audio = this.track("audio");
    const video = this.track("video");
    if (audio) audio.enabled = !this.muted && this.mode !== "text";
    if (video) video.enabled = this.camera && this.mode === "video";
  }

  close(): void {
    this.stream.getTracks().forEach((track) => track.stop());
  }
}

export interface LinkEvents {
  send(to: Role, data: Signal): void;
  onRemoteStream(role: Role, stream: MediaStream): void;
  onState(role: Role, state: Extract<Signal, { kind: "state" }>): void;
  onConnection(role: Role, state: RTCPeerConnectionState): void;
}

/** The connection to one other participant. */
export class PeerLink {
  readonly pc: RTCPeerConnection;
  remoteSession: string | null = null;
  private makingOffer = false;
  private ignoreOffer = false;
  private settingRemoteAnswer = false;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly watchdog: ReturnType<typeof setInterval>;

  constructor(
    readonly role: Role,
    private readonly me: Role,
    private readonly session: string,
    iceServers: IceServer[],
    private readonly local: LocalMedia,
    private readonly events: LinkEvents,
  ) {
    this.pc = new RTCPeerConnection({ iceServers });
    for (const track of local.stream.getTracks()) this.pc.addTrack(track, local.stream);
    this.applyMode();
    this.pc.onnegotiationneeded = async () => {
      try {
        this.makingOffer = true;
        await this.pc.setLocalDescription();
        this.signal({ kind: "description", session: this.session, description: this.pc.localDescription!.toJSON() });
      } catch {
        // A failed offer is retried by the next negotiationneeded or ICE restart.
      } finally {
        this.makingOffer = false;
      }
    };
    this.pc.onicecandidate = ({ candidate }) => this.signal({ kind: "candidate", session: this.session, candidate: candidate ? candidate.toJSON() : null });
    this.pc.ontrack = ({ track, streams }) => this.events.onRemoteStream(role, streams[0] ?? new MediaStream([track]));
    this.pc.onconnectionstatechange = () => {
      this.events.onConnection(role, this.pc.connectionState);
      if (this.pc.connectionState === "connected") this.sendState();
    };
    // The impolite side (which offers) restarts ICE on a connection that did not come up.
    let stuckChecks = 0;
    this.watchdog = setInterval(() => {
      const up = this.pc.connectionState === "connected" || this.pc.connectionState === "closed";
      stuckChecks = up ? 0 : stuckChecks + 1;
      if (stuckChecks >= 3 && !this.polite && this.pc.signalingState === "stable") {
        stuckChecks = 0;
        this.restartIce();
      }
    }, 5000);
    // A network drop: restart ICE at once when it failed, after a short grace when it is only disconnected.
    this.pc.oniceconnectionstatechange = () => {
      if (this.pc.iceConnectionState === "failed") this.restartIce();
      else if (this.pc.iceConnectionState === "disconnected") {
        if (this.restartTimer) clearTimeout(this.restartTimer);
        this.restartTimer = setTimeout(() => {
          if (this.pc.iceConnectionState === "disconnected") this.restartIce();
        }, 3000);
      }
    };
  }

  get polite(): boolean {
    return isPolite(this.me, this.role);
  }

  private signal(data: Signal): void {
    this.events.send(this.role, data);
  }

  restartIce(): void {
    if (this.pc.signalingState !== "closed") this.pc.restartIce();
  }

  /** Whether the media path is down (after a drop, before the ICE restart took). */
  get broken(): boolean {
    return ["failed", "disconnected"].includes(this.pc.iceConnectionState);
  }

  sendState(): void {
    this.signal({ kind: "state", session: this.session, muted: this.local.muted, camera: this.local.camera, mode: this.local.mode });
  }

  /** Send the local tracks in use now (after a device change) without renegotiating. */
  async replaceTracks(): Promise<void> {
    for (const transceiver of this.pc.getTransceivers()) {
      const kind = transceiver.receiver.track.kind as "audio" | "video";
      const track = this.local.track(kind);
      if (track && transceiver.sender.track !== track) await transceiver.sender.replaceTrack(track);
    }
  }

  /** Audio-only and text-only stop the media in both directions (renegotiated by perfect negotiation). */
  applyMode(): void {
    const wanted = directions(this.local.mode);
    for (const transceiver of this.pc.getTransceivers()) {
      if (transceiver.currentDirection === "stopped") continue;
      const direction = wanted[transceiver.receiver.track.kind as "audio" | "video"];
      if (transceiver.direction !== direction) transceiver.direction = direction;
    }
  }

  async receive(data: Signal): Promise<void> {
    if (data.kind === "state") {
      this.events.onState(this.role, data);
      return;
    }
    this.remoteSession = data.session;
    if (data.kind === "hello") return;
    if (data.kind === "description") {
      const description = data.description;
      const offerCollision = description.type === "offer" && ignoresOffer({ polite: this.polite, makingOffer: this.makingOffer, signalingState: this.pc.signalingState, settingRemoteAnswer: this.settingRemoteAnswer });
      this.ignoreOffer = description.type === "offer" && offerCollision;
      if (this.ignoreOffer) return;
      this.settingRemoteAnswer = description.type === "answer";
      await this.pc.setRemoteDescription(description as RTCSessionDescriptionInit);
      this.settingRemoteAnswer = false;
      if (description.type === "offer") {
        this.applyMode(); // transceivers the offer created follow this page's mode too
        await this.pc.setLocalDescription();
        this.signal({ kind: "description", session: this.session, description: this.pc.localDescription!.toJSON() });
      }
    } else {
      try {
        await this.pc.addIceCandidate(data.candidate ?? undefined);
      } catch (error) {
        if (!this.ignoreOffer) throw error;
      }
    }
  }

  close(): void {
    clearInterval(this.watchdog);
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.pc.close();
  }
}
