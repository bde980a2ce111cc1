/**
 * The event log as a table a person can read: time, type, subject (a link to the order, SKU or customer it is
 * about), publishing service; filtered by type, subject and time (kept in the address, so a filtered log can be
 * shared); the full envelope shown on demand; paged by the API's cursor. New events matching the filters arrive
 * live at the top.
 */
import { useEffect, useState } from "preact/hooks";
import type { EventType } from "../../../../src/domain/events";
import { type AnswerOf, client, formatTime, read } from "../../lib/api";
import { useLiveList } from "../../lib/use-live-list";
import { subscribeFeed } from "../feed";
import { CONSOLE_BASE, linkClick } from "../router";

type Logged = AnswerOf<typeof client.api.admin.events.$get>["items"][number];
/** A logged event, or one just seen on the live feed (which carries no version, source or publish time). */
type EventRow = Omit<Logged, "version" | "publishedAt" | "data" | "source"> &
  Partial<Pick<Logged, "version" | "publishedAt">> & { data: unknown; source: string };
type Filters = { type: string; subject: string; from: string; to: string };

const TYPES = Object.keys({
  OrderPlaced: 1,
  PaymentInitiated: 1,
  OrderConfirmed: 1,
  OrderAmended: 1,
  OrderCancelled: 1,
  OrderShipped: 1,
  OrderDelivered: 1,
  OrderPaymentFailed: 1,
  OrderHeld: 1,
  OrderRefunded: 1,
  InventoryAdjusted: 1,
  OutOfStock: 1,
  LowStock: 1,
  PaymentProcessed: 1,
  FraudCheckCompleted: 1,
  FraudDetected: 1,
  NotificationSent: 1,
  UserSignedUp: 1,
  UserSubscriptionStarted: 1,
  UserSubscriptionCancelled: 1,
  InvoiceGenerated: 1,
  SubscriptionPaymentDue: 1,
} satisfies Record<EventType, 1>);

const EMPTY: Filters = { type: "", subject: "", from: "", to: "" };
const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;

function filtersFromUrl(): Filters {
  if (typeof location === "undefined") return EMPTY;
  const q = new URLSearchParams(location.search);
  return {
    type: TYPES.includes(q.get("type") ?? "") ? (q.get("type") as string) : "",
    subject: (q.get("subject") ?? "").slice(0, 200),
    from: LOCAL_TIME.test(q.get("from") ?? "") ? (q.get("from") as string) : "",
    to: LOCAL_TIME.test(q.get("to") ?? "") ? (q.get("to") as string) : "",
  };
}

/** A datetime-local value (the clerk's clock) as milliseconds, or null. */
const millis = (value: string): number | null => (LOCAL_TIME.test(value) ? new Date(value).getTime() : null);

/** Where the console shows what an event is about: the order, the SKU's stock, the customer. */
export function subjectHref(subject: string): string | null {
  const [kind, ...rest] = subject.split(":");
  const id = rest.join(":");
  if (!id) return null;
  if (kind === "order") return `${CONSOLE_BASE}/orders/${encodeURIComponent(id)}`;
  if (kind === "sku") return `${CONSOLE_BASE}/inventory?q=${encodeURIComponent(id)}`;
  if (kind === "customer") return `${CONSOLE_BASE}/customers/${encodeURIComponent(id)}`;
  return null;
}

function matches(f: Filters, e: { type: string; subject: string; occurredAt: number }): boolean {
  const from = millis(f.from);
  const to = millis(f.to);
  return (
    (!f.type || e.type === f.type) &&
    (!f.subject || e.subject === f.subject) &&
    (from === null || e.occurredAt >= from) &&
    (to === null || e.occurredAt < to)
  );
}

export function EventsPage(_: { path: string[] }) {
  const [filters, setFilters] = useState<Filters>(filtersFromUrl);
  const [draft, setDraft] = useState<Filters>(filters);
  const list = useLiveList<EventRow>({
    load: (after, signal) => {
      const params = new URLSearchParams({ limit: "50" });
      if (filters.type) params.set("type", filters.type);
      if (filters.subject) params.set("subject", filters.subject);
      const from = millis(filters.from);
      const to = millis(filters.to);
      if (from !== null) params.set("from", String(from));
      if (to !== null) params.set("to", String(to));
      if (after) params.set("cursor", after);
      return read(client.api.admin.events.$get({ query: Object.fromEntries(params) }, { init: { signal } }));
    },
    key: (r) => r.id,
    deps: [filters],
    follow: (rows) =>
      subscribeFeed((e) => {
        if (!matches(filters, e)) return;
        rows.update((prev) => (prev.some((r) => r.id === e.id) ? prev : [{ ...e, source: "" }, ...prev]));
      }),
  });
  const { items: rows, nextCursor: cursor, error } = list;

  useEffect(() => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
    const search = q.toString() ? `?${q}` : "";
    if (location.search !== search) history.replaceState(null, "", `${CONSOLE_BASE}/events${search}`);
  }, [filters]);

  const field = (key: keyof Filters) => (e: Event) =>
    setDraft((d) => ({ ...d, [key]: (e.currentTarget as HTMLInputElement | HTMLSelectElement).value.trim() }));

  return (
    <section class="event-log" aria-labelledby="events-title" data-events-ready={rows ? "1" : undefined}>
      <h1 id="events-title">Event log</h1>
      <form
        class="toolbar"
        aria-label="Filter events"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters(draft);
        }}
      >
        <label class="inline">
          Type
          <select value={draft.type} onChange={field("type")}>
            <option value="">Any</option>
            {TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label class="inline">
          Subject
          <input value={draft.subject} placeholder="order:ord_… or sku:BR-001" onInput={field("subject")} />
        </label>
        <label class="inline">
          From
          <input type="datetime-local" value={draft.from} onInput={field("from")} />
        </label>
        <label class="inline">
          Before
          <input type="datetime-local" value={draft.to} onInput={field("to")} />
        </label>
        <button type="submit">Filter</button>
        <button
          type="button"
          class="secondary"
          onClick={() => {
            setDraft(EMPTY);
            setFilters(EMPTY);
          }}
        >
          Clear
        </button>
      </form>
      {error ? <p class="error-text">{error}</p> : null}
      {rows && rows.length === 0 ? <p>No events match.</p> : null}
      <table class="data event-table">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Type</th>
            <th scope="col">Subject</th>
            <th scope="col">Source</th>
            <th scope="col">Envelope</th>
          </tr>
        </thead>
        <tbody>
          {(rows ?? []).map((r) => {
            const href = subjectHref(r.subject);
            return (
              <tr key={r.id} data-event-type={r.type} data-event-id={r.id}>
                <td>{formatTime(r.occurredAt)}</td>
                <td>
                  <button
                    type="button"
                    class="link"
                    title="Only this type"
                    onClick={() => {
                      const next = { ...filters, type: r.type };
                      setDraft(next);
                      setFilters(next);
                    }}
                  >
                    {r.type}
                  </button>
                </td>
                <td>
                  {href ? (
                    <a href={href} onClick={linkClick}>
                      {r.subject}
                    </a>
                  ) : (
                    r.subject
                  )}
                </td>
                <td>{r.source}</td>
                <td>
                  <details>
                    <summary>Show</summary>
                    <pre class="json">{JSON.stringify(r, null, 2)}</pre>
                  </details>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {cursor ? (
        <button type="button" class="secondary" onClick={list.more}>
          Older events
        </button>
      ) : null}
    </section>
  );
}
