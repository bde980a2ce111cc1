/**
 * Stripe's webhook events mapped onto the shop's payment outcomes. Stripe signs with the same scheme as our
 * gateway (`Stripe-Signature: t=<unix s>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, the endpoint's `whsec_…`
 * secret), so verification is `verifyWebhookSignature`; only the header name and the event shapes differ.
 *
 *   payment_intent.amount_capturable_updated → authorized   payment_intent.succeeded → captured
 *   payment_intent.payment_failed            → declined     payment_intent.canceled  → voided
 *   charge.refunded                          → refunded (amount_refunded)
 *
 * Any other type is answered 200 and ignored (DESIGN.md). Events name Stripe's PaymentIntent; our payment and
 * order come from `payment_provider_refs`, written when the authorization was answered.
 */
import { and, eq } from "drizzle-orm";
import { getDb } from "../db/client";
import { paymentProviderRefs } from "../db/schema";
import type { GatewayOutcome, GatewayStatus } from "./payment-gateway";

export const STRIPE_SIGNATURE_HEADER = "stripe-signature";

type StripeObject = {
  id?: string;
  object?: string;
  amount?: number;
  amount_refunded?: number;
  currency?: string;
  payment_intent?: string | null;
  last_payment_error?: { code?: string; decline_code?: string } | null;
};
export type StripeEvent = { id: string; type: string; data: { object: StripeObject } };

const STATUS_OF: Record<string, GatewayStatus> = {
  "payment_intent.amount_capturable_updated": "authorized",
  "payment_intent.payment_failed": "declined",
  "payment_intent.succeeded": "captured",
  "payment_intent.canceled": "voided",
  "charge.refunded": "refunded",
};

export function isStripeEvent(json: unknown): json is StripeEvent {
  const e = json as StripeEvent | null;
  return (
    typeof e?.id === "string" &&
    e.id.length <= 255 &&
    typeof e.type === "string" &&
    typeof e.data?.object === "object" &&
    e.data.object !== null
  );
}

/** The outcome an event reports, or null when the shop does not handle it or the payment is not ours. */
export async function stripeEventOutcome(db: D1Database, event: StripeEvent): Promise<GatewayOutcome | null> {
  const status = STATUS_OF[event.type];
  if (!status) return null;
  const object = event.data.object;
  const intentId = object.object === "charge" ? object.payment_intent : object.id;
  if (typeof intentId !== "string") return null;
  const ref = await getDb(db)
    .select()
    .from(paymentProviderRefs)
    .where(and(eq(paymentProviderRefs.provider, "stripe"), eq(paymentProviderRefs.providerRef, intentId)))
    .get();
  if (!ref?.orderId) return null;
  const amount = status === "refunded" ? object.amount_refunded : object.amount;
  if (typeof amount !== "number" || typeof object.currency !== "string") return null;
  const outcome: GatewayOutcome = {
    paymentId: ref.paymentId,
    orderId: ref.orderId,
    status,
    amountCents: amount,
    currency: object.currency.toUpperCase(),
  };
  const declineCode = object.last_payment_error?.decline_code ?? object.last_payment_error?.code;
  if (status === "declined" && declineCode) outcome.declineCode = declineCode;
  return outcome;
}
