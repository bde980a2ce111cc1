import { isTimeZone } from "./domain/sales";

/** Runtime settings read from the Worker's vars, with the defaults local dev runs on. */
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
  paymentWebhookSecret: string;
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
    paymentWebhookSecret: env.PAYMENT_WEBHOOK_SECRET || "whsec_local_dev",
  };
  cache.set(env, parsed);
  return parsed;
}
