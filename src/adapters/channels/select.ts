/** Which channel each audience uses, chosen by configuration (wrangler.toml vars and secrets). */
import { consoleChannel, type NotificationChannel } from "./channel";
import { cloudflareEmailChannel } from "./email-cloudflare";
import { httpEmailChannel } from "./email-http";
import { pushChannel } from "./push";
import { twilioSmsChannel } from "./sms-twilio";

/** A channel set to null is not configured: its messages end `suppressed`, never retried. */
export type Channels = Record<string, NotificationChannel | null>;

/** The VAPID key pair and contact when all three are set; push is not offered without them. */
export function vapidKeys(env: Env) {
  if (!env.VAPID_PUBLIC_KEY || !env.VAPID_PRIVATE_KEY || !env.VAPID_SUBJECT) return null;
  return { publicKey: env.VAPID_PUBLIC_KEY, privateKey: env.VAPID_PRIVATE_KEY, subject: env.VAPID_SUBJECT };
}

function smsFor(env: Env): NotificationChannel | null {
  if (env.SMS_PROVIDER !== "twilio") return null;
  if (!env.TWILIO_ACCOUNT_SID || !env.TWILIO_AUTH_TOKEN || !env.SMS_FROM) return null;
  return twilioSmsChannel({
    accountSid: env.TWILIO_ACCOUNT_SID,
    authToken: env.TWILIO_AUTH_TOKEN,
    from: env.SMS_FROM,
    baseUrl: env.TWILIO_API_BASE,
  });
}

export function channelsFor(env: Env): Channels {
  const from = env.EMAIL_FROM || "shop@example.com";
  const provider: string = env.EMAIL_PROVIDER || "cloudflare";
  let email: NotificationChannel | null = null;
  if (provider === "resend" && env.EMAIL_API_URL && env.EMAIL_API_KEY) {
    email = httpEmailChannel({ baseUrl: env.EMAIL_API_URL, apiKey: env.EMAIL_API_KEY, from });
  } else if (provider === "cloudflare" && env.EMAIL) {
    email = cloudflareEmailChannel(env.EMAIL, from);
  }
  const vapid = vapidKeys(env);
  // The redirect exists for the tests' local push service only; a deployed Worker never honours it.
  const sendTo = env.TEST_MODE === "1" ? env.PUSH_ENDPOINT_OVERRIDE : undefined;
  const push = vapid ? pushChannel(env.DB, { vapid, sendTo }) : null;
  return { email, push, sms: smsFor(env), console: consoleChannel };
}
