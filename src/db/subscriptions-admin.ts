/** The console's reads of subscriptions: the list (past due first) and one subscription with its money. */
import { and, asc, desc, eq, lte, type SQL, sql } from "drizzle-orm";
import type { Db } from "./client";
import { customers, invoices, payments, plans, subscriptions } from "./schema";

const summary = {
  id: subscriptions.id,
  status: subscriptions.status,
  customerId: subscriptions.customerId,
  email: customers.email,
  name: customers.name,
  planId: subscriptions.planId,
  planName: plans.name,
  priceCents: plans.priceCents,
  currency: plans.currency,
  currentPeriodStart: subscriptions.currentPeriodStart,
  /** When the next charge is due: the end of the current period. */
  nextBillingAt: subscriptions.currentPeriodEnd,
  failedPayments: subscriptions.failedPayments,
  /** A renewal the fraud check held for staff review (score, reasons), or null. */
  renewalReview: subscriptions.renewalReview,
  createdAt: subscriptions.createdAt,
  cancelledAt: subscriptions.cancelledAt,
};

/**
 * Subscriptions for the console: past due first (they need someone), then by next billing date. `dueBefore`
 * keeps live ones whose period ends by then (the overview's "renewals due" card).
 */
export async function listSubscriptions(db: Db, opts: { status?: string; dueBefore?: number; limit: number }) {
  const where: SQL[] = [];
  if (opts.status) where.push(eq(subscriptions.status, opts.status as "active"));
  if (opts.dueBefore !== undefined) {
    where.push(sql`${subscriptions.status} IN ('active', 'past_due')`);
    where.push(lte(subscriptions.currentPeriodEnd, opts.dueBefore));
  }
  return db
    .select(summary)
    .from(subscriptions)
    .innerJoin(customers, eq(customers.id, subscriptions.customerId))
    .innerJoin(plans, eq(plans.id, subscriptions.planId))
    .where(and(...where))
    .orderBy(
      sql`CASE ${subscriptions.status} WHEN 'past_due' THEN 0 WHEN 'active' THEN 1 ELSE 2 END`,
      asc(subscriptions.currentPeriodEnd),
      asc(subscriptions.id),
    )
    .limit(opts.limit);
}

export async function subscriptionDetail(db: Db, id: string) {
  const [found, invoiceRows, paymentRows] = await db.batch([
    db
      .select(summary)
      .from(subscriptions)
      .innerJoin(customers, eq(customers.id, subscriptions.customerId))
      .innerJoin(plans, eq(plans.id, subscriptions.planId))
      .where(eq(subscriptions.id, id)),
    db
      .select({
        id: invoices.id,
        number: invoices.number,
        status: invoices.status,
        totalCents: invoices.totalCents,
        currency: invoices.currency,
        periodStart: invoices.periodStart,
        periodEnd: invoices.periodEnd,
        issuedAt: invoices.issuedAt,
      })
      .from(invoices)
      .where(eq(invoices.subscriptionId, id))
      .orderBy(desc(invoices.issuedAt))
      .limit(100),
    db
      .select({
        id: payments.id,
        status: payments.status,
        amountCents: payments.amountCents,
        refundedCents: payments.refundedCents,
        currency: payments.currency,
        methodLabel: payments.methodLabel,
        declineCode: payments.declineCode,
        createdAt: payments.createdAt,
      })
      .from(payments)
      .where(eq(payments.subscriptionId, id))
      .orderBy(desc(payments.createdAt))
      .limit(100),
  ]);
  const subscription = found[0];
  if (!subscription) return null;
  return { subscription, invoices: invoiceRows, payments: paymentRows };
}
