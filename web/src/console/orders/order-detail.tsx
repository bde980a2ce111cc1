/**
 * One order for staff (/admin/orders/<id>): items and totals, customer and shipping address, payment attempts,
 * the risk assessment and the timeline, with the actions its state allows (ship, mark delivered, approve or
 * reject a held order, cancel, refund). It follows the order live, through the staff feed and the order's own
 * socket, so a payment or another member of staff's action shows without a reload. A 409 invalid_state (the
 * order moved meanwhile) is explained and the order shown as it is now.
 */
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { ApiFailure, client, formatMoney, formatTime, read } from "../../lib/api";
import { describeFailure, Field, type FieldErrors } from "../../lib/form";
import { useLive } from "../../lib/live";
import { TotalsFoot } from "../../lib/totals-foot";
import { CONSOLE_BASE, linkClick } from "../router";
import { useFeed } from "../use-feed";
import { type ActionBody, staffAction } from "./actions";
import {
  allows,
  ORDER_EVENTS,
  type OrderDetail,
  orderIdOf,
  orderLabel,
  refundableCents,
  STATUS_LABELS,
  type StaffAction,
  sentence,
  unitsOf,
} from "./model";
import { RefundForm } from "./refund-form";
import { ReviewForm } from "./review-form";
import { RiskReasons, RiskScore, StatusBadge } from "./ui";

type Outcome = { ok: boolean; text: string } | null;

/** Sends a staff action; answers null when done (or refused as a whole), else the field errors to show. */
type Perform = <A extends StaffAction>(
  action: A,
  body: ActionBody[A],
  success: (o: OrderDetail) => string,
  opts?: { idempotencyKey?: string },
) => Promise<FieldErrors | null>;

