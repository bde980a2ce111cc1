/**
 * Orders (staff and admins): every order, newest first, filtered by status, placing date and customer (id or
 * email), paged with the API's cursor. The list is live: an order placed, paid, held, shipped or cancelled
 * anywhere updates (or adds) its row without a reload and the row is briefly highlighted.
 * /admin/orders/<id> is one order with its actions (../orders/order-detail.tsx).
 */
import { useEffect, useMemo, useState } from "preact/hooks";
import { formatMoney, formatTime } from "../../lib/api";
import {
  ORDER_STATUSES,
  ORDERS_BASE,
  type OrderStatus,
  type OrderSummary,
  orderHref,
  orderLabel,
  STATUS_LABELS,
} from "../orders/model";
import { OrderDetailView } from "../orders/order-detail";
import { StatusBadge } from "../orders/ui";
import { useLiveOrders } from "../orders/use-live-orders";
import { linkClick, navigate } from "../router";

const PAGE_SIZE = 25;

type Filters = { q: string; status: OrderStatus | ""; from: string; to: string; customer: string };
const NO_FILTERS: Filters = { q: "", status: "", from: "", to: "", customer: "" };

/** The last list address, so "← Orders" from an order returns to the same filters. */
let lastSearch = "";

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A yyyy-mm-dd from a date input as local milliseconds: the start of that day, or its end. */
function dayBound(value: string, end: boolean): number | null {
  const m = DATE.exec(value);
  if (!m) return null;
  const start = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).getTime();
  return end ? start + 24 * 60 * 60_000 - 1 : start;
}

function filtersFrom(search: string): Filters {
  const q = new URLSearchParams(search);
  const status = q.get("status") ?? "";
  return {
    q: (q.get("q") ?? "").trim().slice(0, 254),
    status: (ORDER_STATUSES as readonly string[]).includes(status) ? (status as OrderStatus) : "",
    from: DATE.test(q.get("from") ?? "") ? (q.get("from") as string) : "",
    to: DATE.test(q.get("to") ?? "") ? (q.get("to") as string) : "",
    customer: (q.get("customer") ?? "").trim().slice(0, 254),
  };
}

/** The page's own address for `f` (dates as typed), for reloads and shared links. */
function searchOf(f: Filters): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** The API query for `f`: dates become millisecond bounds of whole local days. */
function apiQuery(f: Filters): string {
  const q = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (f.status) q.set("status", f.status);
  const from = dayBound(f.from, false);
  const to = dayBound(f.to, true);
  if (from !== null) q.set("from", String(from));
  if (to !== null) q.set("to", String(to));
  if (f.customer) q.set("customer", f.customer);
  if (f.q) q.set("q", f.q);
  return q.toString();
}

/** The server's filter, for orders that arrive live. */
function matcher(f: Filters): (o: OrderSummary) => boolean {
  const from = dayBound(f.from, false);
  const to = dayBound(f.to, true);
  const customer = f.customer.toLowerCase();
  const text = f.q.toLowerCase();
  const number = /^\s*#?\s*([0-9]{1,9})\s*$/.exec(f.q)?.[1];
  return (o) =>
    (!text ||
      (number !== undefined && o.number === Number(number)) ||
      o.email.toLowerCase().includes(text) ||
      (o.name ?? "").toLowerCase().includes(text)) &&
    (!f.status || o.status === f.status) &&
    (from === null || o.createdAt >= from) &&
    (to === null || o.createdAt <= to) &&
    (!customer ||
      (f.customer.includes("@") ? o.email === customer : o.customerId === f.customer || o.email === customer));
}

