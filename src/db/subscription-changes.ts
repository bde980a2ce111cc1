/**
 * The writes of a customer's own subscription commands (src/services/billing: subscribe, cancel, pause, resume,
 * skip and undo, change the card). Each update is conditional on the state the service read, so a command racing
 * the billing run (or itself) changes the row once; the ones that return a row answer undefined when it lost.
 */
import { and, eq, ne } from "drizzle-orm";
import type { BillingChange, ResumeChange } from "../domain/billing";
import type { Db } from "./client";
import { invoices, subscriptions } from "./schema";
import type { SubscriptionRow } from "./subscriptions";

/** For a batch: a new subscription row. */
export function insertSubscription(db: Db, row: SubscriptionRow) {
  return db.insert(subscriptions).values(row);
}

/** Stores a new card (gateway token and label) on subscription `id`; answers the row written. */
export async function setSubscriptionCard(db: Db, id: string, card: { paymentToken: string; methodLabel: string }) {
  return db.update(subscriptions).set(card).where(eq(subscriptions.id, id)).returning().get();
}

/**
 * For a batch: cancels subscription `id` (not cancelled yet, charge date still `currentPeriodEnd`), ending the box
 * at `endsAt` and dropping a pending skip.
 */
export function cancelSubscriptionRow(
  db: Db,
  id: string,
  currentPeriodEnd: number,
  change: Pick<BillingChange, "status" | "cancelledAt">,
  endsAt: number,
) {
  return db
    .update(subscriptions)
    .set({ status: change.status, cancelledAt: change.cancelledAt, currentPeriodEnd: endsAt, skippedFrom: null })
    .where(
      and(
        eq(subscriptions.id, id),
        ne(subscriptions.status, "cancelled"),
        eq(subscriptions.currentPeriodEnd, currentPeriodEnd),
      ),
    );
}

/** For a batch: voids every open invoice of subscription `subscriptionId`. */
export function voidOpenSubscriptionInvoices(db: Db, subscriptionId: string) {
  return db
    .update(invoices)
    .set({ status: "void" })
    .where(and(eq(invoices.subscriptionId, subscriptionId), eq(invoices.status, "open")));
}

/** Pauses subscription `id` if it is active; answers the row written. */
export async function pauseActiveSubscription(db: Db, id: string, now: number) {
  return db
    .update(subscriptions)
    .set({ status: "paused", pausedAt: now })
    .where(and(eq(subscriptions.id, id), eq(subscriptions.status, "active")))
    .returning()
    .get();
}

/** Resumes subscription `id` if it is paused, with its new anchor and charge date; answers the row written. */
export async function resumePausedSubscription(
  db: Db,
  id: string,
  change: Pick<ResumeChange, "status" | "anchor" | "currentPeriodEnd">,
) {
  return db
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
}

/**
 * Moves active subscription `id`'s charge date (a skip or its undo), only if it is still `currentPeriodEnd`;
 * answers the row written.
 */
export async function moveSubscriptionChargeDate(
  db: Db,
  id: string,
  currentPeriodEnd: number,
  change: { currentPeriodEnd: number; skippedFrom: number | null },
) {
  return db
    .update(subscriptions)
    .set({ currentPeriodEnd: change.currentPeriodEnd, skippedFrom: change.skippedFrom })
    .where(
      and(
        eq(subscriptions.id, id),
        eq(subscriptions.status, "active"),
        eq(subscriptions.currentPeriodEnd, currentPeriodEnd),
      ),
    )
    .returning()
    .get();
}
