/**
 * /orders/:id/invoice: the order's invoice as a printable page (GET /api/orders/:id/invoice). The invoice is
 * written by the Billing subscriber right after the order is confirmed, so a shopper who follows the link at
 * once may be a moment early: the page asks again a few times before saying it is not ready.
 */
import { useEffect, useState } from "preact/hooks";
import { creditNoteLabel } from "../../../src/domain/credit-notes";
import { ApiFailure, bearer, client, formatMoney, read } from "../lib/api";
import { TotalsFoot } from "../lib/totals-foot";
import { orderPath, tokenFromPage } from "./tokens";
import { type Invoice, type Order, orderLabel } from "./types";

/** The invoice's state in words: what was paid and what went back. */
const PAYMENT_STATE: Record<Invoice["paymentState"], string> = {
  paid: "Paid",
  partly_refunded: "Paid, partly refunded",
  refunded: "Refunded",
};

/** Waits between asks while the invoice is not written yet (about 15 s in all). */
const RETRY_MS = [500, 1000, 1500, 2000, 3000, 3000, 4000];

type Load =
  | { state: "loading" }
  | { state: "waiting" }
  | { state: "missing" }
  | { state: "error"; message: string }
  | { state: "ok"; invoice: Invoice; order: Order | null };

const formatDate = (ms: number) => new Date(ms).toLocaleDateString("en-GB", { dateStyle: "long" });

