/**
 * The storefront's monthly boxes (/subscribe): the plans on offer, for anyone. Subscribing happens in the
 * account (a box ships to an address and is paid by card): each plan links to the account's subscribe form,
 * which sends a signed-out shopper through sign-in (or sign-up) and back.
 */
import { formatMoney } from "../../web/src/lib/api";
import type { PlanView } from "../db/subscriptions";

const formFor = (planId: string) => `/account/subscriptions?plan=${encodeURIComponent(planId)}`;

export function SubscribeView({ plans }: { plans: PlanView[] }) {
  return (
    <section class="subscribe-page" aria-labelledby="subscribe-title">
      <h1 id="subscribe-title">Monthly boxes</h1>
      <p>
        A box of handmade bracelets at your door every month, shipped free. Pause, skip a month or cancel any time from
        your account.
      </p>
      {plans.length === 0 ? (
        <p class="muted">No monthly boxes are on offer right now.</p>
      ) : (
        <ul class="plan-list storefront-plans">
          {plans.map((plan) => (
            <li key={plan.id} data-plan-id={plan.id}>
              <h2>{plan.name}</h2>
              {plan.description ? <p>{plan.description}</p> : null}
              <p class="price">{formatMoney(plan.priceCents, plan.currency)} a month plus tax</p>
              <p>
                <a class="button" href={formFor(plan.id)}>
                  Subscribe to {plan.name}
                </a>{" "}
                <span class="muted">
                  New here?{" "}
                  <a href={`/account/signup?next=${encodeURIComponent(formFor(plan.id))}`}>Create an account</a> first.
                </span>
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
