/**
 * One list read from the API a page at a time: load the first page, follow the live feed, drop stale
 * answers, page on with "more". The pages differ only in how they load a page and what a live event does
 * to the list, so those are the options; the rest (sequencing, aborting, merging pages without repeats)
 * lives here once.
 *
 * Stale answers: every first-page load (a change of `deps`, a `reload()`) starts a new generation and
 * aborts the request before it; an answer of an older generation is dropped, so a slow answer for the old
 * filters never replaces the list for the new ones.
 */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";

export type Page<T> = { items: T[]; nextCursor: string | null };

/** What a live event may do to the list: read it again, or change the rows it holds. */
export type ListControl<T> = {
  /** Reads the first page again; settles once its answer is shown (or dropped as stale). */
  reload: () => Promise<void>;
  update: (change: (items: T[]) => T[]) => void;
};

export type LiveListOptions<T> = {
  /** Reads one page: `cursor` is null for the first. Pass `signal` to the request so it can be aborted. */
  load: (cursor: string | null, signal: AbortSignal) => Promise<Page<T>>;
  /** A row's identity: a page that repeats rows already listed (the list moved meanwhile) adds only new ones. */
  key: (row: T) => string;
  /** Changing any of these reads the first page again (filters, the SKU shown). */
  deps: readonly unknown[];
  /** Subscribes to the live feed (socket, console feed) and answers the unsubscribe. */
  follow?: (list: ListControl<T>) => () => void;
  /** Turns a first page into the list shown (to add rows seen live that the page does not have yet). */
  first?: (page: Page<T>) => T[];
  /**
   * A change of `deps` shows no list (`items` null) until the new first page answers, rather than the rows of
   * the old filters meanwhile (a list whose readiness a page announces, as the console's order lists do).
   */
  clearOnChange?: boolean;
};

export type LiveList<T> = {
  /** null until the first page answers. */
  items: T[] | null;
  nextCursor: string | null;
  error: string | null;
  busy: boolean;
  more: () => void;
} & ListControl<T>;

export function useLiveList<T>({ load, key, deps, follow, first, clearOnChange }: LiveListOptions<T>): LiveList<T> {
  const [items, setItems] = useState<T[] | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const generation = useRef(0);
  const abort = useRef<AbortController | null>(null);
  // The latest options, read when a request is sent (the callbacks are new on every render).
  const options = useRef({ load, key, first });
  options.current = { load, key, first };

  const read = useCallback(async (cursor: string | null) => {
    if (cursor === null) {
      abort.current?.abort();
      abort.current = new AbortController();
      generation.current++;
    }
    const mine = generation.current;
    abort.current ??= new AbortController();
    const { signal } = abort.current;
    setBusy(true);
    try {
      const page = await options.current.load(cursor, signal);
      if (mine !== generation.current) return;
      const { key: keyOf, first: shape } = options.current;
      setItems((prev) => {
        if (cursor === null || !prev) return shape ? shape(page) : page.items;
        const known = new Set(prev.map(keyOf));
        return [...prev, ...page.items.filter((row) => !known.has(keyOf(row)))];
      });
      setNextCursor(page.nextCursor);
      setError(null);
    } catch (err) {
      if (mine !== generation.current) return;
      setError((err as Error).message);
    } finally {
      if (mine === generation.current) setBusy(false);
    }
  }, []);

  // `deps` are the caller's (its filters); `read` never changes.
  useEffect(() => {
    if (clearOnChange) {
      setItems(null);
      setNextCursor(null);
    }
    void read(null);
  }, deps);

  useEffect(() => () => abort.current?.abort(), []);

  const reload = useCallback(() => read(null), [read]);
  const update = useCallback((change: (items: T[]) => T[]) => setItems((prev) => (prev ? change(prev) : prev)), []);

  // Subscribed again when `deps` change, so `follow` sees the caller's current filters.
  useEffect(() => follow?.({ reload, update }), [reload, update, ...deps]);

  return { items, nextCursor, error, busy, more: () => void read(nextCursor), reload, update };
}
