/** The shapes the shopper's order pages read from /api/orders (docs/orders.md): the routes' own answers. */
import type { OrderMessage, OrderStatus, TimelineEntry } from "../../../src/domain/order-machine";
import type { Totals } from "../../../src/domain/pricing";
import type { AnswerOf, client } from "../lib/api";

type Orders = typeof client.api.orders;

export type { OrderMessage, OrderStatus, TimelineEntry, Totals };
/** GET /api/orders/:id. */
export type Order = AnswerOf<Orders[":id"]["$get"]>;
/** GET /api/orders/:id/invoice. */
export type Invoice = AnswerOf<Orders[":id"]["invoice"]["$get"]>;
/** POST /api/orders answers the order plus the guest's access token (shown once, kept in this browser). */
export type PlacedOrder = AnswerOf<Orders["$post"]>;
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
