/**
 * Inventory (staff and admins): every SKU's stock with search and a low-stock filter, a per-row adjustment
 * (restock, damage, count correction, return) and the row's movement history. Rows follow the console's live
 * feed: InventoryAdjusted carries the level after each movement, so a shopper's reservation shows up here
 * without a reload, and a LowStock / OutOfStock alert highlights its row. A row's expanded panel also splits a
 * hot SKU across shard objects before a sale (docs/sharding.md).
 */
import { Fragment } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { type AnswerOf, ApiFailure, client, fetchMe, formatTime, read } from "../../lib/api";
import { useLiveList } from "../../lib/use-live-list";
import { type FeedEvent, subscribeFeed } from "../feed";
import { CONSOLE_BASE } from "../router";
import { useBackInStockWaiting } from "../use-back-in-stock";
import { useFeed } from "../use-feed";

const route = client.api.admin.inventory;
type Row = AnswerOf<typeof route.$get>["items"][number];
type Level = Pick<Row, "onHand" | "reserved" | "available">;
type Movement = AnswerOf<(typeof route)[":sku"]["history"]["$get"]>["items"][number];
type Adjusted = Movement["data"];

type Alert = "low" | "out";

const BASE = `${CONSOLE_BASE}/inventory`;
const PAGE_SIZE = 50;
const HISTORY_SIZE = 10;
const COLUMNS = 9;
const STOCK_EVENTS = ["InventoryAdjusted", "LowStock", "OutOfStock"] as const;
const ADJUSTED = ["InventoryAdjusted"] as const;

/** The staff reasons of `POST /api/admin/inventory/:sku/adjustments`, in the order the select offers them. */
const ADJUST_REASONS = [
  { value: "restock", label: "Restock" },
  { value: "damage", label: "Damage" },
  { value: "correction", label: "Count correction" },
  { value: "return", label: "Return" },
] as const;
type AdjustReason = (typeof ADJUST_REASONS)[number]["value"];

/** Every reason an InventoryAdjusted can carry (the ledger's own operations too), as the history shows it. */
const REASON_LABELS: Record<string, string> = {
  reserve: "Reserved for order",
  release: "Reservation released",
  expire: "Reservation expired",
  commit: "Sold",
  resize: "Order changed",
  restock: "Restock",
  damage: "Damage",
  correction: "Count correction",
  return: "Return",
};

const signed = (n: number) => (n > 0 ? `+${n}` : n < 0 ? `−${-n}` : "0");
const units = (n: number) => `${n} ${n === 1 ? "unit" : "units"}`;

function levelOf(value: unknown): Level | null {
  if (!value || typeof value !== "object") return null;
  const { onHand, reserved, available } = value as Record<string, unknown>;
  if (typeof onHand !== "number" || typeof reserved !== "number" || typeof available !== "number") return null;
  return { onHand, reserved, available };
}

function withLevel(row: Row, level: Level, threshold = row.lowStockThreshold): Row {
  return { ...row, ...level, lowStockThreshold: threshold, lowStock: level.available <= threshold };
}

function filtersFromUrl(): { q: string; low: boolean } {
  if (typeof location === "undefined") return { q: "", low: false };
  const params = new URLSearchParams(location.search);
  return { q: params.get("q") ?? "", low: params.get("low") === "1" };
}

