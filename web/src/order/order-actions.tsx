/** What the shopper can do to an order from its page: pay (again), cancel, change quantities, claim it. */
import { useState } from "preact/hooks";
import { ApiFailure, bearer, client, read } from "../lib/api";
import { Field, FormStatus, useForm } from "../lib/form";
import { cardDigits, cardField, INVALID_CARD, payOrder, plausibleCard, TestCardHint, useCardCharge } from "./cards";
import type { Order } from "./types";

const orderRoute = client.api.orders[":id"];
const param = (order: Order) => ({ id: encodeURIComponent(order.id) });

type ActionProps = { order: Order; token: string | null; onOrder: (order: Order) => void };

/**
 * Pays the order with a card: the first payment of an order placed elsewhere, or another card after a decline.
 * Each payment attempt has its own Idempotency-Key, reused only when the same card is sent again after an
 * answer that never arrived.
 */
export function PayForm({
  order,
  token,
  title,
  onPaid,
}: Omit<ActionProps, "onOrder"> & { title: string; onPaid: () => void }) {
  const form = useForm({ card: "" });
  const charge = useCardCharge();
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    const card = cardDigits(form.values.card);
    if (!plausibleCard(card)) {
      form.fail({ card: INVALID_CARD });
      return;
    }
    const ok = await form.run(() => charge(card, (key) => payOrder({ id: order.id, token }, card, key)), {
      toField: cardField,
    });
    if (ok) {
      form.setValues({ card: "" });
      onPaid();
    }
  };
  return (
    <form ref={form.formRef} class="stack order-pay" noValidate onSubmit={onSubmit} aria-label={title}>
      <FormStatus error={form.formError} notice={form.notice} />
      <Field
        form="pay"
        label="Card number"
        autocomplete="cc-number"
        inputMode="numeric"
        required
        maxLength={23}
        hint={<TestCardHint />}
        {...form.field("card")}
      />
      <button type="submit" disabled={form.sending}>
        {form.sending ? "Sending the payment…" : "Pay now"}
      </button>
    </form>
  );
}

/** Cancel, with a second step to confirm; a confirmed order is refunded. */
export function CancelPanel({ order, token, onOrder }: ActionProps) {
  const [asking, setAsking] = useState(false);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const cancel = async () => {
    setSending(true);
    setError(null);
    try {
      onOrder(await read(orderRoute.cancel.$post({ param: param(order) }, bearer(token))));
      setAsking(false);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setSending(false);
    }
  };
  const refund = order.status === "confirmed" || order.status === "on_hold";
  return (
    <div class="order-cancel">
      {error ? (
        <p class="error-text" role="alert">
          {error}
        </p>
      ) : null}
      {asking ? (
        <div class="confirm-box">
          <p id="cancel-question">
            Cancel this order?{" "}
            {refund
              ? "Your payment will be returned to your card."
              : "The bracelets go back on the shelf and nothing is charged."}
          </p>
          <div class="actions">
            <button type="button" class="confirm-danger" disabled={sending} onClick={cancel}>
              {sending ? "Cancelling…" : "Yes, cancel the order"}
            </button>
            <button type="button" class="secondary" disabled={sending} onClick={() => setAsking(false)}>
              Keep the order
            </button>
          </div>
        </div>
      ) : (
        <button type="button" class="secondary" onClick={() => setAsking(true)}>
          Cancel order
        </button>
      )}
    </div>
  );
}

type Shortage = { sku: string; available: number };

/**
 * Changes quantities (0 removes a line). While reserved any change within the stock; once confirmed only
 * fewer, and the difference goes back to the card (docs/orders.md).
 */
export function AmendForm({ order, token, onOrder, onClose }: ActionProps & { onClose: () => void }) {
  const confirmed = order.status === "confirmed";
  const [qty, setQty] = useState<Record<string, string>>(
    Object.fromEntries(order.items.map((i) => [i.sku, String(i.qty)])),
  );
  const [error, setError] = useState<string | null>(null);
  const [shortages, setShortages] = useState<Shortage[]>([]);
  const [sending, setSending] = useState(false);

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setShortages([]);
    const items: { sku: string; qty: number }[] = [];
    for (const item of order.items) {
      const n = Number(qty[item.sku] ?? item.qty);
      if (!Number.isInteger(n) || n < 0 || n > 99) {
        setError(`Enter a whole number from 0 to 99 for ${item.name}.`);
        return;
      }
      if (confirmed && n > item.qty) {
        setError("A paid order can only get smaller. Place a new order for more bracelets.");
        return;
      }
      if (n > 0) items.push({ sku: item.sku, qty: n });
    }
    if (items.length === 0) {
      setError("To remove everything, cancel the order instead.");
      return;
    }
    setSending(true);
    try {
      onOrder(await read(orderRoute.$patch({ param: param(order), json: { items } }, bearer(token))));
      onClose();
    } catch (err) {
      if (err instanceof ApiFailure && err.code === "out_of_stock" && Array.isArray(err.details)) {
        setShortages(
          (err.details as Partial<Shortage>[]).filter(
            (d): d is Shortage => typeof d.sku === "string" && typeof d.available === "number",
          ),
        );
        setError("Not enough stock for that change.");
      } else setError((err as Error).message);
    } finally {
      setSending(false);
    }
  };

  return (
    <form class="order-amend order-panel stack" noValidate onSubmit={onSubmit} aria-label="Change quantities">
      <p class="muted">
        {confirmed
          ? "You can lower a quantity or remove a bracelet (0); the difference is refunded to your card."
          : "Set any quantity (0 removes the bracelet), as far as the stock allows."}
      </p>
      {error ? (
        <p class="form-error error-text" role="alert">
          {error}
        </p>
      ) : null}
      {order.items.map((item) => {
        const short = shortages.find((s) => s.sku === item.sku);
        return (
          <div class="field amend-line" key={item.sku}>
            <label for={`amend-${item.sku}`}>{item.name}</label>
            <input
              id={`amend-${item.sku}`}
              type="number"
              inputMode="numeric"
              min={0}
              max={confirmed ? item.qty : 99}
              value={qty[item.sku] ?? String(item.qty)}
              aria-invalid={short ? "true" : undefined}
              aria-describedby={short ? `amend-${item.sku}-error` : undefined}
              onInput={(e) => setQty((all) => ({ ...all, [item.sku]: e.currentTarget.value }))}
            />
            {short ? (
              <p class="error-text field-error" id={`amend-${item.sku}-error`}>
                {short.available === 0 ? "Sold out" : `Only ${short.available} available`}
              </p>
            ) : null}
          </div>
        );
      })}
      <div class="actions">
        <button type="submit" disabled={sending}>
          {sending ? "Saving…" : "Save quantities"}
        </button>
        <button type="button" class="secondary" disabled={sending} onClick={onClose}>
          Never mind
        </button>
      </div>
    </form>
  );
}

/** A signed-in shopper holding a guest order's link adds it to their account (POST /api/orders/:id/claim). */
export function ClaimButton({ order, token, onOrder }: ActionProps & { token: string }) {
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const claim = async () => {
    setSending(true);
    setError(null);
    try {
      onOrder(await read(orderRoute.claim.$post({ param: param(order), json: {} }, bearer(token))));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setSending(false);
    }
  };
  return (
    <div class="order-claim">
      <p class="muted">Placed as a guest. Keep it with your account's orders and invoices:</p>
      <button type="button" class="secondary" disabled={sending} onClick={claim}>
        {sending ? "Adding…" : "Add to my account"}
      </button>
      {error ? (
        <p class="error-text" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
