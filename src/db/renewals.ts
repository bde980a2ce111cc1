/**
 * The daily billing run's reads and writes of `subscriptions`, `invoices` and `payments` (src/services/billing):
 * the due and noticed pages, the conditional claims that make two racing runs act once, and the statements a
 * renewal's outcome writes in one D1 batch (those return the query builder, not awaited).
 */
import { and, eq, gt, inArray, isNotNull, isNull, lt, lte, ne, or, sql } from "drizzle-orm";
import type { BillingChange } from "../domain/billing";
import type { Db } from "./client";
import { customers, invoices, payments, plans, subscriptions } from "./schema";
import type { SubscriptionRow } from "./subscriptions";

/** A page (ids after `after`, in id order) of active or past-due subscriptions whose period ended by `now`. */
export async function dueSubscriptionsPage(db: Db, now: number, after: string, limit: number) {
  return db
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
    .limit(limit);
}

/**
 * Claims today's charge attempt of `sub` (none yet since `dayStart`, not held for review, unchanged since read);
 * answers the ids claimed (empty when another run has it).
 */
export async function claimRenewalAttempt(db: Db, sub: SubscriptionRow, now: number, dayStart: number) {
  return db
    .update(subscriptions)
    .set({ lastAttemptAt: now })
    .where(
      and(
        eq(subscriptions.id, sub.id),
        eq(subscriptions.status, sub.status),
        eq(subscriptions.currentPeriodEnd, sub.currentPeriodEnd),
        isNull(subscriptions.renewalReview),
        or(isNull(subscriptions.lastAttemptAt), lt(subscriptions.lastAttemptAt, dayStart)),
      ),
    )
    .returning({ id: subscriptions.id });
}

/** Holds `sub`'s renewal for staff review, unless its period moved meanwhile; answers the ids held. */
export async function holdRenewalForReview(db: Db, sub: SubscriptionRow, review: SubscriptionRow["renewalReview"]) {
  return db
    .update(subscriptions)
    .set({ renewalReview: review })
    .where(and(eq(subscriptions.id, sub.id), eq(subscriptions.currentPeriodEnd, sub.currentPeriodEnd)))
    .returning({ id: subscriptions.id });
}

/** The invoice of subscription `subscriptionId` for the period starting at `periodStart`, if written. */
export async function subscriptionPeriodInvoice(db: Db, subscriptionId: string, periodStart: number) {
  return db
    .select()
    .from(invoices)
    .where(and(eq(invoices.subscriptionId, subscriptionId), eq(invoices.periodStart, periodStart)))
    .get();
}

/** The subscription `id` with its plan and its customer's e-mail (a renewal held for review). */
export async function subscriptionForReview(db: Db, id: string) {
  return db
    .select({ sub: subscriptions, plan: plans, email: customers.email })
    .from(subscriptions)
    .innerJoin(plans, eq(plans.id, subscriptions.planId))
    .innerJoin(customers, eq(customers.id, subscriptions.customerId))
    .where(eq(subscriptions.id, id))
    .get();
}

/** Clears a pending review of subscription `id`; answers the ids cleared (empty when another staff member did). */
export async function claimRenewalReview(db: Db, id: string) {
  return db
    .update(subscriptions)
    .set({ renewalReview: null })
    .where(and(eq(subscriptions.id, id), isNotNull(subscriptions.renewalReview)))
    .returning({ id: subscriptions.id });
}

/** For a batch: inserts a payment row. */
export function insertPayment(db: Db, row: typeof payments.$inferInsert) {
  return db.insert(payments).values(row);
}

/** For a batch: marks invoice `invoiceId` paid. */
export function markInvoicePaid(db: Db, invoiceId: string) {
  return db.update(invoices).set({ status: "paid" }).where(eq(invoices.id, invoiceId));
}

/**
 * For a batch: a captured renewal advances `sub`'s period (only if it has not moved since read). A customer who
 * cancelled while the charge ran stays cancelled; the period they paid for still starts.
 */
export function advancePaidPeriod(db: Db, sub: SubscriptionRow, change: BillingChange) {
  return db
    .update(subscriptions)
    .set({
      status: sql`CASE WHEN ${subscriptions.status} = 'cancelled' THEN 'cancelled' ELSE 'active' END`,
      currentPeriodStart: change.currentPeriodStart,
      currentPeriodEnd: change.currentPeriodEnd,
      failedPayments: 0,
    })
    .where(and(eq(subscriptions.id, sub.id), eq(subscriptions.currentPeriodEnd, sub.currentPeriodEnd)));
}

/** For a batch: a declined renewal's status, count and cancellation, unless the subscription is cancelled. */
export function recordDeclinedRenewal(db: Db, subscriptionId: string, change: BillingChange) {
  return db
    .update(subscriptions)
    .set({ status: change.status, failedPayments: change.failedPayments, cancelledAt: change.cancelledAt })
    .where(and(eq(subscriptions.id, subscriptionId), ne(subscriptions.status, "cancelled")));
}

/** For a batch: voids invoice `invoiceId` if it is still open. */
export function voidInvoiceIfOpen(db: Db, invoiceId: string) {
  return db
    .update(invoices)
    .set({ status: "void" })
    .where(and(eq(invoices.id, invoiceId), eq(invoices.status, "open")));
}

/**
 * A page (ids after `after`, in id order) of active or past-due subscriptions, with their plans, whose charge
 * date is by `until` and whose notice for that date has not been sent.
 */
export async function unnoticedRenewalsPage(db: Db, until: number, after: string, limit: number) {
  return db
    .select({ sub: subscriptions, plan: plans })
    .from(subscriptions)
    .innerJoin(plans, eq(plans.id, subscriptions.planId))
    .where(
      and(
        inArray(subscriptions.status, ["active", "past_due"]),
        lte(subscriptions.currentPeriodEnd, until),
        or(isNull(subscriptions.noticeSentFor), ne(subscriptions.noticeSentFor, subscriptions.currentPeriodEnd)),
        gt(subscriptions.id, after),
      ),
    )
    .orderBy(subscriptions.id)
    .limit(limit);
}

/** For a batch: records that `sub`'s notice for its current charge date went out (if that date has not moved). */
export function markNoticeSent(db: Db, sub: SubscriptionRow) {
  return db
    .update(subscriptions)
    .set({ noticeSentFor: sub.currentPeriodEnd })
    .where(and(eq(subscriptions.id, sub.id), eq(subscriptions.currentPeriodEnd, sub.currentPeriodEnd)));
}
