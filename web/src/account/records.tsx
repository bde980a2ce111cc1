/** What the account holds: orders, invoices and messages the shop sent (monthly boxes: ./subscriptions.tsx). */
import { useCallback, useEffect, useState } from "preact/hooks";
import { api, formatMoney, formatTime } from "../lib/api";
import type { AccountNotification, AccountOrder, Invoice } from "./types";

type PagedState<T> = { items: T[]; nextCursor: string | null; loaded: boolean; error: string | null };

/** One newest-first list from /api/account with "show more" by cursor. */
function usePaged<T>(path: string, key: string) {
  const [state, setState] = useState<PagedState<T>>({ items: [], nextCursor: null, loaded: false, error: null });
  const [busy, setBusy] = useState(false);
  const load = useCallback(
    async (cursor: string | null) => {
      setBusy(true);
      try {
        const query = new URLSearchParams({ limit: "10" });
        if (cursor) query.set("cursor", cursor);
        const page = await api<Record<string, unknown>>("GET", `${path}?${query}`);
        const items = (page[key] as T[] | undefined) ?? [];
        setState((prev) => ({
          items: cursor ? [...prev.items, ...items] : items,
          nextCursor: (page.nextCursor as string | null | undefined) ?? null,
          loaded: true,
          error: null,
        }));
      } catch (err) {
        setState((prev) => ({ ...prev, loaded: true, error: (err as Error).message }));
      } finally {
        setBusy(false);
      }
    },
    [path, key],
  );
  useEffect(() => {
    void load(null);
  }, [load]);
  return { ...state, busy, more: () => load(state.nextCursor) };
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

/** A short, readable handle for an opaque order id (the link carries the full id). */
export function shortId(id: string): string {
  return id.slice(-8).toUpperCase();
}

export function OrdersList() {
  const list = usePaged<AccountOrder>("/api/account/orders", "orders");
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
          <thead>
            <tr>
              <th scope="col">Order</th>
              <th scope="col">Date</th>
              <th scope="col">Status</th>
              <th scope="col" class="num">
                Total
              </th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((o) => (
              <tr key={o.id} data-order-id={o.id}>
                <td>
                  <a href={`/orders/${encodeURIComponent(o.id)}`}>Order {shortId(o.id)}</a>
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
  const list = usePaged<Invoice>("/api/account/invoices", "invoices");
  return (
    <>
      <ListStatus loaded={list.loaded} error={list.error} />
      {list.loaded && !list.error && list.items.length === 0 ? <p class="muted">No invoices yet.</p> : null}
      {list.items.length > 0 ? (
        <table class="data account-table">
          <caption class="visually-hidden">Your invoices, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Number</th>
              <th scope="col">Date</th>
              <th scope="col">Status</th>
              <th scope="col" class="num">
                Total
              </th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((i) => (
              <tr key={i.id}>
                <td>{i.number}</td>
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
  const list = usePaged<AccountNotification>("/api/account/notifications", "notifications");
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
