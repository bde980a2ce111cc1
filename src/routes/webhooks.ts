/**
 * /api/webhooks: events pushed by third parties. `POST /api/webhooks/payments` receives the payment gateway's
 * outcomes (DESIGN.md, "Contract details"): HMAC-signed with `Payment-Signature: t=…,v1=…` over
 * "<t>.<raw body>", 300 s tolerance; a bad or stale signature is 401 invalid_signature and changes nothing.
 * The OrderFlow applies each payment outcome once, so a redelivered event changes nothing, and a redelivered event
 * id is answered 200 with `duplicate: true`. Where that id is recorded: the order's own object takes the id of an
 * event it handles, with the change the event makes (one object call and no D1 round trip per webhook, two a
 * checkout); D1's `webhook_events` keeps the ids the object cannot answer for (unhandled types, unknown orders or
 * payments).
 *
 * A correctly signed event of a type the shop does not handle is answered 200, recorded and ignored: refusing it
 * would make a real gateway retry it for days and finally disable the endpoint. Only a bad signature (401) or a
 * body that is not an event envelope at all (400) is refused.
 *
 * With PAYMENT_PROVIDER=stripe the same path receives Stripe's events instead (`Stripe-Signature`, the same
 * t=/v1= scheme with STRIPE_WEBHOOK_SECRET), mapped by src/adapters/stripe-events.ts.
 */
import { type Context, Hono } from "hono";
import * as v from "valibot";
import { type GatewayOutcome, SIGNATURE_HEADER, verifyWebhookSignature } from "../adapters/payment-gateway";
import { isStripeEvent, STRIPE_SIGNATURE_HEADER, stripeEventOutcome } from "../adapters/stripe-events";
import { requirePayments } from "../config";
import { getDb } from "../db/client";
import { recordWebhookEvent } from "../db/webhook-events";
import type { AppEnv } from "../http/app-env";
import { doc } from "../http/contract";
import { ApiError } from "../http/errors";
import { applyPaymentOutcome } from "../services/subscribers/payments";
import { WebhookReceipt } from "./shapes";

const STATUSES = ["authorized", "declined", "captured", "voided", "refunded"] as const;

export const PaymentWebhookSchema = v.object({
  id: v.pipe(v.string(), v.minLength(1), v.maxLength(255)),
  type: v.picklist(STATUSES.map((s) => `payment.${s}` as const)),
  created: v.pipe(v.number(), v.integer()),
  data: v.object({
    paymentId: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
    orderId: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
    amountCents: v.pipe(v.number(), v.integer(), v.minValue(0)),
    currency: v.pipe(v.string(), v.length(3)),
    status: v.picklist(STATUSES),
    declineCode: v.optional(v.pipe(v.string(), v.maxLength(64))),
  }),
});
export type PaymentWebhook = v.InferOutput<typeof PaymentWebhookSchema>;

/** What every gateway event has, whatever its type: enough to record it and to tell whether we handle it. */
const EnvelopeSchema = v.object({
  id: v.pipe(v.string(), v.minLength(1), v.maxLength(255)),
  type: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
});
const HANDLED: ReadonlySet<string> = new Set(STATUSES.map((s) => `payment.${s}`));

/** Each route's contract for the OpenAPI document (docs/api.md), keyed by method and path. */
const spec = {
  "POST /payments": doc({
    tag: "webhooks",
    who: "gateway",
    summary:
      "Payment gateway webhook (Payment-Signature: t=…,v1=…; Stripe-Signature with Stripe); unhandled types are acknowledged and ignored",
    request: PaymentWebhookSchema,
    body: WebhookReceipt,
  }),
};

export const webhooksApi = new Hono<AppEnv>().post("/payments", spec["POST /payments"], async (c) => {
  const setup = requirePayments(c.env);
  const raw = await c.req.text();
  const stripe = setup.kind === "stripe";
  const check = await verifyWebhookSignature(
    setup.webhookSecret,
    c.req.header(stripe ? STRIPE_SIGNATURE_HEADER : SIGNATURE_HEADER),
    raw,
    Math.floor(Date.now() / 1000),
  );
  if (!check.ok) throw new ApiError("invalid_signature", "The webhook signature is missing, wrong or too old");
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ApiError("malformed_json", "The request body is not valid JSON");
  }
  if (stripe) {
    if (!isStripeEvent(json)) throw new ApiError("validation_failed", "Not a Stripe event");
    const outcome = await stripeEventOutcome(c.env.DB, json);
    // A signed event the shop does not handle (or about a payment that is not an order's) is acknowledged.
    if (!outcome) return c.json({ received: true, ignored: true });
    return receive(c, { id: json.id, type: `payment.${outcome.status}`, data: outcome });
  }
  const envelope = v.safeParse(EnvelopeSchema, json);
  if (!envelope.success) throw invalid(envelope.issues);
  if (!HANDLED.has(envelope.output.type)) {
    const { id, type } = envelope.output;
    await recordWebhookEvent(getDb(c.env.DB), { id, type, receivedAt: Date.now() });
    return c.json({ received: true, ignored: true });
  }
  const parsed = v.safeParse(PaymentWebhookSchema, json);
  if (!parsed.success) throw invalid(parsed.issues);
  const event = parsed.output;
  if (event.type !== `payment.${event.data.status}`) {
    throw new ApiError("validation_failed", "type and data.status disagree", [{ path: "type", message: event.type }]);
  }
  return receive(c, event);
});

/**
 * Applies a verified payment event once. The order's object is the one door for payment outcomes and applies each
 * at most once, so the event goes straight to it with its id (an order id it does not hold answers
 * `unknown_order`; only the gateway can sign one). The object records the id in the same storage transaction as
 * the change the event makes (alone when it makes none), so "applied" and "recorded" cannot diverge, and answers
 * whether the id was new: a redelivery is `duplicate: true`. An outcome the object refuses is recorded in D1
 * after it was refused, so a failure before that is retried by the gateway. The D1 record of a handled event (an
 * INSERT per webhook, two per checkout) was dropped for this, as were two D1 reads (seen? order exists?) before.
 */
async function receive(c: Context<AppEnv>, event: { id: string; type: string; data: GatewayOutcome }) {
  const result = await applyPaymentOutcome(c.env, event.data, event.id);
  const first = result.ok
    ? result.firstDelivery !== false
    : await recordWebhookEvent(getDb(c.env.DB), { id: event.id, type: event.type, receivedAt: Date.now() });
  return c.json({ received: true, duplicate: !first, applied: result.ok && result.applied });
}

function invalid(issues: v.BaseIssue<unknown>[]): ApiError {
  return new ApiError(
    "validation_failed",
    "Not a payment event",
    issues.map((i) => ({ path: v.getDotPath(i) ?? "(root)", message: i.message })),
  );
}
