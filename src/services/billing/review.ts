/**
 * Staff decide a renewal the fraud check held (src/domain/renewal-fraud.ts). Approving charges the period's open
 * invoice at once, without a second check; rejecting records a refused attempt, which the dunning rule counts
 * like a decline (the customer is asked to update the card). The claim clears `renewal_review` with a
 * conditional update, so two staff deciding at once decide once.
 */
import { and, eq, isNotNull } from "drizzle-orm";
import { paymentGateway } from "../../adapters/payment-gateway";
import { getDb } from "../../db/client";
import { customers, invoices, plans, subscriptions } from "../../db/schema";
import { nextPeriod } from "../../domain/billing";
import type { RenewalOutcome } from "./dunning";
import { chargeRenewal } from "./renewals";

export type ReviewResult = { ok: true; outcome: RenewalOutcome } | { ok: false; reason: "not_found" | "invalid_state" };

export async function decideRenewal(
  env: Env,
  id: string,
  decision: "approve" | "reject",
  background: (work: Promise<unknown>) => void,
  now = Date.now(),
): Promise<ReviewResult> {
  const db = getDb(env.DB);
  const found = await db
    .select({ sub: subscriptions, plan: plans, email: customers.email })
    .from(subscriptions)
    .innerJoin(plans, eq(plans.id, subscriptions.planId))
    .innerJoin(customers, eq(customers.id, subscriptions.customerId))
    .where(eq(subscriptions.id, id))
    .get();
  if (!found) return { ok: false, reason: "not_found" };
  const { sub } = found;
  const claimed = await db
    .update(subscriptions)
    .set({ renewalReview: null })
    .where(and(eq(subscriptions.id, id), isNotNull(subscriptions.renewalReview)))
    .returning({ id: subscriptions.id });
  if (claimed.length === 0) return { ok: false, reason: "invalid_state" };
  const period = nextPeriod(sub.billingAnchor ?? sub.createdAt, sub.currentPeriodEnd);
  const invoice = await db
    .select()
    .from(invoices)
    .where(and(eq(invoices.subscriptionId, id), eq(invoices.periodStart, period.start)))
    .get();
  // Cancelled (and its invoice voided) while it waited: there is nothing left to charge.
  if (sub.status === "cancelled" || invoice?.status !== "open") return { ok: false, reason: "invalid_state" };
  const outcome = await chargeRenewal(
    env,
    db,
    paymentGateway(env, background),
    { sub, invoice, token: sub.paymentToken ?? "" },
    decision === "approve" ? "charge" : "refused",
    now,
  );
  return { ok: true, outcome };
}
