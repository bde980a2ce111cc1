/**
 * The Fraud Detection service. On PaymentInitiated it gathers the inputs of the rules from D1 (orders per email
 * and, when enabled, per IP in the last hour; the shopper's paid history; account age; recent declines),
 * scores them with src/domain/fraud.ts, hands the decision to the OrderFlow (the first decision recorded for
 * a payment wins) and emits FraudCheckCompleted, plus FraudDetected on a reject.
 *
 * The events have ids derived from the payment id, so a redelivered PaymentInitiated re-emits nothing new.
 */
import { recordAndPublish } from "../../adapters/event-bus";
import { config } from "../../config";
import { getDb } from "../../db/client";
import { fraudSignals } from "../../db/fraud-signals";
import { type EventEnvelope, makeEvent } from "../../domain/events";
import { assessFraud, FRAUD_WINDOWS, type FraudAssessment, type FraudInput } from "../../domain/fraud";
import { tokenRisk } from "../../domain/payment-tokens";
import type { Subscriber } from "./subscriber";

/** The rules' inputs for one payment attempt, or null when the order is not in D1 (yet). */
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
  },
  now: number,
): Promise<FraudInput | null> {
  const ipVelocity = config(env).fraudIpVelocity && data.ip !== null;
  const signals = await fraudSignals(getDb(env.DB), {
    orderId: data.orderId,
    email: data.email,
    customerId: data.customerId,
    ip: ipVelocity ? data.ip : null,
    velocitySince: now - FRAUD_WINDOWS.velocityMs,
    declinesSince: now - FRAUD_WINDOWS.declinesMs,
  });
  if (!signals) return null;
  return {
    amountCents: data.amountCents,
    emailOrdersLastHour: signals.emailOrdersSince,
    ipOrdersLastHour: ipVelocity ? signals.ipOrdersSince : null,
    history: { paidOrders: signals.paidOrders, averageCents: signals.averagePaidCents },
    accountAgeMs: signals.accountCreatedAt !== null ? now - signals.accountCreatedAt : null,
    shippingCountry: signals.shippingCountry,
    requestCountry: data.country ? data.country : null,
    recentDeclines: signals.declinesSince,
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

export const fraudSubscriber: Subscriber = {
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
    const result = await env.ORDER_FLOW.getByName(event.data.orderId).applyFraud({
      paymentId: event.data.paymentId,
      assessment: assessFraud(input),
    });
    if (!result.ok) return;
    const batch = fraudEvents(event.data.orderId, event.data.paymentId, result.recorded, now);
    await recordAndPublish(env, batch);
  },
};
