/**
 * The one interface every delivery channel implements (e-mail through Cloudflare or an HTTP provider, the
 * staff console). A channel sends one message and says what happened; it never throws for a provider's
 * refusal, so the caller can record the attempt and schedule the next one.
 */
export type OutgoingMessage = {
  /** The notification id: sent as the provider's idempotency key where it has one. */
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  headers: Record<string, string>;
};

export type SendResult = { ok: true; providerId: string | null } | { ok: false; error: string };

export interface NotificationChannel {
  /** Stored on the row and in NotificationSent.channel: "email", "console". */
  readonly name: string;
  send(message: OutgoingMessage): Promise<SendResult>;
}

/** Staff alerts: the console reads the D1 row, so recording it is the delivery. */
export const consoleChannel: NotificationChannel = {
  name: "console",
  send: async () => ({ ok: true, providerId: null }),
};

/** A short, single-line description of whatever a provider threw, for `last_error`. */
export function errorText(err: unknown): string {
  return String(err instanceof Error ? err.message : err)
    .replace(/\s+/g, " ")
    .slice(0, 300);
}
