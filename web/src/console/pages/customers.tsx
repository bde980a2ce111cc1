/**
 * Customers (staff and admins): search shoppers by name or email, open one to see the profile, how many
 * orders they placed and the latest ones. /admin/customers/<id> is the detail view.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { type AnswerOf, ApiFailure, client, formatMoney, formatTime, read } from "../../lib/api";
import { TableHead } from "../../lib/table-head";
import { useLiveList } from "../../lib/use-live-list";
import { CONSOLE_BASE, linkClick } from "../router";

const route = client.api.admin.customers;
type Account = AnswerOf<typeof route.$get>["customers"][number];
type Detail = AnswerOf<(typeof route)[":id"]["$get"]>;

const BASE = `${CONSOLE_BASE}/customers`;

/** The last search, so "← Customers" from a customer returns to the same results. */
let lastQuery = "";
const searchPath = (q: string) => (q ? `${BASE}?q=${encodeURIComponent(q)}` : BASE);

const statusLabel = (s: string) => {
  const words = s.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
};

function CustomerSearch() {
  const initial = (typeof location === "undefined" ? null : new URLSearchParams(location.search).get("q")) ?? lastQuery;
  const [draft, setDraft] = useState(initial);
  const [query, setQuery] = useState(initial);
  const list = useLiveList<Account>({
    load: async (after, signal) => {
      const params = new URLSearchParams({ limit: "25" });
      if (query) params.set("q", query);
      if (after) params.set("cursor", after);
      const page = await read(route.$get({ query: Object.fromEntries(params) }, { init: { signal } }));
      return { items: page.customers, nextCursor: page.nextCursor };
    },
    key: (a) => a.id,
    deps: [query],
  });
  const { items: rows, nextCursor: cursor, error, busy } = list;

  useEffect(() => {
    lastQuery = query;
  }, [query]);

  const onSubmit = (e: Event) => {
    e.preventDefault();
    const q = draft.trim();
    // The search is part of the address, so a reload or a shared link shows the same results.
    history.replaceState(null, "", searchPath(q));
    setQuery(q);
  };

  return (
    <section aria-labelledby="customers-title" data-customers-ready={rows ? "1" : undefined}>
      <h1 id="customers-title">Customers</h1>
      <search>
        <form class="toolbar" onSubmit={onSubmit}>
          <label>
            Search customers
            <input
              type="search"
              name="q"
              value={draft}
              maxLength={100}
              placeholder="Name or email"
              onInput={(e) => setDraft((e.currentTarget as HTMLInputElement).value)}
            />
          </label>
          <button type="submit" disabled={busy}>
            Search
          </button>
        </form>
      </search>
      {error ? <p class="error-text">{error}</p> : null}
      <p class="muted" role="status">
        {rows === null
          ? "Loading…"
          : rows.length === 0
            ? query
              ? `No customers match “${query}”.`
              : "No customers yet."
            : query
              ? `Customers matching “${query}”`
              : ""}
      </p>
      {rows && rows.length > 0 ? (
        <table class="data">
          <TableHead columns={["Name", "Email", "Joined", "Status"]} />
          <tbody>
            {rows.map((c) => (
              <tr key={c.id} data-customer-id={c.id}>
                <td>
                  <a href={`${BASE}/${encodeURIComponent(c.id)}`} onClick={linkClick}>
                    {c.name}
                  </a>
                </td>
                <td>{c.email}</td>
                <td>{formatTime(c.createdAt)}</td>
                <td>{c.active ? <span class="badge ok">Active</span> : <span class="badge bad">Deactivated</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {cursor ? (
        <button type="button" class="secondary" disabled={busy} onClick={list.more}>
          More customers
        </button>
      ) : null}
    </section>
  );
}

function CustomerDetail({ id }: { id: string }) {
  const [detail, setDetail] = useState<Detail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    setDetail(null);
    setError(null);
    read(route[":id"].$get({ param: { id: encodeURIComponent(id) } }))
      .then(setDetail)
      .catch((err) =>
        setError(
          err instanceof ApiFailure && err.status === 404 ? "No customer with this id." : (err as Error).message,
        ),
      );
  }, [id]);

  useEffect(() => {
    if (detail || error) heading.current?.focus();
  }, [detail, error]);

  const back = (
    <p>
      <a href={searchPath(lastQuery)} onClick={linkClick}>
        ← Customers
      </a>
    </p>
  );
  if (error) {
    return (
      <section aria-labelledby="customer-title">
        {back}
        <h1 id="customer-title" tabIndex={-1} ref={heading}>
          Customer not found
        </h1>
        <p class="error-text">{error}</p>
      </section>
    );
  }
  if (!detail) return <p aria-busy="true">Loading the customer…</p>;
  const { customer, orderCount, recentOrders } = detail;
  const address = customer.shippingAddress;
  return (
    <section aria-labelledby="customer-title" data-customer-ready="1">
      {back}
      <h1 id="customer-title" tabIndex={-1} ref={heading}>
        {customer.name}
      </h1>
      <dl class="facts">
        <dt>Email</dt>
        <dd>{customer.email}</dd>
        <dt>Status</dt>
        <dd>{customer.active ? "Active" : "Deactivated"}</dd>
        <dt>Joined</dt>
        <dd>{formatTime(customer.createdAt)}</dd>
        <dt>Orders</dt>
        <dd data-testid="order-count">{orderCount}</dd>
        <dt>Shipping address</dt>
        <dd>
          {address ? (
            <address>
              {[
                address.name,
                address.line1,
                address.line2,
                `${address.postalCode} ${address.city}`,
                address.region,
                address.country,
                address.phone,
              ]
                .filter(Boolean)
                .map((line) => (
                  <span key={line} class="address-line">
                    {line}
                  </span>
                ))}
            </address>
          ) : (
            <span class="muted">None saved</span>
          )}
        </dd>
      </dl>
      <h2>Recent orders</h2>
      {recentOrders.length === 0 ? (
        <p class="muted">No orders yet.</p>
      ) : (
        <table class="data">
          <TableHead columns={["Order", "Placed", "Status", { label: "Total", num: true }]} />
          <tbody>
            {recentOrders.map((o) => (
              <tr key={o.id}>
                <td>
                  <a href={`${CONSOLE_BASE}/orders/${encodeURIComponent(o.id)}`} onClick={linkClick}>
                    <code>{o.id}</code>
                  </a>
                </td>
                <td>{formatTime(o.createdAt)}</td>
                <td>{statusLabel(o.status)}</td>
                <td class="num">{formatMoney(o.totalCents, o.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {orderCount > recentOrders.length ? (
        <p class="muted">
          Showing the {recentOrders.length} newest of {orderCount} orders.
        </p>
      ) : null}
    </section>
  );
}

export function CustomersPage({ path }: { path: string[] }) {
  const id = path[0];
  return id ? <CustomerDetail id={decodeURIComponent(id)} /> : <CustomerSearch />;
}
