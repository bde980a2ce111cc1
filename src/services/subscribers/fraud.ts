/**
 * The Fraud Detection service. On PaymentInitiated it gathers the inputs of the rules from D1 (orders per email
 * and, when enabled, per IP in the last hour; the shopper's paid history; account age; recent declines),
 * scores them with src/domain/fraud.ts, hands the decision to the OrderFlow (the first decision recorded for
 * a payment wins) and emits FraudCheckCompleted, plus FraudDetected on a reject.
 *
 * The events have ids derived from the payment id, so a redelivered PaymentInitiated re-emits nothing new.
 */
import { and, avg, count, eq, gte, inArray, ne, sql } from "drizzle-orm";
import { recordAndPublish } from "../../adapters/event-bus";
import { config } from "../../config";
import { getDb } from "../../db/client";
import { customers, orders, payments } from "../../db/schema";
import { type EventEnvelope, makeEvent } from "../../domain/events";
import { assessFraud, FRAUD_WINDOWS, type FraudAssessment, type FraudInput } from "../../domain/fraud";
import { tokenRisk } from "../../domain/payment-tokens";
import type { Subscriber } from "./subscriber";

const PAID = ["confirmed", "shipped", "delivered"];

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
  const db = getDb(env.DB);
  const order = await db
    .select({ shippingAddress: orders.shippingAddress })
    .from(orders)
    .where(eq(orders.id, data.orderId))
    .get();
  if (!order) return null;
  const hourAgo = now - FRAUD_WINDOWS.velocityMs;
  const dayAgo = now - FRAUD_WINDOWS.declinesMs;
  const ipVelocity = config(env).fraudIpVelocity && data.ip !== null;
  const owner = data.customerId ? eq(orders.customerId, data.customerId) : eq(orders.email, data.email);
  const never = sql`0 = 1`;
  const [byEmail, byIp, history, account, declines] = await db.batch([
    db
      .select({ n: count() })
      .from(orders)
      .where(and(eq(orders.email, data.email), gte(orders.createdAt, hourAgo), ne(orders.id, data.orderId))),
    db
      .select({ n: count() })
      .from(orders)
      .where(
        ipVelocity && data.ip !== null
          ? and(eq(orders.ip, data.ip), gte(orders.createdAt, hourAgo), ne(orders.id, data.orderId))
          : never,
      ),
    db
      .select({ n: count(), average: avg(orders.totalCents) })
      .from(orders)
      .where(and(owner, inArray(orders.status, PAID), ne(orders.id, data.orderId))),
    db
      .select({ createdAt: customers.createdAt })
      .from(customers)
      .where(data.customerId ? eq(customers.id, data.customerId) : never),
    db
      .select({ n: count() })
      .from(payments)
      .innerJoin(orders, eq(orders.id, payments.orderId))
      .where(and(eq(orders.email, data.email), eq(payments.status, "declined"), gte(payments.createdAt, dayAgo))),
  ]);
  return {
    amountCents: data.amountCents,
    emailOrdersLastHour: byEmail[0]?.n ?? 0,
    ipOrdersLastHour: ipVelocity ? (byIp[0]?.n ?? 0) : null,
    history: { paidOrders: history[0]?.n ?? 0, averageCents: Number(history[0]?.average ?? 0) },
    accountAgeMs: account[0] ? now - account[0].createdAt : null,
    shippingCountry: order.shippingAddress.country,
    requestCountry: data.country ? data.country : null,
    recentDeclines: declines[0]?.n ?? 0,
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