/** The stock page: list, filters, paging and the live feed; each row runs its own form and history. */
export function InventoryPage(_: { path: string[] }) {
  const initial = filtersFromUrl();
  const [draft, setDraft] = useState(initial.q);
  const [query, setQuery] = useState(initial.q);
  const [lowOnly, setLowOnly] = useState(initial.low);
  const [rows, setRows] = useState<Row[] | null>(null);
  const waiting = useBackInStockWaiting();
  // The viewer's own movements often arrive live before D1 lists them: know their name from the start.
  useEffect(() => {
    fetchMe()
      .then(({ user }) => staffNames.set(user.id, user.name))
      .catch(() => {});
  }, []);
  /** The filters `rows` were loaded for (the inputs may already say otherwise while a new list loads). */
  const [shown, setShown] = useState(initial);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [ready, setReady] = useState(false);
  const [busy, setBusy] = useState(false);
  const [alerts, setAlerts] = useState<Record<string, Alert>>({});
  /**
   * The newest level the feed reported per SKU. Queue delivery does not promise order, so an older movement
   * arriving late is ignored; a list answered from the (slightly lagging) D1 snapshot is overlaid with it.
   */
  const latest = useRef(new Map<string, { at: number; level: Level }>());
  const fetching = useRef(new Set<string>());
  /** Movements seen live per SKU, so a history opened before D1 has them still lists them. */
  const recent = useRef(new Map<string, Movement[]>());
  const generation = useRef(0);

  const overlay = useCallback((row: Row): Row => {
    const seen = latest.current.get(row.sku);
    return seen ? withLevel(row, seen.level) : row;
  }, []);

  const load = useCallback(
    async (after: string | null) => {
      const mine = after ? generation.current : ++generation.current;
      setBusy(true);
      const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (query) params.set("q", query);
      if (lowOnly) params.set("low", "1");
      if (after) params.set("cursor", after);
      try {
        const page = await read(route.$get({ query: Object.fromEntries(params) }));
        if (mine !== generation.current) return;
        const items = page.items.map(overlay);
        setRows((prev) => {
          if (!after) return items;
          const known = new Set((prev ?? []).map((r) => r.sku));
          return [...(prev ?? []), ...items.filter((r) => !known.has(r.sku))];
        });
        setCursor(page.nextCursor);
        setShown({ q: query, low: lowOnly });
        setError(null);
      } catch (err) {
        if (mine !== generation.current) return;
        setError(`Could not load the stock list: ${(err as Error).message}`);
      } finally {
        if (mine === generation.current) {
          setBusy(false);
          setReady(true);
        }
      }
    },
    [query, lowOnly, overlay],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  const setLevel = useCallback((sku: string, level: Level) => {
    setRows((prev) => prev?.map((r) => (r.sku === sku ? withLevel(r, level) : r)) ?? null);
  }, []);

  // An alert stays on its row while the row is low; once restocked above the threshold it is done with.
  useEffect(() => {
    const settled = Object.keys(alerts).filter((sku) => rows?.find((r) => r.sku === sku)?.lowStock === false);
    if (settled.length === 0) return;
    setAlerts((prev) => Object.fromEntries(Object.entries(prev).filter(([sku]) => !settled.includes(sku))));
  }, [rows, alerts]);

  /** A SKU the list does not show moved: fetch its row and add it if it now belongs in this view. */
  const adopt = async (sku: string) => {
    const last = rows?.at(-1)?.sku;
    // Past the last loaded row it belongs to a page not fetched yet: "Load more" brings it.
    if (!rows || fetching.current.has(sku) || (cursor && last && sku > last)) return;
    fetching.current.add(sku);
    const mine = generation.current;
    try {
      const page = await read(route.$get({ query: { q: sku, limit: "50" } }));
      const found = page.items.find((r) => r.sku === sku);
      if (!found || mine !== generation.current) return;
      const row = overlay(found);
      const needle = shown.q.toLowerCase();
      if (needle && !row.sku.toLowerCase().includes(needle) && !row.name.toLowerCase().includes(needle)) return;
      if (shown.low && !row.lowStock) return;
      setRows((prev) => {
        if (!prev || prev.some((r) => r.sku === sku)) return prev;
        return [...prev, row].sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
      });
    } catch {
      // The next movement of this SKU tries again.
    } finally {
      fetching.current.delete(sku);
    }
  };

  useFeed(STOCK_EVENTS, (e: FeedEvent) => {
    const sku = typeof e.data.sku === "string" ? e.data.sku : null;
    if (!sku) return;
    if (e.type === "InventoryAdjusted") {
      const level = levelOf(e.data.after);
      if (!level) return;
      const movements = recent.current.get(sku) ?? [];
      if (!movements.some((m) => m.id === e.id)) {
        // Seen live: no name with it; actorLabel takes the one learned for its actor.
        const movement: Movement = { ...e, data: e.data as unknown as Adjusted, actorName: null };
        recent.current.set(sku, [movement, ...movements].slice(0, HISTORY_SIZE));
      }
      const seen = latest.current.get(sku);
      if (seen && e.occurredAt < seen.at) return;
      latest.current.set(sku, { at: e.occurredAt, level });
      if (rows?.some((r) => r.sku === sku)) setLevel(sku, level);
      else void adopt(sku);
      return;
    }
    setAlerts((prev) => ({ ...prev, [sku]: e.type === "OutOfStock" ? "out" : "low" }));
    const threshold = e.data.threshold;
    if (e.type === "LowStock" && typeof threshold === "number") {
      setRows((prev) => prev?.map((r) => (r.sku === sku ? withLevel(r, r, threshold) : r)) ?? null);
    }
    if (rows && !rows.some((r) => r.sku === sku)) void adopt(sku);
  });

  const onSearch = (e: Event) => {
    e.preventDefault();
    applyFilters(draft.trim(), lowOnly);
  };
  const applyFilters = (q: string, low: boolean) => {
    const params = new URLSearchParams();
    if (q) params.set("q", q);
    if (low) params.set("low", "1");
    // The filters are part of the address, so a reload or a shared link shows the same view.
    history.replaceState(null, "", params.toString() ? `${BASE}?${params}` : BASE);
    setQuery(q);
    setLowOnly(low);
  };

  const status =
    rows === null
      ? error
        ? ""
        : "Loading stock…"
      : rows.length === 0
        ? shown.low
          ? shown.q
            ? `No low-stock products match “${shown.q}”.`
            : "Nothing is low on stock."
          : shown.q
            ? `No products match “${shown.q}”.`
            : "No products yet."
        : `${rows.length}${cursor ? "+" : ""} ${rows.length === 1 ? "product" : "products"}${shown.low ? " low on stock" : ""}${shown.q ? ` matching “${shown.q}”` : ""}.`;

  return (
    <section class="inventory" aria-labelledby="inventory-title" data-inventory-ready={ready ? "1" : undefined}>
      <h1 id="inventory-title">Inventory</h1>
      <search>
        <form class="toolbar" onSubmit={onSearch}>
          <label>
            Search stock
            <input
              type="search"
              name="q"
              value={draft}
              maxLength={100}
              placeholder="SKU or name"
              onInput={(e) => setDraft((e.currentTarget as HTMLInputElement).value)}
            />
          </label>
          <button type="submit" disabled={busy}>
            Search
          </button>
          <label class="inv-check">
            <input
              type="checkbox"
              name="low"
              checked={lowOnly}
              onChange={(e) => applyFilters(draft.trim(), (e.currentTarget as HTMLInputElement).checked)}
            />
            Low stock only
          </label>
        </form>
      </search>
      <p class="error-text" role="alert">
        {error}
      </p>
      <p class="muted" role="status" aria-busy={busy ? "true" : undefined}>
        {status}
      </p>
      {rows && rows.length > 0 ? (
        <table class="data inventory-table" aria-labelledby="inventory-title">
          <thead>
            <tr>
              <th scope="col">SKU</th>
              <th scope="col">Name</th>
              <th scope="col" class="num">
                On hand
              </th>
              <th scope="col" class="num">
                Reserved
              </th>
              <th scope="col" class="num">
                Available
              </th>
              <th scope="col" class="num">
                Low at
              </th>
              <th scope="col">Status</th>
              <th scope="col">Adjust stock</th>
              <th scope="col">
                <span class="visually-hidden">History</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <InventoryRow
                key={row.sku}
                row={row}
                alert={row.lowStock && alerts[row.sku] ? (row.available <= 0 ? "out" : "low") : undefined}
                waiting={waiting.get(row.sku) ?? 0}
                onLevel={(level) => setLevel(row.sku, level)}
                recent={() => recent.current.get(row.sku) ?? []}
              />
            ))}
          </tbody>
        </table>
      ) : null}
      {cursor ? (
        <button type="button" class="secondary" disabled={busy} onClick={() => load(cursor)}>
          Load more
        </button>
      ) : null}
    </section>
  );
}

