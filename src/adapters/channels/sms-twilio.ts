/**
 * SMS through an HTTP API of Twilio's shape: `POST {base}/2010-04-01/Accounts/{sid}/Messages.json`, form-encoded
 * `To`, `From`, `Body`, with HTTP basic auth (account SID and auth token), answered `{sid}`. The message is the
 * row's short text (src/domain/notifications.ts `smsText`); `address` is the phone number.
 */
import { errorText, type NotificationChannel } from "./channel";

export const TWILIO_API_BASE = "https://api.twilio.com";

export function twilioSmsChannel(opts: {
  accountSid: string;
  authToken: string;
  from: string;
  baseUrl?: string;
}): NotificationChannel {
  const base = (opts.baseUrl || TWILIO_API_BASE).replace(/\/+$/, "");
  const url = `${base}/2010-04-01/Accounts/${encodeURIComponent(opts.accountSid)}/Messages.json`;
  const auth = `Basic ${btoa(`${opts.accountSid}:${opts.authToken}`)}`;
  return {
    name: "sms",
    async send(m) {
      try {
        const res = await fetch(url, {
          method: "POST",
          headers: { authorization: auth, "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ To: m.address, From: opts.from, Body: m.text }).toString(),
        });
        const body = await res.text();
        if (!res.ok) return { ok: false, error: `HTTP ${res.status}: ${body.slice(0, 200)}` };
        let sid: string | null = null;
        try {
          sid = (JSON.parse(body) as { sid?: string }).sid ?? null;
        } catch {
          // A 2xx without a JSON sid still means accepted.
        }
        return { ok: true, providerId: sid };
      } catch (err) {
        return { ok: false, error: errorText(err) };
      }
    },
  };
}
