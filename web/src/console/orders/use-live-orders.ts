/**
 * A live list of orders for the console: pages of GET /api/admin/orders through `useLiveList` (paging, stale
 * answers, the feed subscription), kept current from the staff feed. When a live event names an order, that
 * order is fetched again (GET /api/admin/orders/:id, the OrderFlow's own view, so never behind the D1 mirror) and
 * its row is updated, inserted (when it matches the filter and belongs among the loaded rows) or dropped (when it
 * no longer matches and `dropMismatches` is set), then highlighted.
 *
 * Summaries carry no line items, so each row's detail is also fetched once in the background (a few at a time)
 * for its item count and, on the Fraud review page, the reasons' points and the payment's state.
 */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { client, read } from "../../lib/api";
import { type ListControl, useLiveList } from "../../lib/use-live-list";
import { subscribeFeed } from "../feed";
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

/** What a view does to the rows: the rows after it, and whether the changed row is to be highlighted. */
function placed(
  rows: OrderSummary[],
  summary: OrderSummary,
  fits: boolean,
  o: { dropMismatches: boolean; morePages: boolean },
): { rows: OrderSummary[]; changed: boolean } {
  const current = rows.find((r) => r.id === summary.id);
  if (current) {
    if (current.version > summary.version) return { rows, changed: false };
    if (!fits && o.dropMismatches) return { rows: rows.filter((r) => r.id !== summary.id), changed: false };
    return {
      rows: rows.map((r) => (r.id === summary.id ? summary : r)),
      changed: current.version !== summary.version || current.status !== summary.status,
    };
  }
  if (!fits) return { rows, changed: false };
  // Older than the loaded rows while more pages wait: it arrives with its page, in its place.
  const last = rows.at(-1);
  if (o.morePages && last && newestFirst(summary, last) > 0) return { rows, changed: false };
  return { rows: [...rows, summary].sort(newestFirst), changed: true };
}

export function useLiveOrders({ query, matches, dropMismatches = false }: Options) {
  const [details, setDetails] = useState<Record<string, OrderDetail>>({});
  const [flashed, setFlashed] = useState<Record<string, number>>({});

  // The latest values, for callbacks that outlive a render (feed events, fetches in flight).
  const matchesRef = useRef(matches);
  matchesRef.current = matches;
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
  /** Set while a first page is on its way: views arriving meanwhile wait in `early` and join that page, highlighted. */
  const firstPending = useRef(true);
  const early = useRef<OrderDetail[]>([]);
  const control = useRef<ListControl<OrderSummary> | null>(null);
  const cursorRef = useRef<string | null>(null);

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

  const list = useLiveList<OrderSummary>({
    load: async (after, signal) => {
      if (!after) {
        generation.current++;
        firstPending.current = true;
        queue.current = [];
        requested.current.clear();
      }
      const params = new URLSearchParams(query);
      if (after) params.set("cursor", after);
      const page = await read(
        client.api.admin.orders.$get({ query: Object.fromEntries(params) }, { init: { signal } }),
      );
      return { items: page.orders, nextCursor: page.nextCursor };
    },
    key: (o) => o.id,
    deps: [query],
    clearOnChange: true,
    first: (page) => {
      firstPending.current = false;
      cursorRef.current = page.nextCursor;
      let rows = page.items;
      const highlights: string[] = [];
      for (const detail of early.current.splice(0)) {
        const next = placed(rows, summaryOf(detail), matchesRef.current(summaryOf(detail)), {
          dropMismatches,
          morePages: page.nextCursor !== null,
        });
        rows = next.rows;
        if (next.changed) highlights.push(detail.id);
      }
      for (const id of highlights) flash(id);
      return rows;
    },
    follow: (rows) => {
      control.current = rows;
      return subscribeFeed((event) => {
        const id = orderIdOf(event.data);
        if (!id) return;
        requested.current.add(id);
        void refresh(id, true);
      }, ORDER_EVENTS);
    },
  });
  cursorRef.current = list.nextCursor;

  /** Takes an order's current view into the list: updates, inserts or drops its row. */
  const apply = useCallback(
    (detail: OrderDetail, highlight: boolean) => {
      setDetails((d) => {
        const known = d[detail.id];
        return known && known.version > detail.version ? d : { ...d, [detail.id]: detail };
      });
      if (firstPending.current || !control.current) {
        early.current.push(detail);
        return;
      }
      const summary = summaryOf(detail);
      const fits = matchesRef.current(summary);
      control.current.update((rows) => {
        const next = placed(rows, summary, fits, { dropMismatches, morePages: cursorRef.current !== null });
        // Preact runs the change when it is asked for, once; the highlight follows the rows it decided.
        if (highlight && next.changed) queueMicrotask(() => flash(summary.id));
        return next.rows;
      });
    },
    [dropMismatches, flash],
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

  const rows = list.items;
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

  return {
    rows,
    details,
    cursor: list.nextCursor,
    error: list.error,
    loading: list.busy,
    flashed,
    /** The next page. */
    more: list.more,
    /** An order view from an action's answer, or a fresh fetch. */
    apply,
    refresh,
  };
}