type RowProps = {
  row: Row;
  alert: Alert | undefined;
  /** Shoppers waiting to hear when this SKU is back. */
  waiting: number;
  onLevel: (level: Level) => void;
  /** This SKU's movements the page saw live, newest first. */
  recent: () => Movement[];
};
type FieldErrors = { delta?: string; reason?: string };

function describeFieldIssue(path: string, message: string): string {
  if (path !== "delta") return "Choose one of the listed reasons.";
  if (/not zero/.test(message)) return "The change cannot be 0.";
  return message.replace(/^delta is /, "The change must be ");
}

/** One SKU: its numbers, the adjustment form and the history toggle (the history is a row of its own). */
function InventoryRow({ row, alert, waiting, onLevel, recent }: RowProps) {
  const [delta, setDelta] = useState("");
  const [reason, setReason] = useState<AdjustReason>("restock");
  const [sending, setSending] = useState(false);
  const [fields, setFields] = useState<FieldErrors>({});
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [historyOpen, setHistoryOpen] = useState(false);
  const deltaRef = useRef<HTMLInputElement>(null);

  const id = `inv-${row.sku}`;
  const messageId = `${id}-message`;
  const historyId = `${id}-history`;
  const label = `${row.sku} (${row.name})`;

  const fail = (text: string, fieldErrors: FieldErrors = {}) => {
    setFields(fieldErrors);
    setMessage({ ok: false, text });
    deltaRef.current?.focus();
  };

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    if (sending) return;
    const text = delta.trim().replace("−", "-");
    const amount = Number(text);
    if (text === "" || !Number.isFinite(amount)) {
      fail("Enter the change as a whole number, e.g. 5 or -2.", { delta: "not a number" });
      return;
    }
    setSending(true);
    setFields({});
    setMessage(null);
    try {
      const level = await read(
        route[":sku"].adjustments.$post({
          param: { sku: encodeURIComponent(row.sku) },
          json: { delta: amount, reason },
        }),
      );
      onLevel(levelOf(level) ?? row);
      setDelta("");
      const reasonLabel = ADJUST_REASONS.find((r) => r.value === reason)?.label ?? reason;
      setMessage({ ok: true, text: `${reasonLabel} ${signed(amount)}: ${level.available} available now.` });
    } catch (err) {
      if (!(err instanceof ApiFailure)) {
        fail("We could not reach the shop. Check your connection and try again.");
      } else if (err.code === "below_reserved") {
        const current = levelOf(err.details);
        if (current) onLevel(current);
        fail(
          current && current.reserved > 0
            ? `Cannot go below the ${units(current.reserved)} reserved for open orders: at most ${current.available} can be removed.`
            : `Cannot go below zero: ${current ? `only ${units(current.onHand)} on hand.` : err.message}`,
          { delta: "below reserved" },
        );
      } else if (err.code === "validation_failed" && Array.isArray(err.details)) {
        const found: FieldErrors = {};
        const texts: string[] = [];
        for (const issue of err.details as { path?: unknown; message?: unknown }[]) {
          const path = issue.path === "reason" ? "reason" : "delta";
          const text = describeFieldIssue(path, String(issue.message ?? ""));
          if (!found[path]) {
            found[path] = text;
            texts.push(text);
          }
        }
        fail(texts.join(" ") || err.message, found);
      } else {
        fail(err.message);
      }
    } finally {
      setSending(false);
    }
  };

  const describedBy = (field: keyof FieldErrors) => (fields[field] ? messageId : undefined);
  const badge =
    row.available <= 0 ? (
      <span class="badge bad">Sold out</span>
    ) : row.lowStock ? (
      <span class="badge warn">Low</span>
    ) : (
      <span class="badge ok">In stock</span>
    );

  return (
    <Fragment>
      <tr
        data-sku={row.sku}
        data-low={row.lowStock ? "1" : "0"}
        data-alert={alert}
        class={alert ? `inv-alert inv-alert-${alert}` : undefined}
      >
        <th scope="row">
          <code>{row.sku}</code>
        </th>
        <td>
          {row.name}
          {row.active ? null : <span class="badge inv-inactive">Inactive</span>}
        </td>
        <td class="num" data-on-hand={row.onHand}>
          {row.onHand}
        </td>
        <td class="num" data-reserved={row.reserved}>
          {row.reserved}
        </td>
        <td class="num" data-available={row.available}>
          <strong>{row.available}</strong>
        </td>
        <td class="num">{row.lowStockThreshold}</td>
        <td>
          {badge}
          {alert ? <span class="visually-hidden"> (alert just now)</span> : null}
          {waiting > 0 ? (
            <span class="muted inv-waiting" data-waiting={waiting}>
              {" "}
              {waiting} waiting
            </span>
          ) : null}
        </td>
        <td>
          <form class="inv-adjust" noValidate onSubmit={onSubmit} aria-label={`Adjust stock of ${label}`}>
            <label for={`${id}-delta`} class="visually-hidden">
              Change in stock on hand for {label}
            </label>
            <input
              ref={deltaRef}
              id={`${id}-delta`}
              name="delta"
              type="number"
              step={1}
              inputMode="numeric"
              placeholder="±0"
              value={delta}
              aria-invalid={fields.delta ? "true" : undefined}
              aria-describedby={describedBy("delta")}
              onInput={(e) => setDelta((e.currentTarget as HTMLInputElement).value)}
            />
            <label for={`${id}-reason`} class="visually-hidden">
              Reason for {label}
            </label>
            <select
              id={`${id}-reason`}
              name="reason"
              value={reason}
              aria-invalid={fields.reason ? "true" : undefined}
              aria-describedby={describedBy("reason")}
              onChange={(e) => setReason((e.currentTarget as HTMLSelectElement).value as AdjustReason)}
            >
              {ADJUST_REASONS.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.label}
                </option>
              ))}
            </select>
            <button type="submit" disabled={sending}>
              {sending ? "Saving…" : "Adjust"}
              <span class="visually-hidden"> {row.sku}</span>
            </button>
          </form>
          <div id={messageId} class={`inv-message ${message?.ok ? "ok-text" : "error-text"}`} aria-live="polite">
            {message?.text}
          </div>
        </td>
        <td>
          <button
            type="button"
            class="secondary"
            aria-expanded={historyOpen}
            aria-controls={historyOpen ? historyId : undefined}
            onClick={() => setHistoryOpen((open) => !open)}
          >
            History<span class="visually-hidden"> of {row.sku}</span>
          </button>
        </td>
      </tr>
      {historyOpen ? (
        <tr class="inv-history-row" data-history-for={row.sku}>
          <td colSpan={COLUMNS}>
            <ShardControl sku={row.sku} onLevel={onLevel} />
            <History sku={row.sku} id={historyId} recent={recent} />
          </td>
        </tr>
      ) : null}
    </Fragment>
  );
}