function OrderList() {
  const initial = useMemo(
    () => (typeof location === "undefined" ? NO_FILTERS : filtersFrom(location.search || lastSearch)),
    [],
  );
  const [draft, setDraft] = useState<Filters>(initial);
  const [filters, setFilters] = useState<Filters>(initial);
  const query = useMemo(() => apiQuery(filters), [filters]);
  const matches = useMemo(() => matcher(filters), [filters]);
  const { rows, details, cursor, error, loading, flashed, more } = useLiveOrders({ query, matches });
  const filtered = Object.values(filters).some(Boolean);

  useEffect(() => {
    // Filters restored from an earlier visit go back into the address.
    lastSearch = searchOf(initial);
    if (location.search !== lastSearch) history.replaceState(null, "", `${ORDERS_BASE}${lastSearch}`);
  }, [initial]);

  const apply = (next: Filters) => {
    lastSearch = searchOf(next);
    history.replaceState(null, "", `${ORDERS_BASE}${lastSearch}`);
    setDraft(next);
    setFilters(next);
  };

  const set = (name: keyof Filters) => (e: Event) =>
    setDraft((d) => ({ ...d, [name]: (e.currentTarget as HTMLInputElement).value }));

  return (
    <section class="orders" aria-labelledby="orders-title" data-orders-ready={rows ? "1" : undefined}>
      <h1 id="orders-title">Orders</h1>
      <search>
        <form
          class="toolbar orders-filters"
          aria-label="Filter orders"
          onSubmit={(e) => {
            e.preventDefault();
            apply({ ...draft, q: draft.q.trim(), customer: draft.customer.trim() });
          }}
        >
          <label>
            Search
            <input
              type="search"
              name="q"
              value={draft.q}
              maxLength={254}
              placeholder="#1001, email or name"
              onInput={set("q")}
            />
          </label>
          <label>
            Status
            <select name="status" value={draft.status} onChange={set("status")}>
              <option value="">All statuses</option>
              {ORDER_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABELS[s]}
                </option>
              ))}
            </select>
          </label>
          <label>
            Placed from
            <input type="date" name="from" value={draft.from} max={draft.to || undefined} onInput={set("from")} />
          </label>
          <label>
            Placed to
            <input type="date" name="to" value={draft.to} min={draft.from || undefined} onInput={set("to")} />
          </label>
          <label>
            Customer
            <input
              type="search"
              name="customer"
              value={draft.customer}
              maxLength={254}
              placeholder="Email or customer id"
              onInput={set("customer")}
            />
          </label>
          <button type="submit" disabled={loading}>
            Apply filters
          </button>
          {filtered ? (
            <button type="button" class="secondary" onClick={() => apply(NO_FILTERS)}>
              Clear filters
            </button>
          ) : null}
        </form>
      </search>
      {error ? (
        <p class="error-text" role="alert">
          {error}
        </p>
      ) : null}
      <p class="muted" role="status">
        {rows === null
          ? "Loading…"
          : rows.length === 0
            ? filtered
              ? "No orders match these filters."
              : "No orders yet."
            : `${rows.length}${cursor ? "+" : ""} ${rows.length === 1 ? "order" : "orders"}${filtered ? " matching the filters" : ""}, newest first. New orders appear live.`}
      </p>
      {rows && rows.length > 0 ? (
        <table class="data orders-table">
          <caption class="visually-hidden">Orders, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Placed</th>
              <th scope="col">Order</th>
              <th scope="col">Email</th>
              <th scope="col">Status</th>
              <th scope="col" class="num">
                Total
              </th>
              <th scope="col" class="num">
                Items
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((o) => {
              const href = orderHref(o.id);
              const items = o.itemCount ?? details[o.id]?.items.reduce((n, i) => n + i.qty, 0);
              return (
                <tr
                  key={o.id}
                  data-order-id={o.id}
                  data-status={o.status}
                  data-flash={flashed[o.id] ? "1" : undefined}
                  class={flashed[o.id] ? "order-row order-flash" : "order-row"}
                  onClick={(e) => {
                    // The id link is the keyboard way in; a click anywhere else on the row does the same.
                    if ((e.target as HTMLElement).closest("a, button, input, select, textarea")) return;
                    if (getSelection()?.toString()) return;
                    navigate(href);
                  }}
                >
                  <td>{formatTime(o.createdAt)}</td>
                  <th scope="row">
                    <a href={href} onClick={linkClick} aria-label={`Order ${orderLabel(o)}`}>
                      <span title={o.id}>{orderLabel(o)}</span>
                    </a>
                  </th>
                  <td>{o.email}</td>
                  <td>
                    <StatusBadge status={o.status} />
                  </td>
                  <td class="num">{formatMoney(o.totals.totalCents, o.totals.currency)}</td>
                  <td class="num" data-col="items">
                    {items ?? <span class="muted">…</span>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {cursor ? (
        <button type="button" class="secondary" disabled={loading} onClick={() => void more()}>
          Older orders
        </button>
      ) : null}
    </section>
  );
}

export function OrdersPage({ path }: { path: string[] }) {
  const id = path[0];
  return id ? (
    <OrderDetailView key={id} id={decodeURIComponent(id)} backHref={`${ORDERS_BASE}${lastSearch}`} />
  ) : (
    <OrderList />
  );
}
