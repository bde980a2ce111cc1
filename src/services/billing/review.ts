/**
 * Staff decide a renewal the fraud check held (src/domain/renewal-fraud.ts). Approving charges the period's open
 * invoice at once, without a second check; rejecting records a refused attempt, which the dunning rule counts
 * like a decline (the customer is asked to update the card). The claim clears `renewal_review` with a
 * conditional update, so two staff deciding at once decide once.
 */
import { paymentGateway } from "../../adapters/payment-gateway";
import { getDb } from "../../db/client";
import { claimRenewalReview, subscriptionForReview, subscriptionPeriodInvoice } from "../../db/renewals";
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
  const found = await subscriptionForReview(db, id);
  if (!found) return { ok: false, reason: "not_found" };
  const { sub } = found;
  const claimed = await claimRenewalReview(db, id);
  if (claimed.length === 0) return { ok: false, reason: "invalid_state" };
  const period = nextPeriod(sub.billingAnchor ?? sub.createdAt, sub.currentPeriodEnd);
  const invoice = await subscriptionPeriodInvoice(db, id, period.start);
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
