/**
 * The fraud check of a renewal: gathers the same facts the order check reads (src/services/subscribers/fraud.ts) for the
 * subscription's customer, scores them with the same rules (src/domain/fraud.ts) and says what the decision does
 * to the charge (src/domain/renewal-fraud.ts).
 */
import type { Db } from "../../db/client";
import { renewalFraudFacts } from "../../db/fraud-facts";
import type { SubscriptionRow } from "../../db/subscriptions";
import { assessFraud, FRAUD_WINDOWS } from "../../domain/fraud";
import { tokenRisk } from "../../domain/payment-tokens";
import { type RenewalGate, renewalFraudInput, renewalGate } from "../../domain/renewal-fraud";

export async function checkRenewal(
  db: Db,
  sub: SubscriptionRow,
  charge: { amountCents: number; token: string },
  now: number,
): Promise<RenewalGate> {
  const dayAgo = now - FRAUD_WINDOWS.declinesMs;
  const { history, account, orderDeclines, subscriptionDeclines } = await renewalFraudFacts(db, sub.customerId, dayAgo);
  const input = renewalFraudInput({
    amountCents: charge.amountCents,
    history: { paidOrders: history[0]?.n ?? 0, averageCents: Number(history[0]?.average ?? 0) },
    accountAgeMs: account[0] ? now - account[0].createdAt : null,
    shippingCountry: sub.shippingAddress?.country ?? null,
    recentDeclines: (orderDeclines[0]?.n ?? 0) + (subscriptionDeclines[0]?.n ?? 0),
    tokenRisk: tokenRisk(charge.token),
  });
  return renewalGate(assessFraud(input), sub.currentPeriodEnd, now);
}
