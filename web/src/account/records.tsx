/** What the account holds: orders, invoices and messages the shop sent (monthly boxes: ./subscriptions.tsx). */

import { formatOrderNumber } from "../../../src/domain/order-numbers";
import { client, formatMoney, formatTime, read } from "../lib/api";
import { TableHead } from "../lib/table-head";
import { useLiveList } from "../lib/use-live-list";

const account = client.api.account;
/** The query of one page of ten, newest first. */
const pageQuery = (cursor: string | null) => ({ query: { limit: "10", ...(cursor ? { cursor } : {}) } });
const byId = (row: { id: string }) => row.id;

/** One newest-first list from /api/account with "show more" by cursor. */
function usePaged<T>(
  load: (cursor: string | null, signal: AbortSignal) => Promise<{ items: T[]; nextCursor: string | null }>,
) {
  const list = useLiveList({ load, key: byId as (row: T) => string, deps: [] });
  return { ...list, items: list.items ?? [], loaded: list.items !== null || list.error !== null };
}

function ListStatus({ loaded, error }: { loaded: boolean; error: string | null }) {
  if (error) return <p class="error-text">Could not load this list: {error}</p>;
  if (!loaded) return <p aria-busy="true">Loading…</p>;
  return null;
}

function MoreButton({
  label,
  list,
}: {
  label: string;
  list: { nextCursor: string | null; busy: boolean; more: () => void };
}) {
  if (!list.nextCursor) return null;
  return (
    <button type="button" class="secondary" disabled={list.busy} onClick={list.more}>
      {list.busy ? "Loading…" : label}
    </button>
  );
}

/** "payment_pending" → "Payment pending". */
export function statusLabel(status: string): string {
  const words = status.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The order's `#1001`, or a short handle of its id for an order made before numbers existed. */
export function orderLabel(o: { id: string; number?: number | null }): string {
  return formatOrderNumber(o.number) || o.id.slice(-8).toUpperCase();
}

export function OrdersList() {
  const list = usePaged(async (cursor, signal) => {
    const { orders, nextCursor } = await read(account.orders.$get(pageQuery(cursor), { init: { signal } }));
    return { items: orders, nextCursor };
  });
  return (
    <>
      <ListStatus loaded={list.loaded} error={list.error} />
      {list.loaded && !list.error && list.items.length === 0 ? (
        <p class="muted">
          No orders yet. <a href="/">Browse the bracelets</a>.
        </p>
      ) : null}
      {list.items.length > 0 ? (
        <table class="data account-table">
          <caption class="visually-hidden">Your orders, newest first</caption>
          <TableHead columns={["Order", "Date", "Status", { label: "Total", num: true }]} />
          <tbody>
            {list.items.map((o) => (
              <tr key={o.id} data-order-id={o.id}>
                <td>
                  <a href={`/orders/${encodeURIComponent(o.id)}`}>Order {orderLabel(o)}</a>
                </td>
                <td>{formatTime(o.createdAt)}</td>
                <td>{statusLabel(o.status)}</td>
                <td class="num">{formatMoney(o.totals.totalCents, o.totals.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <MoreButton label="Older orders" list={list} />
    </>
  );
}

export function InvoicesList() {
  const list = usePaged(async (cursor, signal) => {
    const { invoices, nextCursor } = await read(account.invoices.$get(pageQuery(cursor), { init: { signal } }));
    return { items: invoices, nextCursor };
  });
  return (
    <>
      <ListStatus loaded={list.loaded} error={list.error} />
      {list.loaded && !list.error && list.items.length === 0 ? <p class="muted">No invoices yet.</p> : null}
      {list.items.length > 0 ? (
        <table class="data account-table">
          <caption class="visually-hidden">Your invoices, newest first</caption>
          <TableHead columns={["Invoice", "Order", "Date", "Status", { label: "Total", num: true }]} />
          <tbody>
            {list.items.map((i) => (
              <tr key={i.id}>
                <td>
                  {i.orderId ? (
                    <a href={`/orders/${encodeURIComponent(i.orderId)}/invoice`} aria-label={`Invoice ${i.number}`}>
                      Invoice {i.number}
                    </a>
                  ) : (
                    `Invoice ${i.number}`
                  )}
                </td>
                <td>
                  {i.orderId ? (
                    <a href={`/orders/${encodeURIComponent(i.orderId)}`}>
                      Order {orderLabel({ id: i.orderId, number: i.orderNumber })}
                    </a>
                  ) : (
                    <span class="muted">Monthly box</span>
                  )}
                </td>
                <td>{formatTime(i.issuedAt)}</td>
                <td>{statusLabel(i.status)}</td>
                <td class="num">{formatMoney(i.totalCents, i.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <MoreButton label="Older invoices" list={list} />
    </>
  );
}

export function NotificationsList() {
  const list = usePaged(async (cursor, signal) => {
    const page = await read(account.notifications.$get(pageQuery(cursor), { init: { signal } }));
    return { items: page.notifications, nextCursor: page.nextCursor };
  });
  return (
    <>
      <ListStatus loaded={list.loaded} error={list.error} />
      {list.loaded && !list.error && list.items.length === 0 ? <p class="muted">No messages yet.</p> : null}
      {list.items.length > 0 ? (
        <ul class="message-list">
          {list.items.map((n) => (
            <li key={n.id}>
              <p class="message-head">
                <strong>{n.subject}</strong> <span class="muted">{formatTime(n.createdAt)}</span>
              </p>
              <p class="message-body">{n.body}</p>
              {n.html ? (
                <details class="message-html">
                  <summary>Show the e-mail as sent</summary>
                  {/* The e-mail's own HTML, without scripts or access to this page. */}
                  <iframe title={`E-mail: ${n.subject}`} sandbox="" srcdoc={n.html} />
                </details>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      <MoreButton label="Older messages" list={list} />
    </>
  );
}
