/** The shapes the shopper's order pages read from /api/orders (docs/orders.md), taken from the server's types. */

import type { OrderView } from "../../../src/domain/order/types";
import type { OrderMessage, OrderStatus, TimelineEntry } from "../../../src/domain/order-machine";
import type { Totals } from "../../../src/domain/pricing";
import type { InvoiceWithRefunds } from "../../../src/services/credit-notes";

export type { OrderMessage, OrderStatus, TimelineEntry, Totals };
export type Order = OrderView;
export type Invoice = InvoiceWithRefunds;
/** POST /api/orders answers the order plus the guest's access token (shown once, kept in this browser). */
export type PlacedOrder = Order & { accessToken: string };
export type { User } from "../lib/api";

/** "payment_pending" → "Payment pending". */
export function statusLabel(status: string): string {
  const words = status.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A short, readable handle for an opaque order id (links carry the full id). */
export function shortId(id: string): string {
  return id.slice(-8).toUpperCase();
}

/** What people read out: `#1001`, or the short id of an order made before numbers existed. */
export function orderLabel(o: { id: string; number?: number | null }): string {
  return typeof o.number === "number" ? `#${o.number}` : shortId(o.id);
}

export function isOrderMessage(value: unknown): value is OrderMessage {
  if (typeof value !== "object" || value === null) return false;
  const m = value as Partial<OrderMessage>;
  return (
    m.type === "order" &&
    typeof m.status === "string" &&
    typeof m.version === "number" &&
    typeof m.entry === "object" &&
    m.entry !== null &&
    typeof m.entry.version === "number"
  );
}