/** Splits a hot SKU across K shard objects (`POST /api/admin/inventory/:sku/shards`); 1 puts it back in one. */
function ShardControl({ sku, onLevel }: { sku: string; onLevel: (level: Level) => void }) {
  const [count, setCount] = useState("1");
  const [sending, setSending] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const id = `inv-${sku}-shards`;

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    if (sending) return;
    setSending(true);
    setMessage(null);
    try {
      const answer = await read(
        route[":sku"].shards.$post({ param: { sku: encodeURIComponent(sku) }, json: { count: Number(count) } }),
      );
      const level = levelOf(answer);
      if (level) onLevel(level);
      const later = answer.unreachable > 0 ? ` ${answer.unreachable} shard(s) will return their stock later.` : "";
      setMessage({
        ok: true,
        text:
          answer.shards === 1
            ? `${sku} is sold from one object.${later}`
            : `${sku} is split across ${answer.shards} shards.${later}`,
      });
    } catch (err) {
      setMessage({ ok: false, text: err instanceof ApiFailure ? err.message : "We could not reach the shop." });
    } finally {
      setSending(false);
    }
  };

  return (
    <form class="inv-shards" noValidate onSubmit={onSubmit} aria-label={`Shards of ${sku}`}>
      <label for={`${id}-count`}>Shard objects for a hot sale (1 = not sharded)</label>{" "}
      <input
        id={`${id}-count`}
        name="count"
        type="number"
        min={1}
        max={16}
        step={1}
        value={count}
        aria-describedby={`${id}-message`}
        onInput={(e) => setCount((e.currentTarget as HTMLInputElement).value)}
      />{" "}
      <button type="submit" class="secondary" disabled={sending}>
        {sending ? "Saving…" : "Set shards"}
      </button>
      <span id={`${id}-message`} class={message?.ok ? "ok-text" : "error-text"} aria-live="polite">
        {" "}
        {message?.text}
      </span>
    </form>
  );
}

