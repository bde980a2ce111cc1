/**
 * "Refund part…" on an order: staff choose lines and quantities, or an amount, and whether the stock goes back;
 * the amount the lines come to is worked out with the server's own rule (src/domain/refunds.ts), so the button
 * says what will be refunded. One Idempotency-Key per opened form: a repeated click is the same refund.
 */
import { useState } from "preact/hooks";
import { lineRefundCents, refundedUnits } from "../../../../src/domain/refunds";
import type { OrderDetail } from "./model";

type Send = (
  body: { lines?: { sku: string; qty: number }[]; amountCents?: number; restock?: boolean },
  key: string,
) => Promise<unknown>;

/** "12.50" or "12,50" → 1250; null when it is not an amount. */
function parseAmount(text: string): number | null {
  const m = /^\s*([0-9]{1,7})(?:[.,]([0-9]{1,2}))?\s*$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? "0").padEnd(2, "0"));
}

export function RefundForm(props: {
  order: OrderDetail;
  leftCents: number;
  busy: boolean;
  money: (cents: number) => string;
  send: Send;
}) {
  const { order, money } = props;
  const [key, setKey] = useState<string | null>(null);
  const [qty, setQty] = useState<Record<string, number>>({});
  const [amount, setAmount] = useState("");
  const [restock, setRestock] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const done = refundedUnits(order.refunds);

  if (!key) {
    return (
      <div class="order-action">
        <button type="button" class="secondary" disabled={props.busy} onClick={() => setKey(crypto.randomUUID())}>
          Refund part…
        </button>
      </div>
    );
  }

  const lines = order.items
    .map((i) => ({ item: i, open: i.qty - (done.get(i.sku) ?? 0), qty: qty[i.sku] ?? 0 }))
    .filter((l) => l.open > 0);
  const chosen = lines.filter((l) => l.qty > 0);
  const linesCents = chosen.reduce((sum, l) => sum + lineRefundCents(l.item, l.qty, order.totals), 0);
  const typed = amount.trim() === "" ? null : parseAmount(amount);
  const refundCents = typed ?? linesCents;

  const submit = async (e: Event) => {
    e.preventDefault();
    if (amount.trim() !== "" && typed === null) return setError("Enter the amount like 12.50.");
    if (refundCents <= 0) return setError("Choose at least one item or enter an amount.");
    if (refundCents > props.leftCents) return setError(`At most ${money(props.leftCents)} is left to refund.`);
    if (restock && chosen.length === 0) return setError("Choose the items that go back in stock.");
    setError(null);
    await props.send(
      {
        ...(chosen.length > 0 ? { lines: chosen.map((l) => ({ sku: l.item.sku, qty: l.qty })) } : {}),
        ...(typed !== null ? { amountCents: typed } : {}),
        ...(restock ? { restock: true } : {}),
      },
      key,
    );
    setKey(null);
    setQty({});
    setAmount("");
    setRestock(false);
  };

  return (
    <form class="order-action refund-form" aria-label="Refund part of the order" onSubmit={submit} noValidate>
      <fieldset>
        <legend>Refund part of the order</legend>
        <table class="data refund-lines">
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col" class="num">
                Refund qty
              </th>
              <th scope="col" class="num">
                Amount
              </th>
            </tr>
          </thead>
          <tbody>
            {lines.map((l) => (
              <tr key={l.item.sku}>
                <th scope="row">
                  <label for={`refund-${l.item.sku}`}>{l.item.name}</label>
                  <span class="muted"> · {l.open} refundable</span>
                </th>
                <td class="num">
                  <input
                    id={`refund-${l.item.sku}`}
                    type="number"
                    inputMode="numeric"
                    min={0}
                    max={l.open}
                    value={l.qty}
                    onInput={(e) => {
                      const n = Number.parseInt(e.currentTarget.value, 10);
                      setQty((q) => ({
                        ...q,
                        [l.item.sku]: Number.isInteger(n) ? Math.max(0, Math.min(l.open, n)) : 0,
                      }));
                    }}
                  />
                </td>
                <td class="num">{l.qty > 0 ? money(lineRefundCents(l.item, l.qty, order.totals)) : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <label class="refund-restock">
          <input type="checkbox" checked={restock} onChange={(e) => setRestock(e.currentTarget.checked)} /> Put the
          chosen items back in stock
        </label>
        <label class="refund-amount">
          Amount instead (optional, {order.totals.currency})
          <input
            type="text"
            inputMode="decimal"
            value={amount}
            placeholder={linesCents > 0 ? (linesCents / 100).toFixed(2) : "e.g. 4.95"}
            onInput={(e) => setAmount(e.currentTarget.value)}
          />
        </label>
        <p class="muted">
          {money(props.leftCents)} left to refund to {order.payment?.method ?? "the payment method"}. A credit note is
          issued for the refund.
        </p>
        {error ? (
          <p class="error-text" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" disabled={props.busy || refundCents <= 0}>
          Refund {money(Math.max(0, refundCents))}
        </button>{" "}
        <button type="button" class="secondary" disabled={props.busy} onClick={() => setKey(null)}>
          Go back
        </button>
      </fieldset>
    </form>
  );
}
