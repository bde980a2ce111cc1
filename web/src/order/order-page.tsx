/**
 * /orders/:id: the shopper's live order page. A guest reads it with the order's access token (`?token=` or the
 * one this browser kept); a signed-in owner needs none. The status moves without a reload as the order's
 * live feed reports each change (see use-order.ts). Stable hooks for tests: `data-order-status`, `data-live`.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { decide } from "../../../src/domain/order-machine";
import { paymentLine } from "../../../src/domain/order-wording";
import { fetchMe, formatMoney, formatTime } from "../lib/api";
import { TotalsFoot } from "../lib/totals-foot";
import { AmendForm, CancelPanel, ClaimButton, PayForm } from "./order-actions";
import { ShipPushButton } from "./push-button";
import { orderPath } from "./tokens";
import { type Order, type OrderStatus, orderLabel, statusLabel, type User } from "./types";
import { useOrder } from "./use-order";

/** What each status means to the shopper, in one sentence. */
const HEADLINE: Record<OrderStatus, string> = {
  pending: "We are reserving your bracelets…",
  reserved: "Your bracelets are reserved. Pay to complete the order.",
  payment_pending: "We are confirming your payment…",
  payment_failed: "Your payment did not go through.",
  on_hold: "We are reviewing your order. We will email you as soon as we are done; nothing else is needed from you.",
  confirmed: "Thank you! Your order is confirmed and we are getting it ready.",
  shipped: "Your order is on its way.",
  delivered: "Your order has been delivered. Enjoy your bracelets!",
  cancelled: "This order was cancelled.",
};

const DECLINES: Record<string, string> = {
  card_declined: "Your card was declined.",
  invalid_token: "This payment method was not accepted.",
};

/** Seconds left until `until`, ticking once a second while it is in the future. */
function useSecondsLeft(until: number | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until === null) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [until]);
  return until === null ? null : Math.max(0, Math.ceil((until - now) / 1000));
}

function Countdown({ until }: { until: number }) {
  const left = useSecondsLeft(until) ?? 0;
  const mm = Math.floor(left / 60);
  const ss = String(left % 60).padStart(2, "0");
  return left > 0 ? (
    <p class="order-expiry" data-testid="order-expiry">
      Reserved for you for another{" "}
      <strong>
        <time dateTime={`PT${left}S`}>
          {mm}:{ss}
        </time>
      </strong>{" "}
      (until {formatTime(until)}).
    </p>
  ) : (
    <p class="order-expiry error-text" data-testid="order-expiry">
      The reservation has run out; the bracelets are going back on the shelf.
    </p>
  );
}

const canDo = (status: OrderStatus, command: "cancel" | "amend" | "pay") =>
  status !== "cancelled" && decide(status, command, "owner").ok;

