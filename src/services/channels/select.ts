/** Which channel each audience uses, chosen by configuration (wrangler.toml vars and secrets). */
import { consoleChannel, type NotificationChannel } from "./channel";
import { cloudflareEmailChannel } from "./email-cloudflare";
import { httpEmailChannel } from "./email-http";

/** A channel set to null is not configured: its messages end `suppressed`, never retried. */
export type Channels = Record<string, NotificationChannel | null>;

export function channelsFor(env: Env): Channels {
  const from = env.EMAIL_FROM || "shop@example.com";
  const provider: string = env.EMAIL_PROVIDER || "cloudflare";
  let email: NotificationChannel | null = null;
  if (provider === "resend" && env.EMAIL_API_URL && env.EMAIL_API_KEY) {
    email = httpEmailChannel({ baseUrl: env.EMAIL_API_URL, apiKey: env.EMAIL_API_KEY, from });
  } else if (provider === "cloudflare" && env.EMAIL) {
    email = cloudflareEmailChannel(env.EMAIL, from);
  }
  return { email, console: consoleChannel };
}
