/**
 * Availability on the product page, kept live: renders the catalog snapshot it was given ("N left", "In stock"
 * or "Sold out"), then holds a WebSocket on the SKU's ProductStock object (GET /api/products/:sku/live) and
 * shows every `{type:"stock"}` message. Reconnects with capped, jittered backoff. `data-live="1"` marks the
 * root while the socket is open (browser tests wait on it).
 */
import { useEffect, useState } from "preact/hooks";
import type { StockMessage } from "../../../src/domain/stock";

/** Above this many units the exact number stops mattering to a shopper. */
export const PLENTY = 20;
/** At or below this many units the label turns to the warning colour. */
export const FEW = 5;
const MAX_BACKOFF_MS = 30_000;
/** Keeps idle connections open through proxies; the object answers without waking (auto-response). */
const PING_EVERY_MS = 30_000;

export function stockLabel(available: number): string {
  if (available <= 0) return "Sold out";
  if (available > PLENTY) return "In stock";
  return `${available} left`;
}

function isStockMessage(value: unknown, sku: string): value is StockMessage {
  if (typeof value !== "object" || value === null) return false;
  const m = value as Partial<StockMessage>;
  return m.type === "stock" && m.sku === sku && typeof m.available === "number";
}

export function LiveStock({ sku, available: initial }: { sku: string; available: number }) {
  const [available, setAvailable] = useState(initial);
  const [live, setLive] = useState(false);

  useEffect(() => {
    let socket: WebSocket | null = null;
    let stopped = false;
    let attempt = 0;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let ping: ReturnType<typeof setInterval> | undefined;

    const connect = () => {
      const scheme = location.protocol === "https:" ? "wss:" : "ws:";
      const ws = new WebSocket(`${scheme}//${location.host}/api/products/${encodeURIComponent(sku)}/live`);
      socket = ws;
      ws.addEventListener("open", () => {
        attempt = 0;
        setLive(true);
        ping = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send("ping"), PING_EVERY_MS);
      });
      ws.addEventListener("message", (event) => {
        if (typeof event.data !== "string" || event.data === "pong") return;
        try {
          const message: unknown = JSON.parse(event.data);
          if (isStockMessage(message, sku)) setAvailable(Math.max(0, message.available));
        } catch {
          // Not ours to understand; the next update will come.
        }
      });
      ws.addEventListener("close", () => {
        clearInterval(ping);
        setLive(false);
        if (stopped) return;
        const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** attempt) * (0.5 + Math.random() / 2);
        attempt += 1;
        retry = setTimeout(connect, delay);
      });
    };

    connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      clearInterval(ping);
      socket?.close(1000, "leaving");
    };
  }, [sku]);

  const state = available <= 0 ? "stock sold-out" : available <= FEW ? "stock low" : "stock";
  return (
    <p class={state} data-sku={sku} data-available={available} data-live={live ? "1" : undefined} aria-live="polite">
      {stockLabel(available)}
    </p>
  );
}