export function OrderPage({ orderId }: { orderId: string }) {
  const { token, tokenKnown, load, live, accept, refresh } = useOrder(orderId);
  const [me, setMe] = useState<User | null | undefined>(undefined);
  const [amending, setAmending] = useState(false);
  // A decline already on the page when it renders is never announced by its live region, and focus would sit on
  // <body>: move focus to the message (once per declined attempt) so it is read and the retry form is next.
  const declineRef = useRef<HTMLParagraphElement>(null);
  const declinedAttempt =
    load.state === "ok" && load.order.status === "payment_failed" && load.order.payment?.declineCode
      ? `${load.order.version}`
      : null;
  useEffect(() => {
    if (declinedAttempt) declineRef.current?.focus();
  }, [declinedAttempt]);

  useEffect(() => {
    fetchMe()
      .then((r) => setMe(r.user))
      .catch(() => setMe(null));
  }, []);

  if (load.state === "loading" || !tokenKnown) return <p aria-busy="true">Loading your order…</p>;
  if (load.state === "missing") {
    return (
      <div class="order-page" data-order-missing="1">
        <h1>Order not found</h1>
        <p>We could not find this order. Open it from the link you got when you placed it.</p>
        {me === null ? (
          <p>
            Placed it while signed in?{" "}
            <a href={`/account/login?next=${encodeURIComponent(`/orders/${orderId}`)}`}>Sign in</a> to see it.
          </p>
        ) : null}
      </div>
    );
  }
  if (load.state === "error") {
    return (
      <div class="order-page">
        <h1>Your order</h1>
        <p class="error-text" role="alert">
          We could not load this order: {load.message}. Reload the page to try again.
        </p>
      </div>
    );
  }

  const { order } = load;
  const { status, totals } = order;
  // Staff reading someone's order see its risk and attempts; the shopper's actions are not theirs to take.
  const isOwner = !("payments" in order);
  const wasConfirmed = order.timeline.some((e) => e.status === "confirmed");
  const declined = status === "payment_failed" && order.payment?.declineCode;
  const lastNote = [...order.timeline].reverse().find((e) => e.note)?.note;
  const canClaim = isOwner && me && token && order.customerId !== me.id;
  const mine = isOwner && me && order.customerId === me.id;

  return (
    <div
      class="order-page"
      data-order-status={status}
      data-order-version={order.version}
      data-live={live === "open" ? "1" : undefined}
    >
      <div class="order-page-head">
        <h1>
          Order <span data-testid="order-number">{orderLabel(order)}</span>
        </h1>
        <span class={`status-badge status-${status}`} data-testid="order-status">
          {statusLabel(status)}
        </span>
        <span class={`live-note${live === "open" ? " on" : ""}`}>
          {live === "open" ? "Live updates" : "Connecting for live updates…"}
        </span>
      </div>
      <p class="muted">Placed {formatTime(order.createdAt)}</p>

      <section class={`order-state state-${status}`} aria-live="polite" aria-atomic="true">
        <p class="order-headline">{HEADLINE[status]}</p>
        {declined ? (
          <p class="error-text" data-testid="decline" tabIndex={-1} ref={declineRef}>
            {DECLINES[declined] ?? `The payment was refused (${declined}).`} Try another card below.
          </p>
        ) : null}
        {status === "cancelled" && lastNote ? <p class="muted">{lastNote}</p> : null}
        {order.refundedCents > 0 ? (
          <p>
            {formatMoney(order.refundedCents, totals.currency)} {status === "cancelled" ? "was" : "has been"} refunded
            to your card.
          </p>
        ) : null}
        {order.trackingNumber && (status === "shipped" || status === "delivered") ? (
          <p>
            Tracking number: <strong data-testid="tracking-number">{order.trackingNumber}</strong>
          </p>
        ) : null}
      </section>

      {(status === "reserved" || status === "payment_failed") && order.expiresAt ? (
        <Countdown until={order.expiresAt} />
      ) : null}

      <div class="order-page-actions">
        {isOwner && canDo(status, "pay") ? (
          <section aria-labelledby="pay-title" class="order-panel">
            <h2 id="pay-title">{status === "payment_failed" ? "Try another card" : "Pay for this order"}</h2>
            <PayForm
              order={order}
              token={token}
              title={status === "payment_failed" ? "Try another card" : "Pay for this order"}
              onPaid={refresh}
            />
          </section>
        ) : null}
        <div class="actions">
          {wasConfirmed ? (
            <a class="button secondary" href={orderPath(order.id, token, "/invoice")}>
              Invoice
            </a>
          ) : null}
          {isOwner && canDo(status, "amend") && !amending ? (
            <button type="button" class="secondary" onClick={() => setAmending(true)}>
              Change quantities
            </button>
          ) : null}
        </div>
        {isOwner && amending && canDo(status, "amend") ? (
          <AmendForm order={order} token={token} onOrder={accept} onClose={() => setAmending(false)} />
        ) : null}
        {isOwner && canDo(status, "cancel") ? <CancelPanel order={order} token={token} onOrder={accept} /> : null}
        {canClaim ? <ClaimButton order={order} token={token} onOrder={accept} /> : null}
        {isOwner && status !== "shipped" && status !== "delivered" && status !== "cancelled" ? (
          <ShipPushButton orderId={order.id} token={token ?? undefined} />
        ) : null}
        {mine ? (
          <p class="muted" data-testid="order-in-account">
            This order is in <a href="/account#orders">your account</a>.
          </p>
        ) : null}
      </div>

      <div class="order-grid">
        <section aria-labelledby="items-title" class="order-panel">
          <h2 id="items-title">Items</h2>
          <OrderLines order={order} />
        </section>
        <section aria-labelledby="ship-title" class="order-panel">
          <h2 id="ship-title">Shipping to</h2>
          <address class="order-address">
            {order.shippingAddress.name}
            <br />
            {order.shippingAddress.line1}
            {order.shippingAddress.line2 ? (
              <>
                <br />
                {order.shippingAddress.line2}
              </>
            ) : null}
            <br />
            {order.shippingAddress.postalCode} {order.shippingAddress.city}
            {order.shippingAddress.region ? `, ${order.shippingAddress.region}` : ""}
            <br />
            {order.shippingAddress.country}
          </address>
          <p class="muted">
            {order.email}
            {order.phone ? ` · ${order.phone}` : ""}
          </p>
          {order.payment ? (
            <p class="muted" data-testid="payment-line">
              {paymentLine(order.payment, order.refundedCents, order.totals.currency)}
            </p>
          ) : null}
        </section>
        <section aria-labelledby="timeline-title" class="order-panel">
          <h2 id="timeline-title">History</h2>
          <ol class="order-history" data-testid="order-timeline">
            {order.timeline.map((e) => (
              <li key={e.version} data-status={e.status}>
                <span class={`status-dot status-${e.status}`} aria-hidden="true" />
                <strong>{statusLabel(e.status)}</strong>{" "}
                <time class="muted" dateTime={new Date(e.at).toISOString()}>
                  {formatTime(e.at)}
                </time>
                {e.note ? <span class="timeline-note">{e.note}</span> : null}
              </li>
            ))}
          </ol>
        </section>
      </div>
    </div>
  );
}

function OrderLines({ order }: { order: Order }) {
  const { totals } = order;
  const money = (cents: number) => formatMoney(cents, totals.currency);
  return (
    <table class="data order-lines">
      <caption class="visually-hidden">Bracelets in this order</caption>
      <thead>
        <tr>
          <th scope="col">Bracelet</th>
          <th scope="col" class="num">
            Qty
          </th>
          <th scope="col" class="num">
            Price
          </th>
          <th scope="col" class="num">
            Total
          </th>
        </tr>
      </thead>
      <tbody>
        {order.items.map((item) => (
          <tr key={item.sku} data-sku={item.sku}>
            <td>
              <a href={`/products/${encodeURIComponent(item.sku)}`}>{item.name}</a>
            </td>
            <td class="num">{item.qty}</td>
            <td class="num">{money(item.unitPriceCents)}</td>
            <td class="num">{money(item.lineTotalCents)}</td>
          </tr>
        ))}
      </tbody>
      <TotalsFoot
        amounts={totals}
        currency={totals.currency}
        span={3}
        totalTestId="order-total"
        totalClass="total-row"
      />
    </table>
  );
}
