/**
 * Live stock of one product, straight from its ProductStock object (never cached):
 * GET /api/products/:sku/stock → `{sku, onHand, reserved, available}`;
 * GET /api/products/:sku/live → WebSocket of `{type:"stock", sku, available}` (held by the object, hibernating).
 * Mounted next to the catalog router on the same /api/products prefix.
 */
import { Hono } from "hono";
import { isSku } from "../domain/catalog";
import { isUpgrade } from "../durable/kit/websocket";
import type { AppEnv } from "../http/app-env";
import { doc } from "../http/contract";
import { ApiError } from "../http/errors";
import { relayUpgrade } from "../http/websocket";
import { stockStub } from "../services/stock/stock";
import { StockLevel } from "./shapes";

const notFound = (sku: string) => new ApiError("not_found", `No product with SKU ${sku}`);

/** Each route's contract for the OpenAPI document (docs/api.md), keyed by method and path. */
const spec = {
  "GET /:sku/stock": doc({
    tag: "stock",
    who: "anyone",
    summary: "Live stock level, never cached",
    body: StockLevel,
    errors: { 404: "No such product" },
  }),
  "GET /:sku/live": doc({
    tag: "stock",
    who: "anyone",
    summary: "WebSocket: {type:'stock', sku, available} on every change",
    websocket: true,
    errors: { 400: "Not a WebSocket upgrade", 404: "No such product" },
  }),
};

export const stock = new Hono<AppEnv>()
  .get("/:sku/stock", spec["GET /:sku/stock"], async (c) => {
    const sku = c.req.param("sku");
    if (!isSku(sku)) throw notFound(sku);
    const result = await stockStub(c.env, sku).lookup(sku);
    if (!result.ok) throw notFound(sku);
    c.header("Cache-Control", "no-store");
    const { onHand, reserved, available } = result.level;
    return c.json({ sku, onHand, reserved, available });
  })
  .get("/:sku/live", spec["GET /:sku/live"], async (c) => {
    const sku = c.req.param("sku");
    if (!isSku(sku)) throw notFound(sku);
    if (!isUpgrade(c.req.raw)) {
      throw new ApiError("validation_failed", "Connect with a WebSocket upgrade");
    }
    const stub = stockStub(c.env, sku);
    // Asking first keeps an unknown SKU a 404 in our error envelope rather than a bare failed handshake.
    if (!(await stub.lookup(sku)).ok) throw notFound(sku);
    return relayUpgrade(await stub.fetch(c.req.raw));
  });
