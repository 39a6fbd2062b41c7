// /consultations/<id>: the consultation room. The patient (and an invited guest) wait until the
// clinician lets them in; then audio and video go browser to browser (WebRTC, signalled over
// /ws/v1/rooms/<id>/), with a chat whose messages a screen reader announces, audio-only and
// text-only modes, device choice and mute. A dropped socket reconnects and a dropped media path
// restarts ICE, both without leaving the room. The patient may share their live heart rate (from
// their strap or the bridge); the clinician, with a samples grant, sees it and its recent trend.

import { api, ApiError } from "../app/api";
import { h } from "../app/dom";
import { reconnectDelay } from "../app/notifications";
import { signedIn, type Session } from "../app/session";
import { LocalMedia, PeerLink } from "./media";
import { afterHello, announceDue, chatTime, fromNewConnection, initialRoom, isPolite, liveHrText, parseServerMessage, peerStateText, roleLabel, roomAfter, roomAfterClose, sparkline, type Mode, type Role, type RoomState, type ServerMessage, type Signal } from "./room";

// GET care/appointments/<id>/ (wellness/care/appointments/serializers.py AppointmentOutput).
interface Appointment {
  id: number;
  clinician: { id: number; name: string; profession: string };
  patient: { id: number; name: string };
  guest: { id: number; name: string } | null;
  starts_at: string;
  ends_at: string;
  status: string;
}

/** How long a participant whose socket dropped keeps their media connection before it is closed. */
const AWAY_GRACE_MS = 30_000;

export const consultationPage = (session: Session) => async (params: Record<string, string>) => {
  if (!(await signedIn(session))) return h("p", {}, "Please sign in.");
  let appointment: Appointment;
  try {
    appointment = await api<Appointment>(`care/appointments/${encodeURIComponent(params.id)}/`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return notYours(session);
    throw error;
  }
  const room = new ConsultationRoom(appointment);
  void room.start();
  return room.element;
};

/** Not a participant: say so, and let an invited caregiver or interpreter enter their code. */
function notYours(session: Session): HTMLElement {
  const input = h("input", { id: "invitation", name: "invitation", autocomplete: "off", required: true });
  const alert = h("p", { role: "alert" });
  const form = h("form", {}, h("label", { for: "invitation" }, "Invitation code"), input, h("button", { type: "submit" }, "Join as a guest"), alert);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const joined = await api<Appointment>("care/appointments/guest/", { method: "POST", body: { invitation: input.value.trim() } });
      session.router().go(`/consultations/${joined.id}`);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      alert.textContent = error.message;
    }
  });
  return h(
    "section",
    { class: "card" },
    h("h1", {}, "Consultation not found"),
    h("p", { "data-room-refused": true }, "This consultation does not exist or you take no part in it."),
    h("h2", {}, "Invited as a caregiver or interpreter?"),
    form,
  );
}

class ConsultationRoom {
  readonly element: HTMLElement;
  private state: RoomState = initialRoom();
  private readonly local = new LocalMedia();
  private readonly session = crypto.randomUUID();
  private readonly links = new Map<Role, PeerLink>();
  private readonly away = new Map<Role, ReturnType<typeof setTimeout>>();
  private readonly remoteStates = new Map<Role, string>();
  private socket: WebSocket | null = null;
  private attempt = 0;
  private left = false;
  private shownChat = 0;

  private readonly status = h("p", { role: "status", "data-room-phase": "connecting" }, "Connecting…");
  private readonly waitingCard = h("section", { class: "card", "aria-labelledby": "waiting-h", hidden: true }, h("h2", { id: "waiting-h" }, "Waiting room"), h("p", {}, "You are in the waiting room. The clinician will let you in."));
  private readonly admitList = h("ul", {});
  private readonly admitCard = h("section", { class: "card", "aria-labelledby": "admit-h", hidden: true }, h("h2", { id: "admit-h" }, "Waiting to join"), this.admitList);
  private readonly localVideo = h("video", { autoplay: true, playsinline: true, "aria-label": "Your camera" });
  private readonly videos = h("div", { class: "room-videos" });
  private readonly peerStates = h("ul", { "aria-live": "polite", "aria-label": "Participants" });
  private readonly chatLog = h("div", { class: "room-chat", role: "log", "aria-live": "polite", "aria-label": "Chat messages" });
  private readonly chatInput = h("input", { id: "room-chat-text", name: "text", maxlength: "2000", autocomplete: "off", disabled: true });
  private readonly chatSend = h("button", { type: "submit", disabled: true }, "Send");
  private readonly muteButton = h("button", { type: "button", "aria-pressed": "false" }, "Mute microphone");
  private readonly cameraButton = h("button", { type: "button", "aria-pressed": "false" }, "Turn camera off");
  private readonly cameraSelect = h("select", { id: "room-camera" });
  private readonly micSelect = h("select", { id: "room-microphone" });
  private readonly mediaNote = h("p", { role: "status" });

