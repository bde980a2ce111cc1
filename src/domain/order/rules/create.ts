/**
 * Placing an order: every line reserved on its ProductStock (all or nothing: on any refusal every line is
 * released again), then pending → reserved with the reservation's expiry and OrderPlaced.
 */
import { decide } from "../../order-machine";
import { change, event, eventItem, fail, planned } from "../plan";
import type { CreateInput, Decision, OrderDoc, RuleContext, StockAnswer } from "../types";

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
    expiresAt: now + config.reservationTtlMs,
    paymentDeadline: null,
    holdUntil: null,
    currentPaymentId: null,
    attempts: 0,
    trackingNumber: null,
    risk: null,
    refundedCents: 0,
    createdAt: now,
    updatedAt: now,
  };
  return {
    ok: "guarded",
    guard: input.items.map((i) => ({ op: "reserve", sku: i.sku, qty: i.qty, ttlMs: config.reservationTtlMs })),
    granted: planned(
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
    ),
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