export function OrderDetailView({ id, backHref }: { id: string; backHref: string }) {
  const [order, setOrder] = useState<OrderDetail | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [busy, setBusy] = useState(false);
  const [flash, setFlash] = useState(0);
  const heading = useRef<HTMLHeadingElement>(null);
  const inFlight = useRef<{ again: boolean } | null>(null);
  const versionRef = useRef(-1);

  const take = useCallback((o: OrderDetail, highlight: boolean) => {
    if (o.version < versionRef.current) return;
    if (highlight && versionRef.current >= 0 && o.version !== versionRef.current) setFlash((n) => n + 1);
    versionRef.current = o.version;
    setOrder(o);
  }, []);

  /** Reads the order again; one request at a time, repeated once if asked meanwhile. */
  const refresh = useCallback(
    async (highlight: boolean) => {
      if (inFlight.current) {
        inFlight.current.again = true;
        return;
      }
      const state = { again: false };
      inFlight.current = state;
      try {
        do {
          state.again = false;
          take(await read(client.api.admin.orders[":id"].$get({ param: { id: encodeURIComponent(id) } })), highlight);
          setLoadError(null);
        } while (state.again);
      } catch (err) {
        if (versionRef.current < 0) {
          setLoadError(
            err instanceof ApiFailure && err.status === 404 ? "No order with this id." : (err as Error).message,
          );
        }
      } finally {
        inFlight.current = null;
      }
    },
    [id, take],
  );

  useEffect(() => {
    versionRef.current = -1;
    setOrder(null);
    setLoadError(null);
    setOutcome(null);
    void refresh(false);
  }, [refresh]);

  // The heading takes focus once, when the order (or its absence) first shows.
  const shown = order !== null;
  useEffect(() => {
    if (shown || loadError) heading.current?.focus();
  }, [shown, loadError]);

  useFeed(ORDER_EVENTS, (event) => {
    if (orderIdOf(event.data) === id) void refresh(true);
  });
  // The order's own socket also carries the moves that have no domain event (a hold, a timed-out payment).
  const live = useLive(order ? `/api/orders/${encodeURIComponent(id)}/live` : null, () => void refresh(true));
  const wasOpen = useRef(false);
  useEffect(() => {
    // After a dropped connection, whatever happened meanwhile is read again.
    if (live === "open" && wasOpen.current) void refresh(true);
    if (live === "open") wasOpen.current = true;
  }, [live, refresh]);

  const perform: Perform = async (action, body, success, opts = {}) => {
    setBusy(true);
    setOutcome(null);
    try {
      const o = await staffAction(
        id,
        action,
        body,
        opts.idempotencyKey ? { "idempotency-key": opts.idempotencyKey } : {},
      );
      take(o, true);
      setOutcome({ ok: true, text: success(o) });
      return null;
    } catch (err) {
      if (err instanceof ApiFailure && err.code === "invalid_state") {
        setOutcome({ ok: false, text: `${sentence(err.message)} The order is shown as it is now.` });
        void refresh(true);
        return null;
      }
      const { fields, message } = describeFailure(err, (p) => p);
      if (Object.keys(fields).length > 0) return fields;
      setOutcome({ ok: false, text: message ?? "The action failed." });
      return null;
    } finally {
      setBusy(false);
    }
  };

  const back = (
    <p>
      <a href={backHref} onClick={linkClick}>
        ← Orders
      </a>
    </p>
  );

  if (loadError) {
    return (
      <section aria-labelledby="order-title">
        {back}
        <h1 id="order-title" tabIndex={-1} ref={heading}>
          Order not found
        </h1>
        <p class="error-text">{loadError}</p>
      </section>
    );
  }
  if (!order) return <p aria-busy="true">Loading the order…</p>;

  const { totals, shippingAddress: address } = order;
  const money = (cents: number) => formatMoney(cents, totals.currency);

  return (
    <section
      class="order-detail"
      aria-labelledby="order-title"
      data-orders-ready="1"
      data-order-id={order.id}
      data-status={order.status}
    >
      {back}
      <header class="order-head">
        <h1 id="order-title" tabIndex={-1} ref={heading}>
          Order <span title={order.id}>{orderLabel(order)}</span>
        </h1>
        <span key={flash} class={flash ? "order-flash-inline" : undefined}>
          <StatusBadge status={order.status} />
        </span>
        <span class="muted">Placed {formatTime(order.createdAt)}</span>
      </header>

      <div class="order-outcome">
        <p role="status" class="ok-text">
          {outcome?.ok ? outcome.text : ""}
        </p>
        <p role="alert" class="error-text">
          {outcome && !outcome.ok ? outcome.text : ""}
        </p>
      </div>

      <section class="order-actions" aria-labelledby="order-actions-title">
        <h2 id="order-actions-title">Actions</h2>
        {order.timeline.some((t) => t.status === "confirmed") ? (
          <p>
            <a href={`/orders/${encodeURIComponent(order.id)}/invoice`}>Invoice and credit notes</a>
          </p>
        ) : null}
        <Actions order={order} perform={perform} busy={busy} money={money} />
      </section>

      <div class="order-columns">
        <section aria-labelledby="order-customer-title">
          <h2 id="order-customer-title">Customer</h2>
          <dl class="facts">
            <dt>Email</dt>
            <dd>{order.email}</dd>
            <dt>Account</dt>
            <dd>
              {order.customerId ? (
                <a href={`${CONSOLE_BASE}/customers/${encodeURIComponent(order.customerId)}`} onClick={linkClick}>
                  View customer
                </a>
              ) : (
                <span class="muted">Guest</span>
              )}
            </dd>
            {order.phone ? (
              <>
                <dt>Phone</dt>
                <dd>{order.phone}</dd>
              </>
            ) : null}
            <dt>Shipping address</dt>
            <dd>
              <address>
                {[
                  address.name,
                  address.line1,
                  address.line2,
                  `${address.postalCode} ${address.city}`,
                  address.region,
                  address.country,
                ]
                  .filter(Boolean)
                  .map((line, i) => (
                    <span key={`${i}-${line}`} class="address-line">
                      {line}
                    </span>
                  ))}
              </address>
            </dd>
            {order.trackingNumber ? (
              <>
                <dt>Tracking number</dt>
                <dd data-testid="tracking-number">{order.trackingNumber}</dd>
              </>
            ) : null}
            <dt>Request</dt>
            <dd class="muted">
              {order.ip ?? "IP unknown"} · {order.country ?? "country unknown"}
            </dd>
          </dl>
        </section>

        <section aria-labelledby="order-risk-title">
          <h2 id="order-risk-title">Risk</h2>
          <p>
            Score <RiskScore score={order.risk?.score ?? null} />
            {order.risk ? <span class="muted"> · decision: {order.risk.decision}</span> : null}
          </p>
          <RiskReasons reasons={order.risk?.reasons ?? null} />
        </section>
      </div>

      <section aria-labelledby="order-items-title">
        <h2 id="order-items-title">Items ({unitsOf(order.items)})</h2>
        <table class="data order-items">
          <thead>
            <tr>
              <th scope="col">SKU</th>
              <th scope="col">Name</th>
              <th scope="col" class="num">
                Qty
              </th>
              <th scope="col" class="num">
                Unit price
              </th>
              <th scope="col" class="num">
                Line total
              </th>
            </tr>
          </thead>
          <tbody>
            {order.items.map((i) => (
              <tr key={i.sku} data-sku={i.sku}>
                <td>
                  <code>{i.sku}</code>
                </td>
                <th scope="row">{i.name}</th>
                <td class="num">{i.qty}</td>
                <td class="num">{money(i.unitPriceCents)}</td>
                <td class="num">{money(i.lineTotalCents)}</td>
              </tr>
            ))}
          </tbody>
          <TotalsFoot
            amounts={totals}
            currency={totals.currency}
            span={4}
            totalTestId="order-total"
            totalClass="order-total"
          >
            {order.refundedCents > 0 ? (
              <tr>
                <th scope="row" colSpan={4}>
                  Refunded
                </th>
                <td class="num">−{money(order.refundedCents)}</td>
              </tr>
            ) : null}
          </TotalsFoot>
        </table>
      </section>

      <section aria-labelledby="order-payments-title">
        <h2 id="order-payments-title">Payments</h2>
        {order.payments.length === 0 ? (
          <p class="muted">No payment attempted yet.</p>
        ) : (
          <table class="data order-payments">
            <thead>
              <tr>
                <th scope="col">Attempt</th>
                <th scope="col">Method</th>
                <th scope="col">Status</th>
                <th scope="col" class="num">
                  Amount
                </th>
                <th scope="col" class="num">
                  Refunded
                </th>
                <th scope="col">Decline</th>
              </tr>
            </thead>
            <tbody>
              {order.payments.map((p) => (
                <tr key={p.id} data-payment-id={p.id} data-payment-status={p.status}>
                  <th scope="row">
                    #{p.attempt}
                    {p.id === order.payment?.id ? <span class="muted"> (current)</span> : null}
                  </th>
                  <td>{p.method}</td>
                  <td>{p.status}</td>
                  <td class="num">{money(p.amountCents)}</td>
                  <td class="num">{p.refundedCents > 0 ? money(p.refundedCents) : "—"}</td>
                  <td>{p.declineCode ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="order-timeline-title">
        <h2 id="order-timeline-title">Timeline</h2>
        <ol class="order-timeline">
          {order.timeline.map((t) => (
            <li key={t.version} data-version={t.version}>
              <time dateTime={new Date(t.at).toISOString()}>{formatTime(t.at)}</time>
              <StatusBadge status={t.status} />
              {t.note ? <span>{t.note}</span> : null}
            </li>
          ))}
        </ol>
      </section>
    </section>
  );
}

/** What cancelling does to the money, in words. */
function cancelConsequence(order: OrderDetail, money: (c: number) => string): string {
  const p = order.payment;
  const stock = order.status === "confirmed" ? "its stock goes back on sale" : "its reserved stock is released";
  if (p?.status === "captured")
    return `The payment of ${money(p.amountCents - order.refundedCents)} is refunded and ${stock}.`;
  if (p?.status === "authorized") return `The authorized payment of ${money(p.amountCents)} is voided and ${stock}.`;
  if (p?.status === "pending") return `The payment in progress is voided and ${stock}.`;
  return `No payment was taken; ${stock}.`;
}

function Actions({
  order,
  perform,
  busy,
  money,
}: {
  order: OrderDetail;
  perform: Perform;
  busy: boolean;
  money: (c: number) => string;
}) {
  const status = order.status;
  const refundable = refundableCents(order);
  const canRefund = allows(status, "refund") && refundable > 0;
  const offered =
    allows(status, "ship") ||
    allows(status, "deliver") ||
    allows(status, "approve") ||
    allows(status, "cancel") ||
    canRefund;
  if (!offered) {
    return <p class="muted">No actions in the {STATUS_LABELS[status].toLowerCase()} state.</p>;
  }
  return (
    <div class="order-action-list">
      {allows(status, "ship") ? <ShipForm key={order.id} perform={perform} busy={busy} /> : null}
      {allows(status, "deliver") ? (
        <div class="order-action">
          <button
            type="button"
            disabled={busy}
            onClick={() => perform("deliver", undefined, () => "Marked as delivered.")}
          >
            Mark delivered
          </button>
        </div>
      ) : null}
      {allows(status, "approve") ? (
        <ReviewForm
          form={`review-${order.id}`}
          orderId={order.id}
          authorized={order.payment?.status === "authorized"}
          busy={busy}
          decide={(decision, note) =>
            perform(decision, { note }, (o) =>
              decision === "approve"
                ? `Approved: the order is ${STATUS_LABELS[o.status].toLowerCase()}.`
                : `Rejected: the order is ${STATUS_LABELS[o.status].toLowerCase()}.`,
            )
          }
        />
      ) : null}
      {canRefund ? (
        <RefundForm
          key={`${order.id}-${order.refunds.length}`}
          order={order}
          leftCents={refundable}
          busy={busy}
          money={money}
          send={(body, key) =>
            perform(
              "refund",
              body,
              (o) => `Refunded ${money(o.refundedCents - order.refundedCents)}; credit note issued.`,
              {
                idempotencyKey: key,
              },
            )
          }
        />
      ) : null}
      {canRefund ? (
        <ConfirmAction
          label="Refund all…"
          question={
            status === "confirmed"
              ? `Refund ${money(refundable)} to ${order.payment?.method ?? "the payment method"}? The order is cancelled and its stock goes back on sale.`
              : `Refund ${money(refundable)} to ${order.payment?.method ?? "the payment method"}? The order stays ${STATUS_LABELS[status].toLowerCase()}: the goods are already out.`
          }
          confirmLabel={`Refund ${money(refundable)}`}
          busy={busy}
          onConfirm={(key) =>
            perform("refund", undefined, () => `Refund of ${money(refundable)} requested.`, { idempotencyKey: key })
          }
        />
      ) : null}
      {allows(status, "cancel") ? (
        <ConfirmAction
          label="Cancel order…"
          question={`Cancel this order? ${cancelConsequence(order, money)} The customer is notified.`}
          confirmLabel="Yes, cancel the order"
          keepLabel="Keep the order"
          danger
          busy={busy}
          onConfirm={() => perform("cancel", undefined, () => "The order is cancelled.")}
        />
      ) : null}
    </div>
  );
}

function ShipForm({ perform, busy }: { perform: Perform; busy: boolean }) {
  const [tracking, setTracking] = useState("");
  const [error, setError] = useState<string | undefined>(undefined);
  const input = useRef<HTMLDivElement>(null);
  const focusField = () => input.current?.querySelector<HTMLInputElement>("input")?.focus();

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    const trackingNumber = tracking.trim();
    if (!trackingNumber) {
      setError("Enter the carrier's tracking number.");
      focusField();
      return;
    }
    setError(undefined);
    const fields = await perform("ship", { trackingNumber }, (o) => `Shipped with tracking ${o.trackingNumber}.`);
    if (fields) {
      setError(fields.trackingNumber ?? Object.values(fields)[0]);
      focusField();
    }
  };

  return (
    <form class="order-action ship-form" aria-label="Ship the order" onSubmit={onSubmit} noValidate>
      <div ref={input}>
        <Field
          form="ship"
          name="trackingNumber"
          label="Tracking number"
          value={tracking}
          onValue={setTracking}
          error={error}
          required
          maxLength={100}
          autocomplete="off"
        />
      </div>
      <button type="submit" disabled={busy}>
        Ship order
      </button>
    </form>
  );
}

/** A button that asks before it acts: the question and the two answers replace it until one is chosen. */
function ConfirmAction(props: {
  label: string;
  question: string;
  confirmLabel: string;
  keepLabel?: string;
  danger?: boolean;
  busy: boolean;
  /** Gets a key made when the question opened, so a repeated confirmation is the same request. */
  onConfirm: (idempotencyKey: string) => Promise<unknown>;
}) {
  const [key, setKey] = useState<string | null>(null);
  const yes = useRef<HTMLButtonElement>(null);
  const opener = useRef<HTMLButtonElement>(null);

  // Before the next key press can land elsewhere (Escape must reach the question).
  useLayoutEffect(() => {
    if (key) yes.current?.focus();
  }, [key]);

  const close = () => {
    setKey(null);
    requestAnimationFrame(() => opener.current?.focus());
  };

  if (!key) {
    return (
      <div class="order-action">
        <button
          ref={opener}
          type="button"
          class={props.danger ? "secondary danger" : "secondary"}
          disabled={props.busy}
          onClick={() => setKey(crypto.randomUUID())}
        >
          {props.label}
        </button>
      </div>
    );
  }
  return (
    <fieldset
      class="order-action order-confirm"
      onKeyDown={(e) => {
        if (e.key === "Escape") close();
      }}
    >
      <legend>{props.question}</legend>
      <button
        ref={yes}
        type="button"
        class={props.danger ? "danger" : undefined}
        disabled={props.busy}
        onClick={async () => {
          await props.onConfirm(key);
          setKey(null);
        }}
      >
        {props.confirmLabel}
      </button>{" "}
      <button type="button" class="secondary" disabled={props.busy} onClick={close}>
        {props.keepLabel ?? "Go back"}
      </button>
    </fieldset>
  );
}
