/**
 * Starting a subscription: the first period is charged at once (authorize, then capture). A decline keeps
 * nothing; only the gateway token is stored for later periods, never a card number.
 */
import { newEvent, outboxInserts } from "../../adapters/event-bus";
import { paymentGateway } from "../../adapters/payment-gateway";
import { config } from "../../config";
import { getDb } from "../../db/client";
import { numberedInvoiceStatements, retryOnInvoiceNumber } from "../../db/invoices";
import { insertPayment } from "../../db/renewals";
import type { ShippingAddress } from "../../db/schema";
import { insertSubscription } from "../../db/subscription-changes";
import {
  liveSubscriptionTo,
  planOnSale,
  type SubscriptionRow,
  type SubscriptionView,
  subscriptionView,
} from "../../db/subscriptions";
import { periodAt, periodInvoice } from "../../domain/billing";
import { newId } from "../../lib/ids";
import { publishLogged } from "../subscribers/invoices";
import { type ChargeRef, charge, paymentProcessed, paymentRow } from "./charge";

export type SubscribeInput = {
  customer: { id: string; email: string };
  planId: string;
  /** The gateway token (already resolved from a card number at the edge) and its display label. */
  token: string;
  methodLabel: string;
  /** Where the box ships (the route takes it from the request, or the account's saved address). */
  shippingAddress: ShippingAddress;
};

export type SubscribeResult =
  | { ok: true; subscription: SubscriptionView }
  | { ok: false; reason: "plan_not_found" }
  | { ok: false; reason: "already_subscribed"; subscriptionId: string | null }
  | { ok: false; reason: "declined"; declineCode: string };

const LIVE_SUBSCRIPTION_CONFLICT = /UNIQUE constraint failed: subscriptions\./;

/**
 * Starts a subscription: charges its first period, then writes the subscription, the paid invoice, the payment
 * and UserSubscriptionStarted, InvoiceGenerated and PaymentProcessed(captured) in one batch. Nothing is written
 * for a declined card. Should another request have started the same plan meanwhile (the unique index of live
 * subscriptions refuses ours), the charge is refunded.
 */
export async function subscribe(
  env: Env,
  input: SubscribeInput,
  background: (work: Promise<unknown>) => void,
  now = Date.now(),
): Promise<SubscribeResult> {
  const db = getDb(env.DB);
  const plan = await planOnSale(db, input.planId);
  if (!plan) return { ok: false, reason: "plan_not_found" };
  const live = await liveSubscriptionTo(db, { customerId: input.customer.id, planId: plan.id });
  if (live) return { ok: false, reason: "already_subscribed", subscriptionId: live.id };

  const subscriptionId = newId("sub");
  const period = periodAt(now, 0);
  const invoice = periodInvoice(plan, period, config(env).taxRateBps);
  const gateway = paymentGateway(env, background);
  const ref: ChargeRef = {
    paymentId: newId("pay"),
    subscriptionId,
    amountCents: invoice.totalCents,
    currency: invoice.currency,
    token: input.token,
  };
  const outcome = await charge(gateway, ref);
  if (outcome.status === "declined") return { ok: false, reason: "declined", declineCode: outcome.declineCode };

  const row: SubscriptionRow = {
    id: subscriptionId,
    customerId: input.customer.id,
    planId: plan.id,
    status: "active",
    currentPeriodStart: period.start,
    currentPeriodEnd: period.end,
    paymentToken: input.token,
    failedPayments: 0,
    lastAttemptAt: now,
    billingAnchor: null,
    pausedAt: null,
    createdAt: now,
    cancelledAt: null,
    shippingAddress: input.shippingAddress,
    methodLabel: input.methodLabel,
    skippedFrom: null,
    noticeSentFor: null,
    renewalReview: null,
  };
  const started = newEvent(
    "UserSubscriptionStarted",
    `subscription:${subscriptionId}`,
    {
      subscriptionId,
      customerId: input.customer.id,
      planId: plan.id,
      priceCents: plan.priceCents,
      currency: plan.currency,
      periodStart: period.start,
      periodEnd: period.end,
    },
    now,
  );
  const processed = paymentProcessed(ref, outcome, now);
  const invoiceEventId = newId("evt");
  const invoiceStatements = numberedInvoiceStatements(
    db,
    {
      id: newId("inv"),
      customerId: input.customer.id,
      orderId: null,
      subscriptionId,
      email: input.customer.email,
      ...invoice,
      status: "paid",
      issuedAt: now,
    },
    invoiceEventId,
  );
  try {
    await retryOnInvoiceNumber(() =>
      db.batch([
        insertSubscription(db, row),
        ...invoiceStatements,
        insertPayment(db, paymentRow(ref, outcome, input.methodLabel, now)),
        ...outboxInserts(db, [started, processed]),
      ]),
    );
  } catch (err) {
    // The money was taken but nothing is recorded: give it back before answering.
    const refund = gateway.refund(
      { paymentId: ref.paymentId, orderId: subscriptionId, amountCents: ref.amountCents, currency: ref.currency },
      `${ref.paymentId}:refund`,
    );
    if (LIVE_SUBSCRIPTION_CONFLICT.test(String(err))) {
      await refund;
      return { ok: false, reason: "already_subscribed", subscriptionId: null };
    }
    background(refund);
    throw err;
  }
  await publishLogged(env, [started.id, invoiceEventId, processed.id]);
  return { ok: true, subscription: subscriptionView(row, plan) };
}
