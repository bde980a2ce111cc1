/**
 * The Subscription and Billing services: monthly boxes (`plans`, `subscriptions`) and their invoices. The rules
 * (periods, what is due, invoice amounts, what a payment outcome does) are src/domain/billing.ts; this file
 * loads rows, asks those rules, charges through the payment gateway and writes each change in one D1 batch with
 * its events (transactional outbox), then publishes them.
 *
 * - `subscribe` charges the first period at once (authorize, then capture). A decline keeps nothing; only the
 *   gateway token is stored for later periods, never a card number.
 * - `runBilling` is the daily cron: each due subscription gets one charge attempt per UTC day, claimed with a
 *   conditional update so two runs racing charge once; the period's invoice is written once (unique
 *   `invoices(subscription_id, period_start)`), numbered in the shop's one invoice sequence.
 * - The gateway's payment refs carry the subscription id where an order id would be: its webhooks for these
 *   payments find no order and are recorded without effect (the synchronous answer is what counts here).
 */
import { and, desc, eq, gt, inArray, isNull, lt, lte, ne, or, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { config } from "../config";
import { type Db, getDb } from "../db/client";
import { customers, events as eventLog, invoices, payments, plans, subscriptions } from "../db/schema";
import {
  afterCancel,
  afterPause,
  afterPaymentCaptured,
  afterPaymentDeclined,
  afterResume,
  type BillingChange,
  type BillingSubscription,
  dueReason,
  nextBillingAt,
  nextPeriod,
  periodAt,
  periodInvoice,
  startOfUtcDay,
} from "../domain/billing";
import { type EventEnvelope, makeEvent } from "../domain/events";
import { newId } from "../lib/ids";
import { newEvent, outboxInserts } from "./event-bus";
import { numberedInvoiceStatements, publishLogged, retryOnInvoiceNumber } from "./invoices";
import { type PaymentGateway, paymentGateway } from "./payment-gateway";

export type PlanView = {
  id: string;
  name: string;
  description: string;
  priceCents: number;
  currency: string;
  interval: "month";
};

export type SubscriptionView = {
  id: string;
  planId: string;
  planName: string;
  status: "active" | "past_due" | "paused" | "cancelled";
  currentPeriodStart: number;
  currentPeriodEnd: number;
  /** When the next charge is planned (null once cancelled, and while a declined charge waits for its retry). */
  nextBillingAt: number | null;
  cancelledAt: number | null;
  /** The plan's net monthly price; invoices add tax. */
  priceCents: number;
  currency: string;
  createdAt: number;
};

type SubscriptionRow = typeof subscriptions.$inferSelect;
type PlanRow = typeof plans.$inferSelect;

/** Active plans, cheapest first. */
export async function listPlans(db: Db): Promise<PlanView[]> {
  const rows = await db.select().from(plans).where(eq(plans.active, true)).orderBy(plans.priceCents, plans.id);
  return rows.map((p) => ({
    id: p.id,
    name: p.name,
    description: p.description,
    priceCents: p.priceCents,
    currency: p.currency,
    interval: p.interval,
  }));
}

function billingOf(row: SubscriptionRow): BillingSubscription {
  return {
    status: row.status,
    anchor: row.billingAnchor ?? row.createdAt,
    currentPeriodStart: row.currentPeriodStart,
    currentPeriodEnd: row.currentPeriodEnd,
    failedPayments: row.failedPayments,
    lastAttemptAt: row.lastAttemptAt,
  };
}

function subscriptionView(row: SubscriptionRow, plan: Pick<PlanRow, "name" | "priceCents" | "currency">) {
  return {
    id: row.id,
    planId: row.planId,
    planName: plan.name,
    status: row.status,
    currentPeriodStart: row.currentPeriodStart,
    currentPeriodEnd: row.currentPeriodEnd,
    nextBillingAt: nextBillingAt(row),
    cancelledAt: row.cancelledAt,
    priceCents: plan.priceCents,
    currency: plan.currency,
    createdAt: row.createdAt,
  } satisfies SubscriptionView;
}

const withPlan = (db: Db) =>
  db
    .select({ sub: subscriptions, plan: { name: plans.name, priceCents: plans.priceCents, currency: plans.currency } })
    .from(subscriptions)
    .innerJoin(plans, eq(plans.id, subscriptions.planId));

/** The customer's own subscriptions, newest first. */
export async function listSubscriptions(db: Db, customerId: string): Promise<SubscriptionView[]> {
  const rows = await withPlan(db)
    .where(eq(subscriptions.customerId, customerId))
    .orderBy(desc(subscriptions.createdAt), desc(subscriptions.id));
  return rows.map((r) => subscriptionView(r.sub, r.plan));
}

async function ownSubscription(db: Db, customerId: string, id: string) {
  return withPlan(db)
    .where(and(eq(subscriptions.id, id), eq(subscriptions.customerId, customerId)))
    .get();
}

type ChargeRef = { paymentId: string; subscriptionId: string; amountCents: number; currency: string; token: string };
type ChargeOutcome = { status: "captured" } | { status: "declined"; declineCode: string };

/** Authorizes and at once captures `amountCents`; a decline is an outcome, not an error. */
async function charge(gateway: PaymentGateway, ref: ChargeRef): Promise<ChargeOutcome> {
  const payment = {
    paymentId: ref.paymentId,
    orderId: ref.subscriptionId,
    amountCents: ref.amountCents,
    currency: ref.currency,
  };
  const authorized = await gateway.authorize({ ...payment, token: ref.token });
  if (authorized.status !== "authorized") {
    return { status: "declined", declineCode: authorized.declineCode ?? "declined" };
  }
  const captured = await gateway.capture(payment, `${ref.paymentId}:capture`);
  if (captured.status !== "captured") return { status: "declined", declineCode: "capture_failed" };
  return { status: "captured" };
}

/** The one UserSubscriptionCancelled a subscription ever has: its id is derived from the subscription's, so the
 * customer's cancel and the billing run's giving up, racing, log it once. */
function cancelledEvent(row: SubscriptionRow, now: number): EventEnvelope<"UserSubscriptionCancelled"> {
  return makeEvent(
    "UserSubscriptionCancelled",
    `subscription:${row.id}`,
    { subscriptionId: row.id, customerId: row.customerId },
    { id: `evt_cancelled_${row.id}`, now },
  );
}

function paymentRow(
  ref: ChargeRef,
  outcome: ChargeOutcome,
  methodLabel: string,
  now: number,
): typeof payments.$inferInsert {
  return {
    id: ref.paymentId,
    orderId: null,
    subscriptionId: ref.subscriptionId,
    amountCents: ref.amountCents,
    currency: ref.currency,
    status: outcome.status,
    methodLabel,
    declineCode: outcome.status === "declined" ? outcome.declineCode : null,
    createdAt: now,
    updatedAt: now,
  };
}

function paymentProcessed(ref: ChargeRef, outcome: ChargeOutcome, now: number) {
  return newEvent(
    "PaymentProcessed",
    `payment:${ref.paymentId}`,
    {
      paymentId: ref.paymentId,
      orderId: null,
      subscriptionId: ref.subscriptionId,
      status: outcome.status,
      amountCents: ref.amountCents,
      currency: ref.currency,
      ...(outcome.status === "declined" ? { declineCode: outcome.declineCode } : {}),
    },
    now,
  );
}

export type SubscribeInput = {
  customer: { id: string; email: string };
  planId: string;
  /** The gateway token (already resolved from a card number at the edge) and its display label. */
  token: string;
  methodLabel: string;
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
  const plan = await db
    .select()
    .from(plans)
    .where(and(eq(plans.id, input.planId), eq(plans.active, true)))
    .get();
  if (!plan) return { ok: false, reason: "plan_not_found" };
  const live = await db
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(
      and(
        eq(subscriptions.customerId, input.customer.id),
        eq(subscriptions.planId, plan.id),
        ne(subscriptions.status, "cancelled"),
      ),
    )
    .get();
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
        db.insert(subscriptions).values(row),
        ...invoiceStatements,
        db.insert(payments).values(paymentRow(ref, outcome, input.methodLabel, now)),
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

/**
 * Cancels the customer's subscription `id`: no further charges, the box runs to the end of the paid period (no
 * refund), an open invoice is voided, UserSubscriptionCancelled is emitted once. Cancelling again answers the
 * same. Null when the customer has no such subscription.
 */
export async function cancelSubscription(
  env: Env,
  customerId: string,
  id: string,
  now = Date.now(),
): Promise<SubscriptionView | null> {
  const db = getDb(env.DB);
  const found = await ownSubscription(db, customerId, id);
  if (!found) return null;
  const change = afterCancel(billingOf(found.sub), now);
  if (!change) return subscriptionView(found.sub, found.plan);
  const event = cancelledEvent(found.sub, now);
  await db.batch([
    db
      .update(subscriptions)
      .set({ status: change.status, cancelledAt: change.cancelledAt })
      .where(and(eq(subscriptions.id, id), ne(subscriptions.status, "cancelled"))),
    db
      .update(invoices)
      .set({ status: "void" })
      .where(and(eq(invoices.subscriptionId, id), eq(invoices.status, "open"))),
    ...outboxInserts(db, [event]),
  ]);
  // Read back: a cancel racing this one (or the billing run giving up) may have written first.
  const after = await ownSubscription(db, customerId, id);
  await publishLogged(env, [event.id]);
  return after ? subscriptionView(after.sub, after.plan) : null;
}

export type CareResult =
  | { ok: true; subscription: SubscriptionView }
  | { ok: false; reason: "not_found" | "invalid_state" };

/** Pauses the customer's active subscription: no charge while paused (src/domain/billing.ts `afterPause`). */
export async function pauseSubscription(
  env: Env,
  customerId: string,
  id: string,
  now = Date.now(),
): Promise<CareResult> {
  const db = getDb(env.DB);
  const found = await ownSubscription(db, customerId, id);
  if (!found) return { ok: false, reason: "not_found" };
  if (found.sub.status === "paused") return { ok: true, subscription: subscriptionView(found.sub, found.plan) };
  if (!afterPause(found.sub)) return { ok: false, reason: "invalid_state" };
  const row = await db
    .update(subscriptions)
    .set({ status: "paused", pausedAt: now })
    .where(and(eq(subscriptions.id, id), eq(subscriptions.status, "active")))
    .returning()
    .get();
  if (!row) return { ok: false, reason: "invalid_state" };
  return { ok: true, subscription: subscriptionView(row, found.plan) };
}

/** Resumes a paused subscription; months skipped are not charged (src/domain/billing.ts `afterResume`). */
export async function resumeSubscription(
  env: Env,
  customerId: string,
  id: string,
  now = Date.now(),
): Promise<CareResult> {
  const db = getDb(env.DB);
  const found = await ownSubscription(db, customerId, id);
  if (!found) return { ok: false, reason: "not_found" };
  if (found.sub.status === "active") return { ok: true, subscription: subscriptionView(found.sub, found.plan) };
  const change = afterResume(billingOf(found.sub), now);
  if (!change) return { ok: false, reason: "invalid_state" };
  const row = await db
    .update(subscriptions)
    .set({
      status: change.status,
      billingAnchor: change.anchor,
      currentPeriodEnd: change.currentPeriodEnd,
      pausedAt: null,
      failedPayments: 0,
    })
    .where(and(eq(subscriptions.id, id), eq(subscriptions.status, "paused")))
    .returning()
    .get();
  if (!row) return { ok: false, reason: "invalid_state" };
  return { ok: true, subscription: subscriptionView(row, found.plan) };
}

export type BillingRunSummary = { due: number; charged: number; declined: number; cancelled: number; skipped: number };

/** Candidates are read this many at a time (by id), each charged before the next page is read. */
const PAGE = 100;

/**
 * The daily billing run at `now` (the cron's scheduled time): every subscription the rules find due gets one
 * charge attempt. A failure with one subscription is logged and does not stop the others.
 */
export async function runBilling(env: Env, now: number): Promise<BillingRunSummary> {
  const db = getDb(env.DB);
  const webhooks: Promise<unknown>[] = [];
  const gateway = paymentGateway(env, (work) => webhooks.push(work));
  const summary: BillingRunSummary = { due: 0, charged: 0, declined: 0, cancelled: 0, skipped: 0 };
  let after = "";
  for (;;) {
    const page = await db
      .select({ sub: subscriptions, plan: plans, email: customers.email })
      .from(subscriptions)
      .innerJoin(plans, eq(plans.id, subscriptions.planId))
      .innerJoin(customers, eq(customers.id, subscriptions.customerId))
      .where(
        and(
          inArray(subscriptions.status, ["active", "past_due"]),
          lte(subscriptions.currentPeriodEnd, now),
          gt(subscriptions.id, after),
        ),
      )
      .orderBy(subscriptions.id)
      .limit(PAGE);
    for (const row of page) {
      if (dueReason(billingOf(row.sub), now) === null) continue;
      summary.due++;
      try {
        const result = await renew(env, db, gateway, row, now);
        summary[result]++;
      } catch (err) {
        summary.skipped++;
        console.error(
          JSON.stringify({
            level: "error",
            message: "subscription renewal failed",
            id: row.sub.id,
            error: String(err),
          }),
        );
      }
    }
    const last = page.at(-1);
    if (!last || page.length < PAGE) break;
    after = last.sub.id;
  }
  // Keep the invocation alive until the gateway's webhooks (recorded without effect) have landed.
  await Promise.allSettled(webhooks);
  if (summary.due > 0) console.log(JSON.stringify({ level: "info", message: "billing run", now, ...summary }));
  return summary;
}

type RenewalRow = { sub: SubscriptionRow; plan: PlanRow; email: string };

/** Logs `event` only if the invoice `invoiceId` exists: written by this run, not found from an earlier one. */
function outboxInsertIfInvoice(db: Db, event: EventEnvelope, invoiceId: string): BatchItem<"sqlite"> {
  return db
    .insert(eventLog)
    .select(
      db
        .select({
          id: sql`${event.id}`.as("id"),
          type: sql`${event.type}`.as("type"),
          version: sql`${event.version}`.as("version"),
          occurredAt: sql`${event.occurredAt}`.as("occurredAt"),
          source: sql`${event.source}`.as("source"),
          subject: sql`${event.subject}`.as("subject"),
          data: sql`${JSON.stringify(event.data)}`.as("data"),
          publishedAt: sql`NULL`.as("publishedAt"),
        })
        .from(invoices)
        .where(eq(invoices.id, invoiceId)),
    )
    .onConflictDoNothing();
}

/** One charge attempt for a due subscription: claim today's attempt, make sure the invoice exists, charge, apply. */
async function renew(
  env: Env,
  db: Db,
  gateway: PaymentGateway,
  { sub, plan, email }: RenewalRow,
  now: number,
): Promise<"charged" | "declined" | "cancelled" | "skipped"> {
  // Of two runs racing, one claims the day's attempt (the rule of `dueReason`: none yet today); the other finds
  // nothing to do.
  const claimed = await db
    .update(subscriptions)
    .set({ lastAttemptAt: now })
    .where(
      and(
        eq(subscriptions.id, sub.id),
        eq(subscriptions.status, sub.status),
        eq(subscriptions.currentPeriodEnd, sub.currentPeriodEnd),
        or(isNull(subscriptions.lastAttemptAt), lt(subscriptions.lastAttemptAt, startOfUtcDay(now))),
      ),
    )
    .returning({ id: subscriptions.id });
  if (claimed.length === 0) return "skipped";

  // The period being billed starts where the paid one ends; its invoice is written once (an earlier attempt,
  // declined or interrupted, left it open).
  const period = nextPeriod(sub.billingAnchor ?? sub.createdAt, sub.currentPeriodEnd);
  const draft = periodInvoice(plan, period, config(env).taxRateBps);
  const invoiceId = newId("inv");
  const invoiceEventId = newId("evt");
  const due = newEvent(
    "SubscriptionPaymentDue",
    `subscription:${sub.id}`,
    {
      subscriptionId: sub.id,
      customerId: sub.customerId,
      invoiceId,
      amountCents: draft.totalCents,
      currency: draft.currency,
      dueAt: period.start,
    },
    now,
  );
  const statements = numberedInvoiceStatements(
    db,
    {
      id: invoiceId,
      customerId: sub.customerId,
      orderId: null,
      subscriptionId: sub.id,
      email,
      ...draft,
      status: "open",
      issuedAt: now,
    },
    invoiceEventId,
  );
  await retryOnInvoiceNumber(() => db.batch([...statements, outboxInsertIfInvoice(db, due, invoiceId)]));
  await publishLogged(env, [due.id, invoiceEventId]);
  const invoice = await db
    .select()
    .from(invoices)
    .where(and(eq(invoices.subscriptionId, sub.id), eq(invoices.periodStart, period.start)))
    .get();
  if (invoice?.status !== "open") return "skipped";

  const ref: ChargeRef = {
    paymentId: newId("pay"),
    subscriptionId: sub.id,
    amountCents: invoice.totalCents,
    currency: invoice.currency,
    // Every subscription stores its token when it starts; a row without one is declined like an unknown token.
    token: sub.paymentToken ?? "",
  };
  const outcome = await charge(gateway, ref);
  const change: BillingChange =
    outcome.status === "captured" ? afterPaymentCaptured(billingOf(sub)) : afterPaymentDeclined(billingOf(sub), now);
  const events: EventEnvelope[] = [paymentProcessed(ref, outcome, now)];
  const writes: BatchItem<"sqlite">[] = [db.insert(payments).values(paymentRow(ref, outcome, ref.token, now))];
  if (outcome.status === "captured") {
    writes.push(
      db.update(invoices).set({ status: "paid" }).where(eq(invoices.id, invoice.id)),
      // A customer who cancelled while this charge ran stays cancelled; the period they paid for still starts.
      db
        .update(subscriptions)
        .set({
          status: sql`CASE WHEN ${subscriptions.status} = 'cancelled' THEN 'cancelled' ELSE 'active' END`,
          currentPeriodStart: change.currentPeriodStart,
          currentPeriodEnd: change.currentPeriodEnd,
          failedPayments: 0,
        })
        .where(and(eq(subscriptions.id, sub.id), eq(subscriptions.currentPeriodEnd, sub.currentPeriodEnd))),
    );
  } else {
    writes.push(
      db
        .update(subscriptions)
        .set({ status: change.status, failedPayments: change.failedPayments, cancelledAt: change.cancelledAt })
        .where(and(eq(subscriptions.id, sub.id), ne(subscriptions.status, "cancelled"))),
    );
    if (change.invoice === "void") {
      writes.push(
        db
          .update(invoices)
          .set({ status: "void" })
          .where(and(eq(invoices.id, invoice.id), eq(invoices.status, "open"))),
      );
      events.push(cancelledEvent(sub, now));
    }
  }
  const [first, ...rest] = [...writes, ...outboxInserts(db, events)];
  if (first) await db.batch([first, ...rest]);
  await publishLogged(
    env,
    events.map((e) => e.id),
  );
  if (outcome.status === "captured") return "charged";
  return change.status === "cancelled" ? "cancelled" : "declined";
}
