/**
 * Replacing an order's lines. While reserved: repriced from the catalog, growth reserved first (all or
 * nothing: what grew is shrunk back on any refusal), then shrinking released. While confirmed: decreases only,
 * at the prices paid (shipping never goes up), the stock returned and the difference refunded.
 */
import { type CatalogEntry, catalogOf, type Line, mergeLines, priceOrder } from "../../pricing";
import {
  allowed,
  change,
  currentAttempt,
  event,
  eventItem,
  expiredAnswer,
  fail,
  money,
  planned,
  task,
  unchanged,
} from "../plan";
import type { Decision, OrderDoc, OrderState, RuleContext, StockStep } from "../types";
import { expire } from "./cancel";

export type AmendInput = { lines: Line[]; catalog: CatalogEntry[] };

/** How the lines change: quantities before and after, by SKU. */
export function lineDiff(doc: OrderDoc, lines: readonly Line[]) {
  const wanted = mergeLines(lines);
  const before = new Map(doc.items.map((i) => [i.sku, i.qty]));
  const after = new Map(wanted.map((l) => [l.sku, l.qty]));
  const unchanged = before.size === after.size && [...after].every(([sku, qty]) => before.get(sku) === qty);
  const grows = [...after].filter(([sku, qty]) => qty > (before.get(sku) ?? 0));
  return { wanted, before, after, unchanged, grows };
}

function amendedEvent(ctx: RuleContext, before: OrderDoc, after: OrderDoc, sequence: number) {
  return event(ctx, "OrderAmended", `order:${before.id}`, {
    orderId: before.id,
    sequence,
    items: after.items.map(eventItem),
    previousItems: before.items.map(eventItem),
    totalCents: after.totals.totalCents,
    previousTotalCents: before.totals.totalCents,
  });
}

export function amend(state: OrderState, input: AmendInput, ctx: RuleContext): Decision {
  const { doc } = state;
  const d = allowed(doc, "amend", "owner");
  if (!d.ok) return d;
  const diff = lineDiff(doc, input.lines);
  if (diff.unchanged) return unchanged();
  return doc.status === "confirmed" ? amendConfirmed(state, diff, ctx) : amendReserved(state, input, diff, ctx);
}

function amendConfirmed(state: OrderState, diff: ReturnType<typeof lineDiff>, ctx: RuleContext): Decision {
  const { doc } = state;
  const { wanted, before, after, grows } = diff;
  if (grows.length > 0) {
    return fail("invalid_state", "A paid order can only be reduced; place a new order for more", {
      skus: grows.map(([sku]) => sku),
    });
  }
  const priced = priceOrder(wanted, catalogOf(doc.items), ctx.config, { maxShippingCents: doc.totals.shippingCents });
  if (!priced.ok) return fail("validation_failed", "The amendment is not valid", priced.issues);
  const attempt = currentAttempt(doc, state.attempts);
  if (!attempt) throw new Error("a confirmed order has a payment");
  const stock = [...before].flatMap(([sku, qty]): StockStep[] => {
    const wantedQty = after.get(sku) ?? 0;
    if (wantedQty === qty) return [];
    return [wantedQty === 0 ? { op: "release", sku, reason: "return" } : { op: "resize", sku, qty: wantedQty }];
  });
  const refund = doc.totals.totalCents - priced.totals.totalCents;
  const next = { ...doc, items: priced.items, totals: priced.totals, refundedCents: doc.refundedCents + refund };
  return planned(
    change(ctx, next, {
      note: `Amended; ${money(refund, doc.totals.currency)} refunded`,
      orderEvents: (sequence) => [amendedEvent(ctx, doc, next, sequence)],
      tasks: refund > 0 ? [task(ctx, doc, "refund", attempt, refund)] : [],
      stock,
    }),
  );
}

function amendReserved(
  state: OrderState,
  input: AmendInput,
  diff: ReturnType<typeof lineDiff>,
  ctx: RuleContext,
): Decision {
  const { doc } = state;
  const { wanted, before, after, grows } = diff;
  const priced = priceOrder(wanted, new Map(input.catalog.map((e) => [e.sku, e])), ctx.config);
  if (!priced.ok) {
    return fail(
      "validation_failed",
      "Some items are not for sale",
      priced.issues.map((i) => ({ path: `items.${i.sku}`, sku: i.sku, message: i.reason })),
    );
  }
  if (doc.expiresAt === null || ctx.now >= doc.expiresAt) return expire(state, ctx, expiredAnswer());
  const ttlMs = doc.expiresAt - ctx.now;
  const growth = grows.map(([sku, qty]): StockStep => {
    return before.has(sku) ? { op: "resize", sku, qty } : { op: "reserve", sku, qty, ttlMs };
  });
  const shrink = [...before].flatMap(([sku, qty]): StockStep[] => {
    const wantedQty = after.get(sku) ?? 0;
    if (wantedQty >= qty) return [];
    return [wantedQty === 0 ? { op: "release", sku, reason: "release" } : { op: "resize", sku, qty: wantedQty }];
  });
  const next = { ...doc, items: priced.items, totals: priced.totals };
  return {
    ok: "guarded",
    guard: growth,
    granted: planned(
      change(ctx, next, {
        note: "Amended",
        orderEvents: (sequence) => [amendedEvent(ctx, doc, next, sequence)],
        stock: shrink,
      }),
    ),
    // Undo the growth that did happen: shrink back, or drop reservations that are new.
    undo: (answers) =>
      grows.flatMap(([sku], i): StockStep[] => {
        if (answers[i]?.ok !== true) return [];
        const old = before.get(sku);
        return [old ? { op: "resize", sku, qty: old } : { op: "release", sku, reason: "release" }];
      }),
    refused: (answers) =>
      fail(
        "out_of_stock",
        "Some items are not available in the quantity asked for",
        grows.flatMap(([sku, qty], i) => {
          const a = answers[i];
          if (!a || a.ok === true) return [];
          return [{ sku, requested: qty, available: a.ok === false ? a.available : 0 }];
        }),
      ),
  };
}
