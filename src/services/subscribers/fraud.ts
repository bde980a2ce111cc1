/**
 * The Fraud Detection service. On PaymentInitiated it gathers the inputs of the rules from D1 (orders per email
 * and, when enabled, per IP in the last hour; the shopper's paid history; account age; recent declines),
 * scores them with src/domain/fraud.ts, hands the decision to the OrderFlow (the first decision recorded for
 * a payment wins) with its FraudCheckCompleted, plus FraudDetected on a reject: the order logs and publishes them
 * in the flush that records the decision (one D1 batch and one queue send a payment fewer).
 *
 * The events have ids derived from the payment id, so a redelivered PaymentInitiated re-emits nothing new.
 */
import { recordAndPublish } from "../../adapters/event-bus";
import { config } from "../../config";
import { getDb } from "../../db/client";
import { orderShippingAddress, paymentFraudFacts } from "../../db/fraud-facts";
import { type EventEnvelope, makeEvent } from "../../domain/events";
import { assessFraud, FRAUD_WINDOWS, type FraudAssessment, type FraudInput } from "../../domain/fraud";
import { tokenRisk } from "../../domain/payment-tokens";
import type { EventSubscriber } from "./subscriber";

/**
 * The rules' inputs for one payment attempt, or null when the order is not in D1 (yet). One D1 batch, holding only
 * the counts that apply (no IP count when that rule is off, no account age for a guest); the shipping country
 * comes with the event, and is read from the order's mirror only for events written before it did.
 */
export async function gatherFraudInput(
  env: Env,
  data: {
    orderId: string;
    amountCents: number;
    token: string;
    email: string;
    customerId: string | null;
    ip: string | null;
    country: string;
    shippingCountry?: string | undefined;
  },
  now: number,
): Promise<FraudInput | null> {
  const db = getDb(env.DB);
  let shippingCountry = data.shippingCountry;
  if (shippingCountry === undefined) {
    const order = await orderShippingAddress(db, data.orderId);
    if (!order) return null;
    shippingCountry = order.shippingAddress.country;
  }
  const hourAgo = now - FRAUD_WINDOWS.velocityMs;
  const dayAgo = now - FRAUD_WINDOWS.declinesMs;
  const ip = config(env).fraudIpVelocity ? data.ip : null;
  const { emailRows, historyRows, declineRows, ipRows, accountRows } = await paymentFraudFacts(db, {
    orderId: data.orderId,
    email: data.email,
    customerId: data.customerId,
    ip,
    hourAgo,
    dayAgo,
  });
  return {
    amountCents: data.amountCents,
    emailOrdersLastHour: emailRows[0]?.n ?? 0,
    ipOrdersLastHour: ipRows ? (ipRows[0]?.n ?? 0) : null,
    history: { paidOrders: historyRows[0]?.n ?? 0, averageCents: Number(historyRows[0]?.average ?? 0) },
    accountAgeMs: accountRows?.[0] ? now - accountRows[0].createdAt : null,
    shippingCountry,
    requestCountry: data.country ? data.country : null,
    recentDeclines: declineRows[0]?.n ?? 0,
    tokenRisk: tokenRisk(data.token),
  };
}

/** FraudCheckCompleted (+ FraudDetected) for `assessment`, with ids derived from the payment id. */
export function fraudEvents(
  orderId: string,
  paymentId: string,
  assessment: FraudAssessment,
  now: number,
): EventEnvelope[] {
  const subject = `order:${orderId}`;
  const batch: EventEnvelope[] = [
    makeEvent(
      "FraudCheckCompleted",
      subject,
      { orderId, score: assessment.score, reasons: assessment.reasons, decision: assessment.decision },
      { id: `evt_fraud_${paymentId}`, now },
    ),
  ];
  if (assessment.decision === "reject") {
    batch.push(
      makeEvent(
        "FraudDetected",
        subject,
        { orderId, score: assessment.score, reasons: assessment.reasons },
        { id: `evt_fraudx_${paymentId}`, now },
      ),
    );
  }
  return batch;
}

export const fraudSubscriber: EventSubscriber = {
  name: "fraud",
  types: ["PaymentInitiated"],
  async handle(event, env) {
    if (event.type !== "PaymentInitiated") return;
    const now = Date.now();
    const input = await gatherFraudInput(env, event.data, now);
    // The order's mirror is written in the same D1 batch as PaymentInitiated: an event without one was not
    // published by an OrderFlow, and retrying cannot make it one.
    if (!input) {
      console.error(JSON.stringify({ level: "warn", message: "fraud check for an unknown order", event: event.id }));
      return;
    }
    const { orderId, paymentId } = event.data;
    const assessment = assessFraud(input);
    // The check's events ride in the order's flush with the decision they announce; the service publishes them
    // itself only when the order did not take them (an earlier decision stands: its events, same ids).
    const result = await env.ORDER_FLOW.getByName(orderId).applyFraud({
      paymentId,
      assessment,
      events: fraudEvents(orderId, paymentId, assessment, now),
    });
    if (!result.ok || result.carried) return;
    await recordAndPublish(env, fraudEvents(orderId, paymentId, result.recorded, now));
  },
};
