/**
 * The one interface every delivery channel implements (e-mail through Cloudflare or an HTTP provider, Web Push,
 * SMS, the staff console). A channel sends one message and says what happened; it never throws for a provider's
 * refusal, so the caller can record the attempt and schedule the next one.
 */
export type OutgoingMessage = {
  /** The notification id: sent as the provider's idempotency key where it has one. */
  id: string;
  to: string;
  /** The channel's own destination when it is not `to`: a push subscription id, a phone number. */
  address: string;
  subject: string;
  text: string;
  html: string | null;
  headers: Record<string, string>;
  /** The message's one link (push opens it; SMS carries it in `text`). */
  link: string | null;
};

/**
 * `retry: false` says another attempt cannot succeed (a push subscription the service says is gone): the
 * message ends `failed` at once instead of using up the retry budget.
 */
export type SendResult = { ok: true; providerId: string | null } | { ok: false; error: string; retry?: false };

export interface NotificationChannel {
  /** Stored on the row and in NotificationSent.channel: "email", "push", "sms", "console". */
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
