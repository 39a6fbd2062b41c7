// The signed-in person's notifications socket (/ws/v1/notifications/): badges, new levels and
// organizers' announcements become toasts on whatever page is open. It reconnects with a growing
// pause after a drop and closes when the person signs out.

import { toast } from "./toasts";

export interface Notification {
  kind?: unknown;
  [key: string]: unknown;
}

const text = (value: unknown): string => (typeof value === "string" ? value : "");

/** The sentence a notification shows (and a screen reader announces), or null to show nothing. */
export function notificationText(event: Notification): string | null {
  if (event.kind === "badge") {
    const title = text(event.title) || text(event.badge) || "a badge";
    const tier = typeof event.tier === "number" && event.tier > 1 ? ` (tier ${event.tier})` : "";
    return `Badge earned: ${title}${tier}.`;
  }
  if (event.kind === "level" && typeof event.level === "number") {
    return event.live ? `Level ${event.level} reached during this workout.` : `Level ${event.level} reached.`;
  }
  if (event.kind === "announcement" && text(event.message)) {
    return text(event.challenge) ? `${text(event.challenge)}: ${text(event.message)}` : text(event.message);
  }
  return null;
}

/** Pause before the n-th reconnection attempt: 1 s doubling to at most 30 s. */
export const reconnectDelay = (attempt: number): number => Math.min(30_000, 1000 * 2 ** Math.max(0, attempt));

export class NotificationLink {
  private socket: WebSocket | null = null;
  private wanted = false;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly show: (text: string, kind: string) => void = (t, k) => void toast(t, k)) {}

  /** Keep a socket open while someone is signed in. */
  follow(signedIn: boolean): void {
    if (signedIn && !this.wanted) {
      this.wanted = true;
      this.open();
    } else if (!signedIn && this.wanted) {
      this.wanted = false;
      if (this.timer) clearTimeout(this.timer);
      this.socket?.close();
      this.socket = null;
    }
  }

  private open(): void {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws/v1/notifications/`);
    this.socket = socket;
    socket.onopen = () => (this.attempt = 0);
    socket.onmessage = (message) => {
      let event: Notification;
      try {
        event = JSON.parse(String(message.data)) as Notification;
      } catch {
        return;
      }
      const sentence = notificationText(event ?? {});
      if (sentence) this.show(sentence, typeof event.kind === "string" ? event.kind : "info");
    };
    socket.onclose = () => {
      if (this.socket !== socket || !this.wanted) return;
      this.socket = null;
      this.timer = setTimeout(() => this.wanted && this.open(), reconnectDelay(this.attempt++));
    };
  }
}
