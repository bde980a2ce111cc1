/**
 * E-mail through a transactional HTTP API of Resend's shape: `POST {base}/emails` with a bearer key and
 * `{from, to: [..], subject, html, text, headers}`, answered `{id}`. The notification id goes in
 * `Idempotency-Key`, so a retry after a lost answer does not send twice.
 */
import { errorText, type NotificationChannel } from "./channel";

export function httpEmailChannel(opts: { baseUrl: string; apiKey: string; from: string }): NotificationChannel {
  const url = `${opts.baseUrl.replace(/\/+$/, "")}/emails`;
  return {
    name: "email",
    async send(m) {
      try {
        const res = await fetch(url, {
          method: "POST",
          headers: {
            authorization: `Bearer ${opts.apiKey}`,
            "content-type": "application/json",
            "idempotency-key": m.id,
          },
          body: JSON.stringify({
            from: opts.from,
            to: [m.to],
            subject: m.subject,
            text: m.text,
            ...(m.html ? { html: m.html } : {}),
            ...(Object.keys(m.headers).length > 0 ? { headers: m.headers } : {}),
          }),
        });
        const body = await res.text();
        if (!res.ok) return { ok: false, error: `HTTP ${res.status}: ${body.slice(0, 200)}` };
        let id: string | null = null;
        try {
          id = (JSON.parse(body) as { id?: string }).id ?? null;
        } catch {
          // A 2xx without a JSON id still means accepted.
        }
        return { ok: true, providerId: id };
      } catch (err) {
        return { ok: false, error: errorText(err) };
      }
    },
  };
}