export function InvoicePage({ orderId }: { orderId: string }) {
  const [load, setLoad] = useState<Load>({ state: "loading" });
  const [token, setToken] = useState<string | null>(null);

  useEffect(() => {
    const tok = tokenFromPage(orderId);
    setToken(tok);
    const param = { id: encodeURIComponent(orderId) };
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // The order gives the bill-to name and address; the invoice alone has the email only.
    const order = read(client.api.orders[":id"].$get({ param }, bearer(tok))).catch(() => null);
    const ask = async (attempt: number) => {
      try {
        const invoice = await read(client.api.orders[":id"].invoice.$get({ param }, bearer(tok)));
        if (!stopped) setLoad({ state: "ok", invoice, order: await order });
      } catch (err) {
        if (stopped) return;
        const notYet = err instanceof ApiFailure && err.status === 404;
        // A 404 is also what a stranger gets; only keep asking when the order itself is readable.
        if (notYet && (await order) && attempt < RETRY_MS.length) {
          setLoad({ state: "waiting" });
          timer = setTimeout(() => void ask(attempt + 1), RETRY_MS[attempt]);
        } else if (notYet) setLoad({ state: "missing" });
        else setLoad({ state: "error", message: (err as Error).message });
      }
    };
    void ask(0);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [orderId]);

  const back = (
    <p class="no-print">
      <a href={orderPath(orderId, token)}>← Back to the order</a>
    </p>
  );

  // The first render is a lone <p>, like the shell's fallback, which it then replaces (main.tsx renders a
  // client-only island over the fallback and keeps server nodes it cannot match).
  if (load.state === "loading" || load.state === "waiting") {
    return (
      <p aria-busy="true">{load.state === "waiting" ? "Your invoice is being prepared…" : "Loading the invoice…"}</p>
    );
  }
  if (load.state === "missing" || load.state === "error") {
    return (
      <div class="invoice-page" data-invoice-missing="1">
        {back}
        <h1>Invoice</h1>
        <p class={load.state === "error" ? "error-text" : undefined} role="alert">
          {load.state === "error"
            ? `We could not load the invoice: ${load.message}`
            : "There is no invoice for this order yet. It is issued once the order is confirmed."}
        </p>
      </div>
    );
  }

  const { invoice, order } = load;
  const money = (cents: number) => formatMoney(cents, invoice.currency);
  const address = order?.shippingAddress;
  return (
    <div class="invoice-page" data-invoice-ready="1">
      {back}
      <article class="invoice-sheet" aria-labelledby="invoice-title">
        <header class="invoice-head">
          <div>
            <p class="invoice-shop">Bracelet Shop</p>
            <p class="muted">Handmade bracelets, shipped from our workshop.</p>
          </div>
          <div class="invoice-meta">
            <h1 id="invoice-title">Invoice</h1>
            <dl>
              <dt>Invoice number</dt>
              <dd data-testid="invoice-number">{invoice.number}</dd>
              <dt>Date</dt>
              <dd>
                <time dateTime={new Date(invoice.issuedAt).toISOString()}>{formatDate(invoice.issuedAt)}</time>
              </dd>
              <dt>Order</dt>
              <dd class="invoice-order-id">{order ? orderLabel(order) : invoice.orderId}</dd>
              <dt>Status</dt>
              <dd data-testid="invoice-status">
                {invoice.status === "paid" ? PAYMENT_STATE[invoice.paymentState] : invoice.status}
              </dd>
            </dl>
          </div>
        </header>
        <section class="invoice-bill-to" aria-labelledby="bill-to-title">
          <h2 id="bill-to-title">Bill to</h2>
          <address>
            {address ? (
              <>
                {address.name}
                <br />
                {address.line1}
                <br />
                {address.line2 ? (
                  <>
                    {address.line2}
                    <br />
                  </>
                ) : null}
                {address.postalCode} {address.city}
                {address.region ? `, ${address.region}` : ""}
                <br />
                {address.country}
                <br />
              </>
            ) : null}
            {invoice.email}
          </address>
        </section>
        <table class="data invoice-lines">
          <caption class="visually-hidden">Invoice lines</caption>
          <thead>
            <tr>
              <th scope="col">Description</th>
              <th scope="col" class="num">
                Qty
              </th>
              <th scope="col" class="num">
                Unit price
              </th>
              <th scope="col" class="num">
                Amount
              </th>
            </tr>
          </thead>
          <tbody>
            {invoice.lines.map((line, i) => (
              <tr key={i}>
                <td>{line.description}</td>
                <td class="num">{line.qty}</td>
                <td class="num">{money(line.unitPriceCents)}</td>
                <td class="num">{money(line.lineTotalCents)}</td>
              </tr>
            ))}
          </tbody>
          <TotalsFoot
            amounts={invoice}
            currency={invoice.currency}
            span={3}
            totalLabel={`Total (${invoice.currency})`}
            totalTestId="invoice-total"
            totalClass="total-row"
          >
            {invoice.refundedCents > 0 ? (
              <>
                <tr>
                  <th scope="row" colSpan={3}>
                    Refunded (credit notes below)
                  </th>
                  <td class="num" data-testid="invoice-refunded">
                    −{money(invoice.refundedCents)}
                  </td>
                </tr>
                <tr class="total-row">
                  <th scope="row" colSpan={3}>
                    Paid after refunds
                  </th>
                  <td class="num" data-testid="invoice-net">
                    {money(invoice.totalCents - invoice.refundedCents)}
                  </td>
                </tr>
              </>
            ) : null}
          </TotalsFoot>
        </table>
        <p class="muted invoice-foot">All amounts in {invoice.currency}.</p>
      </article>
      {invoice.creditNotes.map((note) => {
        const linesCents = note.lines.reduce((sum, l) => sum + l.amountCents, 0);
        const other = note.amountCents - linesCents;
        return (
          <article
            key={note.id}
            class="invoice-sheet credit-note"
            aria-labelledby={`credit-note-${note.number}`}
            data-testid="credit-note"
          >
            <header class="invoice-head">
              <div>
                <p class="invoice-shop">Bracelet Shop</p>
                <p class="muted">
                  Corrects invoice {note.invoiceNumber ?? invoice.number}
                  {order ? ` for order ${orderLabel(order)}` : ""}.
                </p>
              </div>
              <div class="invoice-meta">
                <h2 id={`credit-note-${note.number}`}>Credit note</h2>
                <dl>
                  <dt>Credit note number</dt>
                  <dd data-testid="credit-note-number">{creditNoteLabel(note.number)}</dd>
                  <dt>Date</dt>
                  <dd>
                    <time dateTime={new Date(note.issuedAt).toISOString()}>{formatDate(note.issuedAt)}</time>
                  </dd>
                  <dt>Invoice</dt>
                  <dd>{note.invoiceNumber ?? invoice.number}</dd>
                </dl>
              </div>
            </header>
            <table class="data invoice-lines">
              <caption class="visually-hidden">Credit note lines</caption>
              <thead>
                <tr>
                  <th scope="col">Description</th>
                  <th scope="col" class="num">
                    Qty
                  </th>
                  <th scope="col" class="num">
                    Amount incl. tax
                  </th>
                </tr>
              </thead>
              <tbody>
                {note.lines.map((l) => (
                  <tr key={l.sku}>
                    <td>
                      {l.name} ({l.sku})
                    </td>
                    <td class="num">{l.qty}</td>
                    <td class="num">{money(l.amountCents)}</td>
                  </tr>
                ))}
                {note.lines.length === 0 || other !== 0 ? (
                  <tr>
                    <td>
                      {note.lines.length === 0 ? "Refund" : other > 0 ? "Shipping and other charges" : "Adjustment"}
                    </td>
                    <td class="num" />
                    <td class="num">{money(other)}</td>
                  </tr>
                ) : null}
              </tbody>
              <tfoot>
                <tr class="total-row">
                  <th scope="row" colSpan={2}>
                    Credited ({invoice.currency})
                  </th>
                  <td class="num" data-testid="credit-note-total">
                    {money(note.amountCents)}
                  </td>
                </tr>
              </tfoot>
            </table>
            {note.restocked ? <p class="muted invoice-foot">The items were returned to stock.</p> : null}
          </article>
        );
      })}
      <p class="no-print">
        <button type="button" onClick={() => window.print()}>
          Print
        </button>
      </p>
    </div>
  );
}
