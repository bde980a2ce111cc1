/** E-mail through Cloudflare Email Service's `send_email` binding (simulated by `wrangler dev` and the tests). */
import { errorText, type NotificationChannel } from "./channel";

export function cloudflareEmailChannel(binding: SendEmail, from: string): NotificationChannel {
  return {
    name: "email",
    async send(m) {
      try {
        const res = await binding.send({
          from,
          to: m.to,
          subject: m.subject,
          text: m.text,
          ...(m.html ? { html: m.html } : {}),
          ...(Object.keys(m.headers).length > 0 ? { headers: m.headers } : {}),
        });
        return { ok: true, providerId: res?.messageId ?? null };
      } catch (err) {
        return { ok: false, error: errorText(err) };
      }
    },
  };
}