/** Staff names by account id, learned from history pages, for the movements that arrive live. */
const staffNames = new Map<string, string>();

/** Who moved stock: staff by name; order operations say so (the order is in its own column). */
function actorLabel(m: Movement): string {
  const actor = m.data.actor;
  if (actor.startsWith("order:")) return "Order";
  if (actor === "system") return "System (expiry)";
  return m.actorName ?? staffNames.get(actor) ?? "Staff member";
}

const byNewest = (a: Movement, b: Movement) => b.occurredAt - a.occurredAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** A SKU's movements, newest first, paged with "Older"; new ones arrive live while it is open. */
function History({ sku, id, recent }: { sku: string; id: string; recent: () => Movement[] }) {
  const list = useLiveList<Movement>({
    load: (after, signal) => {
      const query = { limit: String(HISTORY_SIZE), ...(after ? { cursor: after } : {}) };
      return read(
        route[":sku"].history.$get({ param: { sku: encodeURIComponent(sku) }, query }, { init: { signal } }),
      ).then((page) => {
        for (const m of page.items) if (m.actorName) staffNames.set(m.data.actor, m.actorName);
        return page;
      });
    },
    key: (m) => m.id,
    deps: [sku],
    first: (page) => {
      // D1 receives events in the background: add movements seen live that it does not list yet.
      const oldest = page.nextCursor ? (page.items.at(-1)?.occurredAt ?? 0) : 0;
      const listed = new Set(page.items.map((m) => m.id));
      const live = recent().filter((m) => !listed.has(m.id) && m.occurredAt >= oldest);
      return [...page.items, ...live].sort(byNewest);
    },
    follow: (rows) =>
      subscribeFeed((e: FeedEvent) => {
        if (e.data.sku !== sku) return;
        const movement: Movement = { ...e, data: e.data as unknown as Adjusted, actorName: null };
        rows.update((prev) => (prev.some((m) => m.id === e.id) ? prev : [movement, ...prev].sort(byNewest)));
      }, ADJUSTED),
  });
  const { items, nextCursor: cursor, busy } = list;
  const error = list.error ? `Could not load the history: ${list.error}` : null;

  return (
    <section id={id} class="inv-history" aria-label={`Stock history of ${sku}`}>
      <p class="error-text" role="alert">
        {error}
      </p>
      {items === null ? (
        error ? null : (
          <p class="muted" aria-busy="true">
            Loading history…
          </p>
        )
      ) : items.length === 0 ? (
        <p class="muted">No stock movements yet.</p>
      ) : (
        <table class="data inv-history-table">
          <caption class="visually-hidden">Stock movements of {sku}, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Reason</th>
              <th scope="col" class="num">
                Change
              </th>
              <th scope="col">By</th>
              <th scope="col">Order</th>
              <th scope="col">Available</th>
              <th scope="col">On hand</th>
            </tr>
          </thead>
          <tbody>
            {items.map((m) => (
              <tr key={m.id} data-movement={m.id} data-reason={m.data.reason}>
                <td>
                  <time dateTime={new Date(m.occurredAt).toISOString()}>{formatTime(m.occurredAt)}</time>
                </td>
                <td>{REASON_LABELS[m.data.reason] ?? m.data.reason}</td>
                <td class="num">{signed(m.data.delta)}</td>
                <td>{actorLabel(m)}</td>
                <td>{m.data.orderId ? <code>{m.data.orderId}</code> : <span class="muted">—</span>}</td>
                <td>
                  {m.data.before.available} → {m.data.after.available}
                </td>
                <td>
                  {m.data.before.onHand} → {m.data.after.onHand}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor ? (
        <button type="button" class="secondary" disabled={busy} onClick={list.more}>
          Older<span class="visually-hidden"> movements of {sku}</span>
        </button>
      ) : null}
    </section>
  );
}
