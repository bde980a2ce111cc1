/**
 * Which payment gateway the shop may use, decided from its settings alone (pure: the Worker passes its vars).
 *
 * Safe by default: outside local development the embedded test gateway (which accepts any Luhn-valid card)
 * is never chosen silently. A deployed shop takes payments only with a real provider configured
 * (`PAYMENT_PROVIDER=stripe` and its two secrets) or with `SHOP_TEST_MODE` explicitly on, and then every
 * storefront page says so. Otherwise payments are refused, naming the settings that are missing.
 */

export type PaymentSettings = {
  ENVIRONMENT?: string;
  PAYMENT_PROVIDER?: string;
  SHOP_TEST_MODE?: string;
  PAYMENT_WEBHOOK_SECRET?: string;
  STRIPE_SECRET_KEY?: string;
  STRIPE_WEBHOOK_SECRET?: string;
  STRIPE_API_BASE?: string;
};

export type PaymentSetup =
  | { kind: "test"; webhookSecret: string; banner: boolean }
  | { kind: "stripe"; secretKey: string; webhookSecret: string; apiBase: string; banner: boolean }
  | { kind: "disabled"; missing: string[]; reason: string };

/** The public secret local development signs test webhooks with; never used outside development. */
export const DEV_WEBHOOK_SECRET = "whsec_local_dev";
export const STRIPE_API_BASE = "https://api.stripe.com";

/** Only an explicit `ENVIRONMENT = "development"` (top-level wrangler.toml) counts as local dev. */
export const isDevelopment = (s: Pick<PaymentSettings, "ENVIRONMENT">): boolean => s.ENVIRONMENT === "development";

/** "1", "true", "yes", "on" (any case) turn a flag on; anything else, including "", leaves it off. */
export const flagOn = (value: string | undefined): boolean => /^(1|true|yes|on)$/i.test((value ?? "").trim());

const present = (value: string | undefined): value is string => typeof value === "string" && value.trim() !== "";

export function decidePaymentSetup(s: PaymentSettings): PaymentSetup {
  const dev = isDevelopment(s);
  const testMode = flagOn(s.SHOP_TEST_MODE);
  const provider = (s.PAYMENT_PROVIDER ?? "").trim().toLowerCase();

  if (provider === "stripe") {
    const missing = (["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"] as const).filter((k) => !present(s[k]));
    if (missing.length > 0) {
      return { kind: "disabled", missing, reason: "PAYMENT_PROVIDER is stripe but its secrets are not set" };
    }
    return {
      kind: "stripe",
      secretKey: (s.STRIPE_SECRET_KEY as string).trim(),
      webhookSecret: (s.STRIPE_WEBHOOK_SECRET as string).trim(),
      apiBase: present(s.STRIPE_API_BASE) ? s.STRIPE_API_BASE.replace(/\/+$/, "") : STRIPE_API_BASE,
      // A Stripe test key (sk_test_…) takes no real money either: say so like the test gateway does.
      banner: testMode || (s.STRIPE_SECRET_KEY as string).trim().startsWith("sk_test_"),
    };
  }
  if (provider !== "" && provider !== "test") {
    return { kind: "disabled", missing: ["PAYMENT_PROVIDER"], reason: `unknown PAYMENT_PROVIDER "${provider}"` };
  }
  if (dev) {
    return {
      kind: "test",
      webhookSecret: present(s.PAYMENT_WEBHOOK_SECRET) ? s.PAYMENT_WEBHOOK_SECRET : DEV_WEBHOOK_SECRET,
      banner: testMode,
    };
  }
  if (!testMode) {
    return {
      kind: "disabled",
      missing: ["PAYMENT_PROVIDER"],
      reason:
        "no payment provider is configured (set PAYMENT_PROVIDER=stripe, or SHOP_TEST_MODE=1 to take test payments)",
    };
  }
  if (!present(s.PAYMENT_WEBHOOK_SECRET)) {
    return { kind: "disabled", missing: ["PAYMENT_WEBHOOK_SECRET"], reason: "test mode needs its webhook secret" };
  }
  return { kind: "test", webhookSecret: s.PAYMENT_WEBHOOK_SECRET, banner: true };
}

/**
 * Every setting a deployed shop lacks, with why; empty in development. The Worker logs these loudly on its
 * first request and the deploy script refuses to deploy while any is missing.
 */
export function configProblems(s: PaymentSettings): { setting: string; message: string }[] {
  if (isDevelopment(s)) return [];
  const problems: { setting: string; message: string }[] = [];
  if (s.ENVIRONMENT !== "production") {
    problems.push({
      setting: "ENVIRONMENT",
      message: `ENVIRONMENT is "${s.ENVIRONMENT ?? ""}", expected "production" or "development"`,
    });
  }
  const setup = decidePaymentSetup(s);
  if (setup.kind === "disabled") {
    for (const setting of setup.missing) problems.push({ setting, message: `payments are refused: ${setup.reason}` });
  }
  return problems;
}

/**
 * The secrets a deployment with these vars needs (the deploy script checks them before deploying): the
 * provider's, or the test gateway's in test mode; none when payments would be refused anyway.
 */
export function requiredSecrets(vars: PaymentSettings): string[] {
  const provider = (vars.PAYMENT_PROVIDER ?? "").trim().toLowerCase();
  if (provider === "stripe") return ["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"];
  if (flagOn(vars.SHOP_TEST_MODE) && !isDevelopment(vars)) return ["PAYMENT_WEBHOOK_SECRET"];
  return [];
}