  private readonly invite = this.inviteCard();

  // The patient's switch, and the clinician's view of the patient's live heart rate: the number
  // and trend line are shown, and a live region reads changes out (readings at most every 15 s).
  private readonly shareHr = h("input", { type: "checkbox", id: "room-share-hr" });
  private readonly shareCard = h(
    "section",
    { class: "card", "aria-labelledby": "share-hr-h", hidden: true },
    h("h2", { id: "share-hr-h" }, "Your heart rate"),
    h("div", {}, this.shareHr, h("label", { for: "room-share-hr" }, "Share my live heart rate with the clinician")),
    h("p", {}, "While this is on, the heart rate from your strap or the bridge goes to the clinician during this call (if you granted them your samples)."),
  );
  private readonly hrValue = h("p", { class: "room-hr-value", "data-live-hr": true });
  private readonly hrLine = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
  private readonly hrSpoken = h("p", { class: "visually-hidden", role: "status", "aria-live": "polite", "data-live-hr-spoken": true });
  private spokenAt = 0;
  private readonly hrCard = this.heartRateCard();

  constructor(private readonly appointment: Appointment) {
    this.localVideo.muted = true; // never hear yourself
    const who = [`${appointment.clinician.name} (clinician)`, `${appointment.patient.name} (patient)`];
    if (appointment.guest) who.push(`${appointment.guest.name} (guest)`);
    const when = `${new Date(appointment.starts_at).toLocaleString()} – ${new Date(appointment.ends_at).toLocaleTimeString()}`;
    const chatForm = h("form", { class: "room-chat-form" }, h("label", { for: "room-chat-text" }, "Your message"), this.chatInput, this.chatSend);
    chatForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = this.chatInput.value.trim();
      if (!text) return;
      this.send({ action: "chat", text });
      this.chatInput.value = "";
    });
    this.muteButton.addEventListener("click", () => this.changeMedia({ muted: !this.local.muted }));
    this.cameraButton.addEventListener("click", () => this.changeMedia({ camera: !this.local.camera }));
    this.shareHr.addEventListener("change", () => {
      // The person's choice stands on screen at once: a render before the server's answer keeps it.
      const on = this.shareHr.checked;
      this.state = { ...this.state, liveHr: { ...this.state.liveHr, sharing: on } };
      this.send({ action: "live_hr", on });
    });
    this.cameraSelect.addEventListener("change", () => void this.chooseDevices());
    this.micSelect.addEventListener("change", () => void this.chooseDevices());
    const leave = h("button", { type: "button", class: "secondary" }, "Leave the consultation");
    leave.addEventListener("click", () => {
      this.leave();
      this.status.textContent = "You left the consultation. Reload the page to join again.";
    });
    this.element = h(
      "div",
      { class: "room" },
      h("h1", {}, "Consultation"),
      h("p", {}, `${who.join(", ")}. ${when}.`),
      this.status,
      this.waitingCard,
      this.admitCard,
      h("section", { "aria-labelledby": "video-h" }, h("h2", { id: "video-h", class: "visually-hidden" }, "Video"), this.videos, this.peerStates),
      h(
        "section",
        { class: "card", "aria-labelledby": "controls-h" },
        h("h2", { id: "controls-h" }, "Microphone and camera"),
        h("div", { class: "room-buttons" }, this.muteButton, this.cameraButton),
        this.modeChoice(),
        h("div", { class: "field" }, h("label", { for: "room-camera" }, "Camera"), this.cameraSelect),
        h("div", { class: "field" }, h("label", { for: "room-microphone" }, "Microphone"), this.micSelect),
        this.mediaNote,
      ),
      this.hrCard,
      this.shareCard,
      h("section", { class: "card", "aria-labelledby": "chat-h" }, h("h2", { id: "chat-h" }, "Chat"), this.chatLog, chatForm),
      this.invite,
      leave,
    );
    this.videos.append(h("figure", { class: "room-video" }, this.localVideo, h("figcaption", {}, "You")));
    // The page is gone (another route): leave the room and free the camera.
    const watch = setInterval(() => {
      if (this.left) clearInterval(watch);
      else if (!this.element.isConnected && this.socket) {
        clearInterval(watch);
        this.leave();
      }
    }, 1000);
  }

  async start(): Promise<void> {
    if (await this.local.open()) {
      this.localVideo.srcObject = this.local.stream;
      await this.listDevices();
    } else {
      this.local.set({ mode: "text" });
      this.mediaNote.textContent = "No camera or microphone could be opened: text only.";
      this.element.querySelector<HTMLInputElement>("input[value=text]")!.checked = true;
    }
    this.local.onTracks(() => {
      this.localVideo.srcObject = this.local.stream;
      this.links.forEach((link) => void link.replaceTracks());
    });
    this.connect();
  }

  private modeChoice(): HTMLElement {
    const choices: [Mode, string][] = [["video", "Video and audio"], ["audio", "Audio only"], ["text", "Text only"]];
    const fieldset = h("fieldset", {}, h("legend", {}, "For a poor connection"));
    for (const [mode, label] of choices) {
      const input = h("input", { type: "radio", name: "room-mode", id: `room-mode-${mode}`, value: mode, checked: mode === "video" });
      input.addEventListener("change", () => input.checked && this.changeMedia({ mode }));
      fieldset.append(h("div", {}, input, h("label", { for: `room-mode-${mode}` }, label)));
    }
    return fieldset;
  }

  private heartRateCard(): HTMLElement {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 240 48");
    svg.setAttribute("class", "room-hr-trend");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("preserveAspectRatio", "none");
    this.hrLine.setAttribute("fill", "none");
    this.hrLine.setAttribute("stroke", "currentColor");
    this.hrLine.setAttribute("stroke-width", "2");
    this.hrLine.setAttribute("vector-effect", "non-scaling-stroke");
    svg.append(this.hrLine);
    return h("section", { class: "card", "aria-labelledby": "live-hr-h", hidden: true }, h("h2", { id: "live-hr-h" }, "Patient's live heart rate"), this.hrValue, svg, this.hrSpoken);
  }

  private renderLiveHr(): void {
    const s = this.state;
    const live = s.liveHr;
    this.hrCard.hidden = s.role !== "clinician" || s.phase !== "in-call";
    this.shareCard.hidden = s.role !== "patient" || s.phase !== "in-call";
    this.shareHr.checked = live.sharing;
    const text = liveHrText(live);
    const reading = live.watching && live.readings.length > 0;
    this.hrValue.textContent = reading ? `${Math.round(live.readings.at(-1)!.bpm)} bpm` : "";
    this.hrValue.dataset.state = reading ? "reading" : live.watching ? "waiting" : (live.cleared ?? "none");
    this.hrLine.setAttribute("points", reading ? sparkline(live.readings, 240, 48) : "");
    const now = Date.now();
    if (announceDue({ text, spoken: this.hrSpoken.textContent ?? "", spokenAt: this.spokenAt, now, reading })) {
      this.hrSpoken.textContent = text;
      this.spokenAt = now;
    }
    if (!reading) this.hrValue.textContent = text;
  }

  private inviteCard(): HTMLElement {
    const code = h("output", { "data-invitation": true });
    const button = h("button", { type: "button", class: "secondary" }, "Invite a caregiver or interpreter");
    button.addEventListener("click", async () => {
      try {
        const { invitation } = await api<{ invitation: string }>(`care/appointments/${this.appointment.id}/guest-invitation/`, { method: "POST" });
        code.textContent = `Give them this code (it works once): ${invitation}`;
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        code.textContent = error.message;
      }
    });
    return h("section", { class: "card", "aria-labelledby": "invite-h", hidden: true }, h("h2", { id: "invite-h" }, "A third participant"), button, h("p", {}, code));
  }

  private async listDevices(): Promise<void> {
    const devices = await navigator.mediaDevices.enumerateDevices();
    const fill = (select: HTMLSelectElement, kind: MediaDeviceKind, current: string | undefined) => {
      const options = devices.filter((d) => d.kind === kind).map((d, i) => h("option", { value: d.deviceId, selected: d.deviceId === current }, d.label || `${kind === "videoinput" ? "Camera" : "Microphone"} ${i + 1}`));
      select.replaceChildren(...options);
    };
    fill(this.cameraSelect, "videoinput", this.local.track("video")?.getSettings().deviceId);
    fill(this.micSelect, "audioinput", this.local.track("audio")?.getSettings().deviceId);
  }

  private async chooseDevices(): Promise<void> {
    const opened = await this.local.open({ video: this.cameraSelect.value || undefined, audio: this.micSelect.value || undefined });
    this.mediaNote.textContent = opened ? "Devices changed." : "That device could not be opened.";
  }

  private changeMedia(change: { muted?: boolean; camera?: boolean; mode?: Mode }): void {
    this.local.set(change);
    this.muteButton.setAttribute("aria-pressed", String(this.local.muted));
    this.cameraButton.setAttribute("aria-pressed", String(!this.local.camera));
    this.links.forEach((link) => {
      if (change.mode) link.applyMode();
      link.sendState();
    });
  }

  private send(message: Record<string, unknown>): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private connect(): void {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws/v1/rooms/${this.appointment.id}/`);
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.attempt = 0;
    };
    socket.onmessage = (event) => {
      const message = parseServerMessage(String(event.data));
      if (message && this.socket === socket) this.handle(message);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket || this.left) return;
      this.state = roomAfterClose(this.state, event.code, opened);
      this.render();
      if (this.state.phase !== "closed") setTimeout(() => !this.left && this.connect(), reconnectDelay(this.attempt++));
      else this.leave();
    };
  }

  private handle(message: ServerMessage): void {
    const wasSharing = this.state.liveHr.sharing;
    this.state = roomAfter(this.state, message);
    if ((message.type === "welcome" || message.type === "admitted") && this.state.phase === "in-call" && this.state.role === "patient" && wasSharing) {
      // A new socket shares nothing until told: share again after a reconnect.
      this.send({ action: "live_hr", on: true });
    }
    if (message.type === "welcome") {
      // New TURN credentials; a media path that broke while the socket was away restarts now.
      this.links.forEach((link) => {
        link.pc.setConfiguration({ iceServers: this.state.iceServers });
        if (link.broken) link.restartIce();
      });
    } else if (message.type === "peer") {
      this.peerPresence(message.role, message.present);
    } else if (message.type === "signal") {
      this.signalFrom(message.from, message.data);
    }
    this.render();
  }

  private peerPresence(role: Role, present: boolean): void {
    const timer = this.away.get(role);
    if (timer) clearTimeout(timer);
    this.away.delete(role);
    if (!present) {
      // Their socket dropped: keep the call for a while, they may be reconnecting.
      this.away.set(role, setTimeout(() => this.dropLink(role), AWAY_GRACE_MS));
      return;
    }
    // A clear offerer: the impolite side offers; the polite side says hello and waits for the
    // offer (two first offers at once left Chromium without candidates after the rollback).
    if (isPolite(this.state.role!, role)) {
      this.send({ action: "signal", to: role, data: { kind: "hello", session: this.session } });
      return;
    }
    const link = this.links.get(role);
    if (!link) this.link(role);
    else if (link.broken) link.restartIce();
    else link.sendState();
  }

  private signalFrom(role: Role, data: Signal): void {
    let link = this.links.get(role);
    if (data.kind === "hello") {
      const next = afterHello(link, data.session);
      if (next === "connect") {
        if (link) this.dropLink(role); // they reloaded the page: their old connection is gone
        link = this.link(role);
      } else if (next === "restart-ice") link!.restartIce();
      link!.remoteSession = data.session;
      return;
    }
    const offer = data.kind === "description" && data.description.type === "offer" ? data.description.sdp : undefined;
    if (link && ((link.remoteSession !== null && link.remoteSession !== data.session) || fromNewConnection(link.pc.remoteDescription?.sdp, offer))) {
      // They reloaded the page, or made a new connection after ours was given up: start afresh.
      this.dropLink(role);
      link = undefined;
    }
    // Only an offer starts a connection; anything else for a connection not made is stale.
    if (!link && !(data.kind === "description" && data.description.type === "offer")) return;
    void (link ?? this.link(role)).receive(data).catch(() => undefined);
  }

  private link(role: Role): PeerLink {
    const figure = h("figure", { class: "room-video", "data-peer": role }, h("video", { autoplay: true, playsinline: true, "aria-label": `${this.peerName(role)}'s camera` }), h("figcaption", {}, `${this.peerName(role)} (${roleLabel(role)})`));
    this.videos.append(figure);
    const link = new PeerLink(role, this.state.role!, this.session, this.state.iceServers, this.local, {
      send: (to, data) => this.send({ action: "signal", to, data }),
      onRemoteStream: (from, stream) => {
        const video = this.videos.querySelector<HTMLVideoElement>(`[data-peer=${from}] video`);
        if (video && video.srcObject !== stream) {
          video.srcObject = stream;
          void video.play().catch(() => undefined);
        }
      },
      onState: (from, state) => {
        this.remoteStates.set(from, peerStateText(this.peerName(from), state));
        this.render();
      },
      onConnection: (from, state) => {
        figure.dataset.connection = state;
        if (state === "failed" || state === "disconnected") this.mediaNote.textContent = `The connection to ${this.peerName(from)} dropped; reconnecting…`;
        else if (state === "connected") this.mediaNote.textContent = "";
      },
    });
    this.links.set(role, link);
    return link;
  }

  private dropLink(role: Role): void {
    this.links.get(role)?.close();
    this.links.delete(role);
    this.remoteStates.delete(role);
    this.videos.querySelector(`[data-peer=${role}]`)?.remove();
    this.render();
  }

  private peerName(role: Role): string {
    return this.state.peers.get(role)?.name ?? this.state.waiting.get(role) ?? roleLabel(role);
  }

  private leave(): void {
    this.left = true;
    this.socket?.close();
    [...this.links.keys()].forEach((role) => this.dropLink(role));
    this.away.forEach((timer) => clearTimeout(timer));
    this.local.close();
    this.chatInput.disabled = this.chatSend.disabled = true;
  }

  private render(): void {
    const s = this.state;
    const inCall = s.phase === "in-call";
    this.status.dataset.roomPhase = s.phase;
    this.status.textContent =
      s.phase === "closed"
        ? s.closed!
        : s.phase === "reconnecting"
          ? "Connection lost; reconnecting. You stay in the consultation."
          : s.phase === "waiting"
            ? "The clinician will let you in."
            : s.phase === "connecting"
              ? (s.error ?? "Connecting…")
              : [...s.peers.values()].some((p) => p.present)
                ? "In the consultation."
                : s.role === "clinician"
                  ? "In the consultation. Nobody else has joined yet."
                  : "In the consultation. Waiting for the clinician.";
    if (s.error && s.phase !== "closed" && s.phase !== "connecting") this.status.textContent += ` ${s.error}`;
    this.waitingCard.hidden = s.phase !== "waiting";
    this.invite.hidden = s.role === null || s.role === "guest" || s.phase === "closed";
    this.admitCard.hidden = s.role !== "clinician" || s.waiting.size === 0;
    this.admitList.replaceChildren(
      ...[...s.waiting].map(([role, name]) => {
        const admit = h("button", { type: "button" }, `Let ${name} in`);
        admit.addEventListener("click", () => this.send({ action: "admit", who: role }));
        return h("li", {}, `${name} (${roleLabel(role)}) `, admit);
      }),
    );
    this.chatInput.disabled = this.chatSend.disabled = !inCall;
    for (const line of s.chat.slice(this.shownChat)) {
      this.chatLog.append(h("p", {}, h("strong", {}, line.from === s.role ? "You" : line.name), ` (${chatTime(line.at)}): `, line.text));
    }
    this.shownChat = s.chat.length;
    this.renderLiveHr();
    this.peerStates.replaceChildren(
      ...[...s.peers.values()].map((peer) =>
        h("li", {}, peer.present ? (this.remoteStates.get(peer.role) ?? `${peer.name} (${roleLabel(peer.role)}) is here.`) : `${peer.name} lost their connection; waiting for them to come back.`),
      ),
    );
  }
}
