/**
 * Reads of plans and subscriptions, and the shape the customer's API answers with. `billingOf` is what the
 * billing rules (src/domain/billing.ts) read of a row.
 */
import { and, desc, eq, ne } from "drizzle-orm";
import { type BillingSubscription, nextBillingAt } from "../domain/billing";
import { pendingSkip } from "../domain/subscription-care";
import type { Db } from "./client";
import { plans, type ShippingAddress, subscriptions } from "./schema";

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
  /** Where the box ships; null only for a subscription started before addresses were asked for. */
  shippingAddress: ShippingAddress | null;
  /** The card on file as a label ("Visa ending 4242"), never its number. */
  card: string | null;
  /** The month skipped in the current cycle, if any; `undoable` until it starts. */
  skippedMonth: { start: number; end: number; undoable: boolean } | null;
};

export type SubscriptionRow = typeof subscriptions.$inferSelect;
export type PlanRow = typeof plans.$inferSelect;

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

/** The plan, when it exists and is on sale. */
export async function planOnSale(db: Db, planId: string): Promise<PlanRow | undefined> {
  return db
    .select()
    .from(plans)
    .where(and(eq(plans.id, planId), eq(plans.active, true)))
    .get();
}

/** The customer's subscription to the plan that is not cancelled, if any (one per customer and plan). */
export async function liveSubscriptionTo(
  db: Db,
  q: { customerId: string; planId: string },
): Promise<{ id: string } | undefined> {
  return db
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(
      and(
        eq(subscriptions.customerId, q.customerId),
        eq(subscriptions.planId, q.planId),
        ne(subscriptions.status, "cancelled"),
      ),
    )
    .get();
}

export function billingOf(row: SubscriptionRow): BillingSubscription {
  return {
    status: row.status,
    anchor: row.billingAnchor ?? row.createdAt,
    currentPeriodStart: row.currentPeriodStart,
    currentPeriodEnd: row.currentPeriodEnd,
    failedPayments: row.failedPayments,
    lastAttemptAt: row.lastAttemptAt,
    held: row.renewalReview !== null,
  };
}

export function subscriptionView(
  row: SubscriptionRow,
  plan: Pick<PlanRow, "name" | "priceCents" | "currency">,
  now = Date.now(),
) {
  // A skip belongs to the current cycle until the renewal after it moves the period past it.
  const skipped = row.skippedFrom !== null && row.skippedFrom > row.currentPeriodStart ? row.skippedFrom : null;
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
    shippingAddress: row.shippingAddress,
    card: row.methodLabel,
    skippedMonth:
      skipped === null
        ? null
        : { start: skipped, end: row.currentPeriodEnd, undoable: row.status === "active" && pendingSkip(row, now) },
  } satisfies SubscriptionView;
}

export const withPlan = (db: Db) =>
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

export async function ownSubscription(db: Db, customerId: string, id: string) {
  return withPlan(db)
    .where(and(eq(subscriptions.id, id), eq(subscriptions.customerId, customerId)))
    .get();
}
