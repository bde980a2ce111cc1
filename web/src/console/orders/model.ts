/**
 * What the console's Orders and Fraud review pages share: the shapes of GET /api/admin/orders (summaries) and
 * GET /api/admin/orders/:id (the staff view), how a status and a fraud reason read, which staff actions a
 * state allows (asked of the order state machine itself, so the buttons never offer a move the server refuses)
 * and which live events concern an order.
 */

import { decide, ORDER_STATUSES, type OrderStatus } from "../../../../src/domain/order-machine";
import type { AnswerOf, client } from "../../lib/api";
import { CONSOLE_BASE } from "../router";

type AdminOrders = typeof client.api.admin.orders;

export { ORDER_STATUSES, type OrderStatus };
/** GET /api/admin/orders/:id: the staff view. */
export type OrderDetail = AnswerOf<AdminOrders[":id"]["$get"]>;
export type Payment = OrderDetail["payments"][number];

export type OrderPage = AnswerOf<AdminOrders["$get"]>;
/** One row of GET /api/admin/orders, with `itemCount` (units) from the list or, failing that, the detail. */
export type OrderSummary = OrderPage["orders"][number];

export const ORDERS_BASE = `${CONSOLE_BASE}/orders`;
export const FRAUD_BASE = `${CONSOLE_BASE}/fraud`;
export const orderHref = (id: string) => `${ORDERS_BASE}/${encodeURIComponent(id)}`;

/** Live events that can change an order's row: each carries `data.orderId`. */
export const ORDER_EVENTS = [
  "OrderPlaced",
  "PaymentInitiated",
  "OrderConfirmed",
  "OrderAmended",
  "OrderCancelled",
  "OrderShipped",
  "OrderDelivered",
  "OrderPaymentFailed",
  "OrderHeld",
  "OrderRefunded",
  "PaymentProcessed",
  "FraudCheckCompleted",
  "FraudDetected",
] as const;

export function orderIdOf(data: Record<string, unknown>): string | null {
  return typeof data.orderId === "string" && data.orderId ? data.orderId : null;
}

export const STATUS_LABELS: Record<OrderStatus, string> = {
  pending: "Pending",
  reserved: "Reserved",
  payment_pending: "Payment pending",
  payment_failed: "Payment failed",
  on_hold: "On hold",
  confirmed: "Confirmed",
  shipped: "Shipped",
  delivered: "Delivered",
  cancelled: "Cancelled",
};

/** The badge colour of a status: done or moving forward, needs a look, or stopped. */
export const STATUS_TONE: Record<OrderStatus, "" | "ok" | "warn" | "bad" | "info"> = {
  pending: "",
  reserved: "",
  payment_pending: "info",
  payment_failed: "bad",
  on_hold: "warn",
  confirmed: "ok",
  shipped: "info",
  delivered: "ok",
  cancelled: "bad",
};

/** The named reasons of src/domain/fraud.ts as staff read them. */
export const REASON_LABELS: Record<string, string> = {
  email_velocity: "Many orders from this email",
  ip_velocity: "Many orders from this IP address",
  amount_vs_history: "Unusual amount for this shopper",
  new_account_high_value: "New account, high value",
  country_mismatch: "Country mismatch",
  repeated_declines: "Repeated declined payments",
  token_risk: "Risky payment method",
};

export const reasonLabel = (code: string) => REASON_LABELS[code] ?? code.replace(/_/g, " ");

/** A server message as a sentence ending in a full stop. */
export const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

export const shortId = (id: string) => id.slice(-8);

/** How the console names an order: `#1001`, the same as the shopper's page; the id's tail for older orders. */
export const orderLabel = (o: { id: string; number?: number | null }) =>
  typeof o.number === "number" ? `#${o.number}` : shortId(o.id);

export const unitsOf = (items: OrderDetail["items"]) => items.reduce((n, i) => n + i.qty, 0);

/** The list row an order's detail stands for. */
export function summaryOf(o: OrderDetail): OrderSummary {
  return {
    id: o.id,
    number: o.number,
    name: o.shippingAddress.name,
    status: o.status,
    version: o.version,
    email: o.email,
    customerId: o.customerId,
    totals: o.totals,
    riskScore: o.risk?.score ?? null,
    riskReasons: o.risk ? o.risk.reasons.map((r) => r.code) : null,
    trackingNumber: o.trackingNumber,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    itemCount: unitsOf(o.items),
  };
}

/** Staff actions offered on the detail page, each only where the state machine allows it for staff. */
export type StaffAction = "ship" | "deliver" | "approve" | "reject" | "cancel" | "refund";

export function allows(status: OrderStatus, action: StaffAction): boolean {
  const d = decide(status, action, "staff");
  return d.ok && !d.noop;
}

/** What a refund could still return: the current payment's amount less what was refunded already. */
export function refundableCents(o: OrderDetail): number {
  const p = o.payment;
  if (!p || (p.status !== "authorized" && p.status !== "captured")) return 0;
  return Math.max(0, p.amountCents - o.refundedCents);
}

/** "3 min", "2 h 5 min", "4 d 3 h": how long ago `ms` was. */
export function ageOf(ms: number, now: number): string {
  const minutes = Math.max(0, Math.floor((now - ms) / 60_000));
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}
