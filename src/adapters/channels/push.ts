/**
 * Web Push: each message goes to one stored subscription (`address` = its id), encrypted per RFC 8291
 * (aes128gcm) and signed with VAPID (RFC 8292) by `@block65/webcrypto-web-push`, which runs on Web Crypto in
 * workerd. The push service answers 201; 404 and 410 mean the subscription is gone for good, so it is removed
 * and the message ends without retries; anything else is retried like e-mail.
 */
import { buildPushPayload, type VapidKeys } from "@block65/webcrypto-web-push";
import { getDb } from "../../db/client";
import { deletePushEndpoint, pushSubscriptionById } from "../../db/push-subscriptions";
import { pushPayload } from "../../domain/notifications";
import { errorText, type NotificationChannel } from "./channel";

/** How long the push service keeps a message for an offline device (seconds): order news is stale after a day. */
export const PUSH_TTL_SECONDS = 24 * 60 * 60;

export type PushOptions = {
  vapid: VapidKeys;
  /**
   * Tests only: every request goes to this origin (same path) instead of the subscription's. The library insists
   * on https endpoints, and the VAPID audience stays the endpoint's own origin.
   */
  sendTo?: string;
};

export function pushChannel(db: D1Database, opts: PushOptions): NotificationChannel {
  return {
    name: "push",
    async send(m) {
      try {
        const sub = await pushSubscriptionById(getDb(db), m.address);
        if (!sub) return { ok: false, error: "push subscription removed", retry: false };
        const request = await buildPushPayload(
          {
            data: pushPayload({ subject: m.subject, short: m.text, link: m.link, tag: m.id }),
            options: { ttl: PUSH_TTL_SECONDS, urgency: "normal" },
          },
          { endpoint: sub.endpoint, expirationTime: null, keys: { p256dh: sub.p256dh, auth: sub.auth } },
          opts.vapid,
        );
        const endpoint = new URL(sub.endpoint);
        const url = opts.sendTo
          ? `${opts.sendTo.replace(/\/+$/, "")}${endpoint.pathname}${endpoint.search}`
          : sub.endpoint;
        const res = await fetch(url, request);
        const body = await res.text();
        if (res.status === 404 || res.status === 410) {
          await deletePushEndpoint(getDb(db), sub.endpoint);
          return { ok: false, error: `push subscription expired (HTTP ${res.status})`, retry: false };
        }
        if (!res.ok) return { ok: false, error: `HTTP ${res.status}: ${body.slice(0, 200)}` };
        // The push service names the message it accepted in Location (RFC 8030 §5).
        return { ok: true, providerId: res.headers.get("location") };
      } catch (err) {
        return { ok: false, error: errorText(err) };
      }
    },
  };
}
