// Secrets and test-only bindings that `wrangler types` cannot see (secrets live in .dev.vars or
// `wrangler secret put`). Only local development has defaults for them (src/domain/payment-setup.ts).
interface ShopSecrets {
  PAYMENT_WEBHOOK_SECRET?: string;
  STRIPE_SECRET_KEY?: string;
  STRIPE_WEBHOOK_SECRET?: string;
  /** Where the Stripe adapter sends its calls; tests point it at a local server. Default: api.stripe.com. */
  STRIPE_API_BASE?: string;
  SEED_PASSWORD?: string;
  /** API key of the HTTP e-mail provider (EMAIL_PROVIDER = "resend"). */
  EMAIL_API_KEY?: string;
  /** Signs one-click unsubscribe links (local default in src/services/notifications/unsubscribe.ts). */
  UNSUBSCRIBE_SECRET?: string;
  /** Web Push (RFC 8292): the application server's P-256 key pair, base64url (`npm run vapid:generate`). */
  VAPID_PUBLIC_KEY?: string;
  VAPID_PRIVATE_KEY?: string;
  /** A `mailto:` or `https:` contact the push services may use about this sender. */
  VAPID_SUBJECT?: string;
  /** "twilio" turns SMS on (with the three below); unset, no SMS is written or sent. */
  SMS_PROVIDER?: string;
  TWILIO_ACCOUNT_SID?: string;
  TWILIO_AUTH_TOKEN?: string;
  /** The sending number (E.164) or messaging service sender. */
  SMS_FROM?: string;
  /** Where the SMS adapter sends its calls; tests point it at a local server. Default: api.twilio.com. */
  TWILIO_API_BASE?: string;
  /** Tests only (honoured with TEST_MODE = "1"): the origin of the local push service. */
  PUSH_ENDPOINT_OVERRIDE?: string;
  /** Set by vitest.config.ts only. */
  TEST_MIGRATIONS?: import("cloudflare:test").D1Migration[];
  TEST_MODE?: string;
}
interface Env extends ShopSecrets {}
declare namespace Cloudflare {
  interface Env extends ShopSecrets {}
}
