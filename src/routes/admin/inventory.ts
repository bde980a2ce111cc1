/**
 * /api/admin/inventory (staff and admins; the guard sits on the admin router):
 * GET / lists every product's stock from the catalog's D1 snapshot (fine for a list; the object is the truth);
 * POST /:sku/adjustments changes stock on hand through the SKU's ProductStock object;
 * GET /:sku/history pages through that SKU's InventoryAdjusted events, newest first, each with `actorName`: the
 * name of the staff member who made it (null for orders and expiries);
 * POST /:sku/shards splits a hot SKU's stock across K ProductStock shards (1: back to one object; docs/sharding.md).
 */
import { Hono } from "hono";
import * as v from "valibot";
import { accountNames } from "../../db/accounts";
import { getDb } from "../../db/client";
import { listInventory, listStockHistory } from "../../db/inventory";
import { productExists } from "../../db/products";
import { isSku } from "../../domain/catalog";
import type { EventData } from "../../domain/events";
import { ADJUST_REASONS, MAX_ADJUSTMENT } from "../../domain/stock";
import { MAX_SHARDS } from "../../domain/stock-shards";
import type { AppEnv } from "../../http/app-env";
import { doc } from "../../http/contract";
import { ApiError } from "../../http/errors";
import { CursorParam } from "../../http/paging";
import { validate } from "../../http/validate";
import { stockStub } from "../../services/stock/stock";
import { EventPage, InventoryPage, ShardedStockLevel, StockLevel } from "../shapes";

export const AdjustmentSchema = v.strictObject({
  delta: v.pipe(
    v.number(),
    v.integer("delta is a whole number"),
    v.check((n) => n !== 0, "delta is not zero"),
    v.minValue(-MAX_ADJUSTMENT, `delta is at least -${MAX_ADJUSTMENT}`),
    v.maxValue(MAX_ADJUSTMENT, `delta is at most ${MAX_ADJUSTMENT}`),
  ),
  reason: v.picklist(ADJUST_REASONS),
});
export type Adjustment = v.InferOutput<typeof AdjustmentSchema>;

const Limit = (max: number, fallback: number) =>
  v.optional(
    v.pipe(
      v.string(),
      v.regex(/^[0-9]{1,4}$/, "limit is a whole number"),
      v.transform(Number),
      v.minValue(1, "limit is at least 1"),
      v.maxValue(max, `limit is at most ${max}`),
    ),
    String(fallback),
  );

export const ShardsSchema = v.strictObject({
  count: v.pipe(
    v.number(),
    v.integer("count is a whole number"),
    v.minValue(1, "count is at least 1 (one object: not sharded)"),
    v.maxValue(MAX_SHARDS, `count is at most ${MAX_SHARDS}`),
  ),
});

export const InventoryQuerySchema = v.strictObject({
  low: v.optional(v.picklist(["1", "0", "true", "false"])),
  q: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(100))),
  /** The last SKU of the previous page. */
  cursor: v.optional(v.pipe(v.string(), v.check(isSku, "Not a cursor this API handed out"))),
  limit: Limit(500, 200),
});

export const HistoryQuerySchema = v.strictObject({
  cursor: v.optional(CursorParam),
  limit: Limit(100, 20),
});

const notFound = (sku: string) => new ApiError("not_found", `No product with SKU ${sku}`);

/** Each route's contract for the OpenAPI document (docs/api.md), keyed by method and path. */
const spec = {
  "GET /": doc({
    tag: "admin",
    who: "staff",
    summary: "Every SKU's on-hand, reserved, available",
    body: InventoryPage,
  }),
  "POST /:sku/adjustments": doc({
    tag: "admin",
    who: "staff",
    summary: "Restock, damage, correction or return",
    body: StockLevel,
    errors: { 404: "No such product", 409: "below_reserved" },
  }),
  "POST /:sku/shards": doc({
    tag: "admin",
    who: "staff",
    summary: "Split a hot SKU's stock across K shard objects (1 un-shards and returns their unsold stock)",
    body: ShardedStockLevel,
    errors: { 404: "No such product" },
  }),
  "GET /:sku/history": doc({
    tag: "admin",
    who: "staff",
    summary: "The SKU's adjustment history from the event log",
    body: EventPage,
    errors: { 404: "No such product" },
  }),
};

export const adminInventory = new Hono<AppEnv>()
  .get("/", spec["GET /"], validate("query", InventoryQuerySchema), async (c) => {
    const query = c.req.valid("query");
    const page = await listInventory(getDb(c.env.DB), { ...query, low: query.low === "1" || query.low === "true" });
    return c.json({
      items: page.items.map((p) => ({ ...p, lowStock: p.available <= p.lowStockThreshold })),
      nextCursor: page.nextCursor,
    });
  })
  .post("/:sku/adjustments", spec["POST /:sku/adjustments"], validate("json", AdjustmentSchema), async (c) => {
    const sku = c.req.param("sku");
    if (!isSku(sku)) throw notFound(sku);
    const { delta, reason } = c.req.valid("json");
    const actor = c.get("user")?.id ?? "unknown";
    const result = await stockStub(c.env, sku).adjust(sku, delta, reason, actor);
    if (!result.ok) {
      if (result.reason === "unknown_sku") throw notFound(sku);
      const { onHand, reserved, available } = result.level;
      throw new ApiError(
        "below_reserved",
        `On-hand stock cannot go below what is reserved or below zero: at most ${result.removable} can be removed now`,
        { sku, onHand, reserved, available, removable: result.removable },
      );
    }
    const { onHand, reserved, available } = result.level;
    return c.json({ sku, onHand, reserved, available });
  })
  .post("/:sku/shards", spec["POST /:sku/shards"], validate("json", ShardsSchema), async (c) => {
    const sku = c.req.param("sku");
    if (!isSku(sku)) throw notFound(sku);
    const result = await stockStub(c.env, sku).setShards(sku, c.req.valid("json").count);
    if (!result.ok) throw notFound(sku);
    const { onHand, reserved, available } = result.level;
    return c.json({ sku, onHand, reserved, available, shards: result.shards, unreachable: result.unreachable });
  })
  .get("/:sku/history", spec["GET /:sku/history"], validate("query", HistoryQuerySchema), async (c) => {
    const sku = c.req.param("sku");
    const db = getDb(c.env.DB);
    if (!isSku(sku) || !(await productExists(db, sku))) throw notFound(sku);
    const { cursor, limit } = c.req.valid("query");
    const page = await listStockHistory(db, { sku, cursor, limit });
    const names = await staffNames(db, page.items);
    return c.json({
      // Only InventoryAdjusted rows are selected: their data is that event's (checked when it was published).
      // Staff are named, not shown by their account id; order and expiry movements have no person behind them.
      items: page.items.map((row) => {
        const data = row.data as EventData<"InventoryAdjusted">;
        return { ...row, data, actorName: names.get(data.actor) ?? null };
      }),
      nextCursor: page.nextCursor,
    });
  });

/** The names of the accounts that made the movements on a history page, by account id (one query). */
async function staffNames(db: ReturnType<typeof getDb>, page: { data: unknown }[]): Promise<Map<string, string>> {
  const ids = [
    ...new Set(
      page
        .map((e) => (e.data as { actor?: unknown }).actor)
        .filter((a): a is string => typeof a === "string" && a.startsWith("cus_")),
    ),
  ];
  return accountNames(db, ids);
}
