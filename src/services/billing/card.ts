/**
 * Changing the card a subscription is charged with. The card reaches us as the checkout's does: the route
 * resolves what the browser sent to a gateway token and a label (src/domain/payment-tokens.ts) and only those
 * are kept. Before the token replaces the one on file, the gateway checks it with an authorization of the next
 * period's total that is voided at once (what a provider's card set-up does): a card that would be declined is
 * refused now, not at the renewal. A past-due subscription keeps its open invoice; the next daily run charges the
 * new card.
 */
import { paymentGateway } from "../../adapters/payment-gateway";
import { config } from "../../config";
import { getDb } from "../../db/client";
import { setSubscriptionCard } from "../../db/subscription-changes";
import { billingOf, ownSubscription, type SubscriptionView, subscriptionView } from "../../db/subscriptions";
import { nextPeriod, periodInvoice } from "../../domain/billing";
import { newId } from "../../lib/ids";

export type CardChangeResult =
  | { ok: true; subscription: SubscriptionView }
  | { ok: false; reason: "not_found" | "invalid_state" }
  | { ok: false; reason: "declined"; declineCode: string };

export async function changeCard(
  env: Env,
  input: { customerId: string; id: string; token: string; methodLabel: string },
  background: (work: Promise<unknown>) => void,
  now = Date.now(),
): Promise<CardChangeResult> {
  const db = getDb(env.DB);
  const found = await ownSubscription(db, input.customerId, input.id);
  if (!found) return { ok: false, reason: "not_found" };
  if (found.sub.status === "cancelled") return { ok: false, reason: "invalid_state" };

  const sub = billingOf(found.sub);
  const draft = periodInvoice(found.plan, nextPeriod(sub.anchor, sub.currentPeriodEnd), config(env).taxRateBps);
  const gateway = paymentGateway(env, background);
  const ref = {
    paymentId: newId("pay"),
    orderId: found.sub.id,
    amountCents: draft.totalCents,
    currency: draft.currency,
  };
  const check = await gateway.authorize({ ...ref, token: input.token });
  if (check.status !== "authorized") {
    return { ok: false, reason: "declined", declineCode: check.declineCode ?? "declined" };
  }
  // Only a check: the authorization is released (in the background, like the gateway's webhooks).
  background(gateway.void(ref, `${ref.paymentId}:void`));

  const row = await setSubscriptionCard(db, found.sub.id, {
    paymentToken: input.token,
    methodLabel: input.methodLabel,
  });
  if (!row) return { ok: false, reason: "not_found" };
  return { ok: true, subscription: subscriptionView(row, found.plan, now) };
}
