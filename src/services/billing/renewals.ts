/**
 * The daily billing run (the cron's renewals): each due subscription gets one charge attempt per UTC day,
 * claimed with a conditional update so two runs racing charge once; the period's invoice is written once
 * (unique `invoices(subscription_id, period_start)`), numbered in the shop's one invoice sequence. What the
 * charge's outcome does is src/services/billing/dunning.ts.
 */
import { and, eq, gt, inArray, isNull, lt, lte, or, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { config } from "../../config";
import { type Db, getDb } from "../../db/client";
import { customers, events as eventLog, invoices, plans, subscriptions } from "../../db/schema";
import { dueReason, nextPeriod, periodInvoice, startOfUtcDay } from "../../domain/billing";
import type { EventEnvelope } from "../../domain/events";
import { newId } from "../../lib/ids";
import { newEvent } from "../event-bus";
import { numberedInvoiceStatements, publishLogged, retryOnInvoiceNumber } from "../invoices";
import { type PaymentGateway, paymentGateway } from "../payment-gateway";
import { type ChargeRef, charge } from "./charge";
import { applyRenewalOutcome } from "./dunning";
import type { PlanRow, SubscriptionRow } from "./views";
import { billingOf } from "./views";

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
  return applyRenewalOutcome(env, db, { sub, invoiceId: invoice.id, ref, outcome }, now);
}
