/**
 * A live list of orders for the console: pages of GET /api/admin/orders, kept current from the staff feed.
 * When a live event names an order, that order is fetched again (GET /api/admin/orders/:id, the OrderFlow's own
 * view, so never behind the D1 mirror) and its row is updated, inserted (when it matches the filter and belongs
 * among the loaded rows) or dropped (when it no longer matches and `dropMismatches` is set), then highlighted.
 *
 * Summaries carry no line items, so each row's detail is also fetched once in the background (a few at a time)
 * for its item count and, on the Fraud review page, the reasons' points and the payment's state.
 */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { client, read } from "../../lib/api";
import { useFeed } from "../use-feed";
import { ORDER_EVENTS, type OrderDetail, type OrderSummary, orderIdOf, summaryOf } from "./model";

type Options = {
  /** The list's query string (filters and limit, no cursor); a change reloads from the first page. */
  query: string;
  /** Whether an order belongs in this list (the same test the server's filter applies). */
  matches: (o: OrderSummary) => boolean;
  /** Remove a row once its order stops matching (the review queue) rather than show its new state. */
  dropMismatches?: boolean;
};

/** How long a row stays highlighted after a live change. */
const FLASH_MS = 2_500;
/** Background detail fetches at once. */
const DETAIL_CONCURRENCY = 4;

const newestFirst = (a: OrderSummary, b: OrderSummary) =>
  b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

export function useLiveOrders({ query, matches, dropMismatches = false }: Options) {
  const [rows, setRows] = useState<OrderSummary[] | null>(null);
  const [details, setDetails] = useState<Record<string, OrderDetail>>({});
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [flashed, setFlashed] = useState<Record<string, number>>({});

  // The latest values, for callbacks that outlive a render (feed events, fetches in flight).
  const matchesRef = useRef(matches);
  matchesRef.current = matches;
  const cursorRef = useRef(cursor);
  cursorRef.current = cursor;
  const generation = useRef(0);
  const requested = useRef(new Set<string>());
  const inFlight = useRef(new Map<string, { again: boolean; highlight: boolean }>());
  const queue = useRef<string[]>([]);
  const active = useRef(0);
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );

  const flash = useCallback((id: string) => {
    const token = Date.now() + Math.random();
    setFlashed((f) => ({ ...f, [id]: token }));
    setTimeout(() => {
      if (!mounted.current) return;
      setFlashed((f) => {
        if (f[id] !== token) return f;
        const { [id]: _, ...rest } = f;
        return rest;
      });
    }, FLASH_MS);
  }, []);

  const rowsRef = useRef(rows);
  const commitRows = useCallback((next: OrderSummary[] | null) => {
    rowsRef.current = next;
    setRows(next);
  }, []);
  /** Views that arrived while the first page was loading, taken in once it lands. */
  const early = useRef<OrderDetail[]>([]);

  /** Takes an order's current view into the list: updates, inserts or drops its row. */
  const apply = useCallback(
    (detail: OrderDetail, highlight: boolean) => {
      setDetails((d) => {
        const known = d[detail.id];
        return known && known.version > detail.version ? d : { ...d, [detail.id]: detail };
      });
      const prev = rowsRef.current;
      if (prev === null) {
        early.current.push(detail);
        return;
      }
      const summary = summaryOf(detail);
      const fits = matchesRef.current(summary);
      const current = prev.find((r) => r.id === summary.id);
      if (current) {
        if (current.version > summary.version) return;
        if (!fits && dropMismatches) {
          commitRows(prev.filter((r) => r.id !== summary.id));
          return;
        }
        commitRows(prev.map((r) => (r.id === summary.id ? summary : r)));
        if (highlight && (current.version !== summary.version || current.status !== summary.status)) flash(summary.id);
        return;
      }
      if (!fits) return;
      // Older than the loaded rows while more pages wait: it arrives with its page, in its place.
      const last = prev.at(-1);
      if (cursorRef.current !== null && last && newestFirst(summary, last) > 0) return;
      commitRows([...prev, summary].sort(newestFirst));
      if (highlight) flash(summary.id);
    },
    [dropMismatches, flash, commitRows],
  );

  /** Fetches one order's view, at most one request per order at once, again if asked meanwhile. */
  const refresh = useCallback(
    async (id: string, highlight: boolean) => {
      const running = inFlight.current.get(id);
      if (running) {
        running.again = true;
        running.highlight ||= highlight;
        return;
      }
      const state = { again: false, highlight };
      inFlight.current.set(id, state);
      const gen = generation.current;
      try {
        do {
          state.again = false;
          const detail = await read(client.api.admin.orders[":id"].$get({ param: { id: encodeURIComponent(id) } }));
          if (!mounted.current || gen !== generation.current) return;
          apply(detail, state.highlight);
        } while (state.again);
      } catch {
        // A row whose detail cannot be read keeps its summary; the next event or a reload tries again.
      } finally {
        inFlight.current.delete(id);
      }
    },
    [apply],
  );

  const pump = useCallback(() => {
    while (active.current < DETAIL_CONCURRENCY && queue.current.length > 0) {
      const id = queue.current.shift() as string;
      active.current++;
      void refresh(id, false).finally(() => {
        active.current--;
        pump();
      });
    }
  }, [refresh]);

  const load = useCallback(
    async (after: string | null) => {
      const gen = after ? generation.current : ++generation.current;
      if (!after) {
        queue.current = [];
        requested.current.clear();
      }
      setLoading(true);
      try {
        const params = new URLSearchParams(query);
        if (after) params.set("cursor", after);
        const page = await read(client.api.admin.orders.$get({ query: Object.fromEntries(params) }));
        if (!mounted.current || gen !== generation.current) return;
        const prev = rowsRef.current;
        const seen = new Set(after && prev ? prev.map((r) => r.id) : []);
        cursorRef.current = page.nextCursor;
        setCursor(page.nextCursor);
        commitRows(after && prev ? [...prev, ...page.orders.filter((o) => !seen.has(o.id))] : page.orders);
        for (const detail of early.current.splice(0)) apply(detail, true);
        setError(null);
      } catch (err) {
        if (gen === generation.current) setError((err as Error).message);
      } finally {
        if (gen === generation.current) setLoading(false);
      }
    },
    [query, commitRows, apply],
  );

  useEffect(() => {
    commitRows(null);
    setCursor(null);
    void load(null);
  }, [load, commitRows]);

  // The detail of every listed order the list did not count items for (older servers), once.
  useEffect(() => {
    if (!rows) return;
    for (const r of rows) {
      if (requested.current.has(r.id) || r.itemCount !== undefined) continue;
      requested.current.add(r.id);
      queue.current.push(r.id);
    }
    pump();
  }, [rows, pump]);

  useFeed(ORDER_EVENTS, (event) => {
    const id = orderIdOf(event.data);
    if (!id) return;
    requested.current.add(id);
    void refresh(id, true);
  });

  return {
    rows,
    details,
    cursor,
    error,
    loading,
    flashed,
    /** The next page. */
    more: () => (cursor ? load(cursor) : Promise.resolve()),
    /** An order view from an action's answer, or a fresh fetch. */
    apply,
    refresh,
  };
}
