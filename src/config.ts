import { configProblems, decidePaymentSetup, type PaymentSetup } from "./domain/payment-setup";
import { isTimeZone } from "./domain/sales";

/**
 * Runtime settings read from the Worker's vars, with the defaults local dev runs on. Secrets are not here:
 * they have no fallback outside local development (see `paymentSetup`).
 */
export type ShopConfig = {
  reservationTtlMs: number;
  paymentTimeoutMs: number;
  shippingFlatCents: number;
  freeShippingThresholdCents: number;
  taxRateBps: number;
  currency: string;
  /** IANA zone of the shop's calendar (sales days and hours); UTC when unset or unknown. */
  timeZone: string;
  fraudIpVelocity: boolean;
};

const int = (value: string | undefined, fallback: number): number => {
  const n = Number(value);
  return value !== undefined && value !== "" && Number.isSafeInteger(n) && n >= 0 ? n : fallback;
};

const cache = new WeakMap<object, ShopConfig>();

/** Parsed once per env object: the vars never change during an isolate's life. */
export function config(env: Env): ShopConfig {
  const hit = cache.get(env);
  if (hit) return hit;
  const parsed: ShopConfig = {
    reservationTtlMs: int(env.RESERVATION_TTL_MS, 15 * 60_000),
    paymentTimeoutMs: int(env.PAYMENT_TIMEOUT_MS, 10 * 60_000),
    shippingFlatCents: int(env.SHIPPING_FLAT_CENTS, 495),
    freeShippingThresholdCents: int(env.FREE_SHIPPING_THRESHOLD_CENTS, 10_000),
    taxRateBps: int(env.TAX_RATE_BPS, 2000),
    currency: env.CURRENCY || "EUR",
    timeZone: env.SHOP_TIME_ZONE && isTimeZone(env.SHOP_TIME_ZONE) ? env.SHOP_TIME_ZONE : "UTC",
    fraudIpVelocity: Boolean(env.FRAUD_IP_VELOCITY),
  };
  cache.set(env, parsed);
  return parsed;
}

const setups = new WeakMap<object, PaymentSetup>();

/** The payment gateway this deployment may use, or why it may take no payments (src/domain/payment-setup.ts). */
export function paymentSetup(env: Env): PaymentSetup {
  const hit = setups.get(env);
  if (hit) return hit;
  const setup = decidePaymentSetup(env);
  setups.set(env, setup);
  return setup;
}

/** Thrown where a payment would be taken while `paymentSetup` says payments are refused; answered 503. */
export class PaymentsUnavailableError extends Error {
  readonly missing: string[];
  constructor(setup: Extract<PaymentSetup, { kind: "disabled" }>) {
    super(`Payments are refused: ${setup.reason} (missing: ${setup.missing.join(", ")})`);
    this.name = "PaymentsUnavailableError";
    this.missing = setup.missing;
  }
}

/** The usable payment setup, or a PaymentsUnavailableError naming the missing settings. */
export function requirePayments(env: Env): Exclude<PaymentSetup, { kind: "disabled" }> {
  const setup = paymentSetup(env);
  if (setup.kind === "disabled") throw new PaymentsUnavailableError(setup);
  return setup;
}

const checked = new WeakSet<object>();

/**
 * The start-up check: Workers have no start hook, so the first request of each isolate logs every missing
 * production setting by name, loudly (level "error", once per isolate). Payments are refused meanwhile.
 */
export function checkConfigOnce(env: Env): void {
  if (checked.has(env)) return;
  checked.add(env);
  for (const problem of configProblems(env)) {
    console.error(
      JSON.stringify({
        level: "error",
        message: `configuration incomplete: ${problem.setting}`,
        detail: problem.message,
      }),
    );
  }
}
