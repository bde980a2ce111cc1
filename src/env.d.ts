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
  /** Signs one-click unsubscribe links (local default in src/services/unsubscribe.ts). */
  UNSUBSCRIBE_SECRET?: string;
  /** Set by vitest.config.ts only. */
  TEST_MIGRATIONS?: import("cloudflare:test").D1Migration[];
  TEST_MODE?: string;
}
interface Env extends ShopSecrets {}
declare namespace Cloudflare {
  interface Env extends ShopSecrets {}
}
