/**
 * Placing an order: every line reserved on its ProductStock (all or nothing: on any refusal every line is
 * released again), then pending → reserved with the reservation's expiry and OrderPlaced. When the caller
 * already holds the reservations (`reservedUntil`: the checkout route asks the stock first, so a refusal never
 * reaches an order), the order is placed with their expiry and reserves nothing again.
 */
import { decide } from "../../order-machine";
import { change, event, eventItem, fail, planned } from "../plan";
import type { CreateInput, Decision, Failure, OrderDoc, RuleContext, StockAnswer } from "../types";

export function create(existing: OrderDoc | null, input: CreateInput, ctx: RuleContext): Decision {
  if (existing) {
    // Asked again (a retried request): the order as it is.
    return existing.id === input.orderId ? planned(null) : fail("invalid_state", "Order exists");
  }
  const d = decide("pending", "reserve", "system");
  if (!d.ok) throw new Error("the machine must let a pending order be reserved");
  const { now, config } = ctx;
  const orderId = input.orderId;
  const doc: OrderDoc = {
    id: orderId,
    number: input.number,
    customerId: input.customerId,
    email: input.email,
    shippingAddress: input.shippingAddress,
    phone: input.phone,
    status: d.to,
    version: 0,
    items: input.items,
    totals: input.totals,
    accessTokenHash: input.accessTokenHash,
    ip: input.ip,
    country: input.country,
    expiresAt: input.reservedUntil ?? now + config.reservationTtlMs,
    paymentDeadline: null,
    holdUntil: null,
    currentPaymentId: null,
    attempts: 0,
    trackingNumber: null,
    risk: null,
    refundedCents: 0,
    ...(input.stockPlaces ? { stockPlaces: input.stockPlaces } : {}),
    createdAt: now,
    updatedAt: now,
  };
  const placed = planned(
    change(ctx, doc, {
      note: "Order placed; stock reserved",
      orderEvents: (sequence) => [
        event(ctx, "OrderPlaced", `order:${orderId}`, {
          orderId,
          sequence,
          customerId: doc.customerId,
          email: doc.email,
          items: doc.items.map(eventItem),
          totalCents: doc.totals.totalCents,
          currency: doc.totals.currency,
        }),
      ],
    }),
  );
  // Reserving again would only repeat what the caller did under the same order id.
  if (input.reservedUntil !== undefined) return placed;
  return {
    ok: "guarded",
    guard: input.items.map((i) => ({ op: "reserve", sku: i.sku, qty: i.qty, ttlMs: config.reservationTtlMs })),
    granted: placed,
    undo: () => input.items.map((i) => ({ op: "release", sku: i.sku, reason: "release" })),
    refused: (answers) => placeRefused(input, answers),
  };
}

/** Why the order could not be placed: unknown SKUs first (validation), else what is short. */
export function placeRefused(input: CreateInput, answers: readonly StockAnswer[]): Decision {
  const refused = answers.flatMap((a, i) => (a.ok === false ? [{ a, item: input.items[i] }] : []));
  const unknown = refused.filter(({ a }) => a.reason === "unknown_sku");
  if (unknown.length > 0) {
    return fail(
      "validation_failed",
      "Some items are not for sale",
      unknown.map(({ item }) => ({ path: `items.${item?.sku}`, sku: item?.sku, message: "unknown_sku" })),
    );
  }
  return fail(
    "out_of_stock",
    "Some items are not available in the quantity asked for",
    refused.map(({ a, item }) => ({ sku: item?.sku, requested: item?.qty, available: a.available })),
  );
}

/** One line the stock refused at checkout, before any order existed (the route asks the stock first). */
export type CheckoutRefusal = {
  sku: string;
  requested: number;
  available: number;
  reason: "insufficient" | "unknown_sku" | "key_reused" | "key_in_progress";
  /** The stock answered this key's earlier refusal again. */
  replayed?: boolean;
};

/**
 * What a shopper refused at checkout is told, in order of precedence: an unknown SKU is the catalog's to
 * name (validation), then the Idempotency-Key's own answers (used with another body, or still running), else
 * out of stock naming each short line, marked replayed when the stock answered the key's earlier refusal.
 */
export function refusedAtCheckout(
  refused: readonly CheckoutRefusal[],
):
  | { answer: "unknown_sku" | "key_reused" | "key_in_progress" }
  | { answer: "out_of_stock"; failure: Failure; replayed: boolean } {
  for (const answer of ["unknown_sku", "key_reused", "key_in_progress"] as const) {
    if (refused.some((r) => r.reason === answer)) return { answer };
  }
  return {
    answer: "out_of_stock",
    failure: fail(
      "out_of_stock",
      "Some items are not available in the quantity asked for",
      refused.map(({ sku, requested, available }) => ({ sku, requested, available })),
    ),
    replayed: refused.some((r) => r.replayed === true),
  };
}
