/**
 * One order, kept current: loaded from GET /api/orders/:id, then moved along by the order's live feed
 * (`/api/orders/:id/live`). Every message carries the order's version; a version this page already has is
 * ignored, and each (re)connection asks for what came after the newest version seen (`?since=`), so a dropped
 * socket misses nothing. Messages carry the status and the timeline entry only; the rest (expiry, tracking
 * number, payment outcome, amended lines) is read again from the API after each message.
 */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiFailure, bearer, client, read } from "../lib/api";
import { type LiveState, openLive } from "../lib/live";
import { tokenFromPage } from "./tokens";
import { isOrderMessage, type Order, type OrderMessage } from "./types";

export type OrderLoad =
  | { state: "loading" }
  | { state: "missing" }
  | { state: "error"; message: string }
  | { state: "ok"; order: Order };

/** Messages often come in bursts (payment_pending, then confirmed): one refresh after the burst is enough. */
const REFRESH_AFTER_MS = 150;

/** Adds a live message to the order as it is known; null when the message is not newer. */
export function applyMessage(order: Order, m: OrderMessage): Order | null {
  if (m.version <= order.version) return null;
  const timeline = [...order.timeline.filter((e) => e.version !== m.entry.version), m.entry].sort(
    (a, b) => a.version - b.version,
  );
  return { ...order, status: m.status, version: m.version, timeline };
}

export function useOrder(orderId: string) {
  const [token, setToken] = useState<string | null | undefined>(undefined);
  const [load, setLoad] = useState<OrderLoad>({ state: "loading" });
  const [live, setLive] = useState<LiveState>("connecting");
  const version = useRef(-1);
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  /** Takes a fuller picture of the order (an API answer) unless the page already knows a newer version. */
  const accept = useCallback((next: Order) => {
    if (next.version < version.current) return;
    version.current = next.version;
    setLoad({ state: "ok", order: next });
  }, []);

  const fetchOrder = useCallback(
    async (tok: string | null) => {
      try {
        accept(await read(client.api.orders[":id"].$get({ param: { id: encodeURIComponent(orderId) } }, bearer(tok))));
      } catch (err) {
        if (version.current >= 0) return; // a failed refresh keeps what the page shows
        if (err instanceof ApiFailure && err.status === 404) setLoad({ state: "missing" });
        else setLoad({ state: "error", message: (err as Error).message });
      }
    },
    [orderId, accept],
  );

  useEffect(() => {
    const tok = tokenFromPage(orderId);
    setToken(tok);
    void fetchOrder(tok);
  }, [orderId, fetchOrder]);

  const refresh = useCallback(() => {
    clearTimeout(refreshTimer.current);
    refreshTimer.current = setTimeout(() => void fetchOrder(token ?? null), REFRESH_AFTER_MS);
  }, [fetchOrder, token]);

  const loaded = load.state === "ok";
  useEffect(() => {
    if (!loaded || token === undefined) return;
    const path = () => {
      const query = new URLSearchParams();
      if (token) query.set("token", token);
      query.set("since", String(Math.max(0, version.current)));
      return `/api/orders/${encodeURIComponent(orderId)}/live?${query}`;
    };
    const stop = openLive(
      path,
      (data) => {
        if (!isOrderMessage(data) || data.version <= version.current) return;
        version.current = data.version;
        setLoad((prev) => {
          if (prev.state !== "ok") return prev;
          const next = applyMessage(prev.order, data);
          return next ? { state: "ok", order: next } : prev;
        });
        refresh();
      },
      setLive,
    );
    return () => {
      stop();
      clearTimeout(refreshTimer.current);
    };
  }, [loaded, token, orderId, refresh]);

  return { token: token ?? null, tokenKnown: token !== undefined, load, live, accept, refresh };
}
