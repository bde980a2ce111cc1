/**
 * /api/orders: checkout and the shopper's side of an order (DESIGN.md, "HTTP contract"). The OrderFlow Durable
 * Object of each order does the work; this router validates, prices from the catalog, checks access and maps
 * the object's result unions to the error envelope.
 *
 * Access: the owner is the signed-in customer who placed (or claimed) the order, or whoever holds its access
 * token (`Authorization: Bearer …`; `?token=` on the WebSocket only). Staff and admins may read any order.
 * Anyone else gets 404 not_found, the same answer as for a missing order, after the same work (one indexed
 * lookup and one hash) either way.
 */
import { type Context, Hono, type TypedResponse } from "hono";
import type { JSONParsed } from "hono/utils/types";
import * as v from "valibot";
import { config, requirePayments } from "../config";
import { getDb } from "../db/client";
import { orderNumberOf, takeOrderNumber } from "../db/order-numbers";
import { orderAccess } from "../db/orders";
import { catalogEntries, catalogEntriesOf } from "../db/products";
import type { CommandResult, Failure, Viewer } from "../domain/order/types";
import { resolvePaymentMethod } from "../domain/payment-tokens";
import { type CatalogEntry, type Line, MAX_QTY, mergeLines, priceOrder } from "../domain/pricing";
import { isUpgrade } from "../durable/kit/websocket";
import type { AppEnv } from "../http/app-env";
import { clientCountry, clientIp } from "../http/client";
import { doc } from "../http/contract";
import { ApiError } from "../http/errors";
import { bearerToken, idempotentDeferred, idempotentInObject, REPLAYED_HEADER } from "../http/idempotency";
import { limitOrderTokenMiss } from "../http/rate-limit";
import { requireCustomer } from "../http/session";
import { validate } from "../http/validate";
import { upgradeFor } from "../http/websocket";
import { newId, randomToken, sha256Hex } from "../lib/ids";
import { forgetKey, releaseLines, reserveLines, type StockRefusal } from "../services/stock/checkout";
import { invoiceWithRefunds, issueCreditNotes } from "../services/workflows/credit-notes";
import { CreateOrderSchema, OrderLinesSchema } from "./order-schemas";
import { CREATE_OPERATION, refusalError, takeEarlyStock } from "./orders-early";
import { CreatedOrder, InvoiceShape, OrderShape, PayAccepted } from "./shapes";

// ---- schemas -------------------------------------------------------------------------------------------------

/** `token` is a gateway token (`tok_…`) or a card number (mapped to its token here and never kept). */
export const PaySchema = v.strictObject({
  paymentMethod: v.strictObject({ token: v.pipe(v.string(), v.minLength(1), v.maxLength(80)) }),
});

export const AmendOrderSchema = v.strictObject({ items: OrderLinesSchema });

export const ClaimSchema = v.strictObject({ token: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(256))) });

// ---- helpers -------------------------------------------------------------------------------------------------

const ORDER_ID = /^ord_[A-Za-z0-9_-]{16,64}$/;

/** The result's error as the API's error envelope. */
export function failure(r: Failure): ApiError {
  return new ApiError(r.code, r.message, r.details);
}

export function orderOf(r: CommandResult) {
  if (!r.ok) throw failure(r);
  return r.order;
}

/** The catalog entries (price, name, active) of `skus` from D1. */
export async function loadCatalog(env: Env, skus: readonly string[]): Promise<CatalogEntry[]> {
  if (skus.length === 0) return [];
  return catalogEntries(getDb(env.DB), skus);
}

/** Prices lines from the catalog or throws 400 validation_failed naming each unknown or inactive SKU. */
export async function priceLines(env: Env, lines: Line[]) {
  const merged = mergeLines(lines);
  const catalog = await loadCatalog(
    env,
    merged.map((l) => l.sku),
  );
  return { merged, catalog, priced: pricedOrThrow(env, merged, catalog) };
}

/**
 * `priceLines` for an order about to be created, with its order number taken in the same D1 round trip (the
 * number is lost, leaving a gap, if the order then is not created).
 */
async function priceAndNumber(env: Env, lines: Line[]) {
  const merged = mergeLines(lines);
  const db = getDb(env.DB);
  const [catalog, numbered] = await db.batch([
    catalogEntriesOf(
      db,
      merged.map((l) => l.sku),
    ),
    takeOrderNumber(db),
  ]);
  return { priced: pricedOrThrow(env, merged, catalog), number: orderNumberOf(numbered) };
}

function pricedOrThrow(env: Env, merged: Line[], catalog: CatalogEntry[]) {
  const priced = priceOrder(merged, new Map(catalog.map((e) => [e.sku, e])), config(env));
  if (!priced.ok) {
    throw new ApiError(
      "validation_failed",
      "Some items cannot be ordered",
      priced.issues.map((i) => ({ path: "items", sku: i.sku, reason: i.reason, message: i.message })),
    );
  }
  return priced;
}

/** Compares two hex digests in time independent of where they differ. */
export function equalHashes(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

type Access = { id: string; viewer: Viewer; customerId: string | null };

/**
 * Orders' access-token hashes this isolate has seen (it created the order, or read its row). A hash never
 * changes, so a guest presenting the right token is let in without a D1 read: the checkout's pay and live
 * socket were one read each. The customer id is not kept (a claim changes it): routes that need it read D1.
 */
const knownTokens = new Map<string, string>();
const KNOWN_TOKENS_MAX = 10_000;

function rememberToken(orderId: string, hash: string): void {
  if (knownTokens.size >= KNOWN_TOKENS_MAX) knownTokens.delete(knownTokens.keys().next().value as string);
  knownTokens.set(orderId, hash);
}

/**
 * Who the caller is to order `:id`: its owner, or staff (when `staffMay`). Anyone else, and a missing order,
 * get the same 404. Staff on an owner-only action get 403 (they can see the order exists).
 */
export async function authorizeOrder(
  c: Context<AppEnv>,
  opts: { staffMay: boolean; queryToken?: boolean; needsCustomer?: boolean },
): Promise<Access> {
  const id = c.req.param("id") ?? "";
  const token = bearerToken(c) ?? (opts.queryToken ? (c.req.query("token") ?? null) : null);
  const presented = await sha256Hex(token ?? "");
  const known = token !== null && !opts.needsCustomer ? knownTokens.get(id) : undefined;
  if (known !== undefined && equalHashes(presented, known)) return { id, viewer: "owner", customerId: null };
  const row = ORDER_ID.test(id) ? await orderAccess(getDb(c.env.DB), id) : undefined;
  const user = c.get("user");
  if (row) {
    rememberToken(id, row.accessTokenHash);
    const tokenMatches = token !== null && equalHashes(presented, row.accessTokenHash);
    if (tokenMatches || (user !== null && row.customerId === user.id)) {
      return { id, viewer: "owner", customerId: row.customerId };
    }
    if (user && (user.role === "staff" || user.role === "admin")) {
      if (opts.staffMay) return { id, viewer: "staff", customerId: row.customerId };
      throw new ApiError("forbidden", "Only the shopper who placed the order can do this");
    }
  }
  // A presented token that opened nothing is a guess (or a stale link): counted per address, found or not.
  if (token !== null) await limitOrderTokenMiss(c);
  throw new ApiError("not_found", "No such order");
}

const flow = (env: Env, id: string) => env.ORDER_FLOW.getByName(id);

/**
 * The answer to an order the stock refused (`refusalError`): 409 out_of_stock naming each short line, 400 for a
 * SKU the catalog does not know (priced, so the answer names inactive lines too, as when pricing came first), or
 * the key's own answers (a replayed refusal says so, as a replay from D1 does).
 */
async function refusal(c: Context<AppEnv>, refused: readonly StockRefusal[], items: Line[]): Promise<never> {
  const error = refusalError(refused);
  if (error !== "unknown_sku") throw new ApiError(error.code, error.message, error.details, error.headers);
  await priceLines(c.env, items);
  throw new ApiError("validation_failed", "Some items are not for sale");
}

/** A kept answer as the response a replay from D1 would be. */
const replayOf = (kept: { status: number; body: string }) =>
  new Response(kept.body, {
    status: kept.status,
    headers: { "content-type": "application/json", [REPLAYED_HEADER]: "true" },
  });

/** The stock's `key_seen` (its key took stock for an earlier order request), with the line's SKU. */
function keySeen(refused: readonly StockRefusal[]): { sku: string; orderId: string; live: boolean } | null {
  for (const { line, result } of refused) {
    if (result.reason === "key_seen") return { sku: line.sku, orderId: result.orderId, live: result.live };
  }
  return null;
}

/** POST /api/orders answers the order and the guest's access token; a replay under its key is the same answer. */
type Placed = TypedResponse<JSONParsed<ReturnType<typeof orderOf> & { accessToken: string }>, 201, "json">;

// ---- routes --------------------------------------------------------------------------------------------------

/** Each route's contract for the OpenAPI document (docs/api.md), keyed by method and path. */
const spec = {
  "POST /": doc({
    tag: "orders",
    who: "anyone",
    summary: "Create an order: prices from the server, stock reserved all-or-nothing",
    ok: 201,
    body: CreatedOrder,
    errors: { 409: "out_of_stock" },
  }),
  "GET /:id": doc({
    tag: "orders",
    who: "owner",
    summary: "The order with items, totals, status and timeline",
    body: OrderShape,
  }),
  "POST /:id/pay": doc({
    tag: "orders",
    who: "owner",
    summary: "Start a payment; the outcome arrives live",
    ok: 202,
    body: PayAccepted,
    errors: { 403: "Staff cannot pay", 409: "invalid_state" },
  }),
  "GET /:id/live": doc({
    tag: "orders",
    who: "owner",
    summary: "WebSocket: {type:'order', status, version, entry}",
    websocket: true,
    query: {
      since: "Replay what followed this version",
      token: "The guest's access token (browsers cannot send headers on a WebSocket)",
    },
    errors: { 400: "Not a WebSocket upgrade, or since is not a version" },
  }),
  "POST /:id/cancel": doc({
    tag: "orders",
    who: "owner",
    summary: "Cancel (void or refund, stock back); repeatable",
    body: OrderShape,
    errors: { 409: "invalid_state" },
  }),
  "PATCH /:id": doc({
    tag: "orders",
    who: "owner",
    summary: "Amend quantities before shipping",
    body: OrderShape,
    errors: { 403: "Staff cannot amend", 409: "invalid_state or out_of_stock" },
  }),
  "POST /:id/claim": doc({
    tag: "orders",
    who: "customer",
    summary: "Claim a guest order into the signed-in account",
    body: OrderShape,
    errors: { 404: "No such order, or the token does not match" },
  }),
  "GET /:id/invoice": doc({ tag: "orders", who: "owner", summary: "The order's invoice", body: InvoiceShape }),
};

export const ordersApi = new Hono<AppEnv>()
  /**
   * Places an order. The stock is asked first (src/services/checkout.ts), so a refused shopper costs one call
   * to each line's ProductStock and nothing else; only then are the lines priced from the catalog, the
   * Idempotency-Key claimed and the order's object created with the stock it already holds.
   */
  .post("/", spec["POST /"], idempotentDeferred(CREATE_OPERATION), validate("json", CreateOrderSchema), async (c) => {
    const body = c.req.valid("json");
    const started = Date.now();
    const ticket = c.get("idempotency");
    const merged = mergeLines(body.items);
    // A guest's single-line order was reserved before routing (src/routes/orders-early.ts) unless refused there.
    const early = takeEarlyStock(c.req.raw);
    // Lines the catalog must judge (a quantity over the limit) are refused before any stock is taken.
    if (!early && merged.some((l) => l.qty > MAX_QTY)) await priceLines(c.env, body.items);
    const orderId = early?.orderId ?? newId("ord");
    const cfg = config(c.env);
    // A single-line order's stock remembers every key that reaches it (a refusal, or the order it took stock
    // for), so a key it has never seen needs no D1 read; with more lines, D1's record answers first.
    const key = ticket && merged.length === 1 ? { id: ticket.id, requestHash: ticket.requestHash } : null;
    if (ticket && !key) {
      const recorded = await ticket.lookup();
      if (recorded) return recorded as Response & Placed;
    }
    let stock = early?.stock ?? (await reserveLines(c.env, orderId, merged, cfg.reservationTtlMs, key));
    const seen = stock.ok ? null : keySeen(stock.refused);
    if (ticket && seen) {
      // The order the key placed keeps the answer (below); D1's record is the older home of it.
      const kept = key ? await flow(c.env, seen.orderId).createdAnswer(key) : null;
      if (kept && "reused" in kept) {
        throw new ApiError("idempotency_key_reused", "This Idempotency-Key was used with a different request");
      }
      if (kept) return replayOf(kept.kept) as Response & Placed;
      const recorded = await ticket.lookup();
      if (recorded) return recorded as Response & Placed;
      if (seen.live) {
        throw new ApiError("idempotency_in_progress", "A request with this Idempotency-Key is still running");
      }
      // The key took stock for a request that died before recording it: the key is free again.
      await forgetKey(c.env, seen.sku, ticket.id, seen.orderId);
      stock = await reserveLines(c.env, orderId, merged, cfg.reservationTtlMs, key);
    }
    const reservedAt = Date.now();
    if (!stock.ok) {
      if (ticket && key && stock.remembered) ticket.rememberedElsewhere = true;
      else if (ticket && key) {
        // A shard answered: shards keep no keys, so D1's record (an order this key placed) comes first.
        const recorded = await ticket.lookup();
        if (recorded) return recorded as Response & Placed;
      }
      return refusal(c, stock.refused, body.items);
    }
    // The SKU's own stock holds the key of a single-line order (a retry learns the order from it), and the order
    // keeps the answer (`keep` below): no D1 claim or record. Shards keep no keys; several lines, several stocks.
    const keptByOrder = key !== null && Object.keys(stock.places).length === 0;
    let priced: Awaited<ReturnType<typeof priceLines>>["priced"];
    let number: number;
    try {
      ({ priced, number } = await priceAndNumber(c.env, body.items));
      if (body.quotedTotalCents !== undefined && body.quotedTotalCents !== priced.totals.totalCents) {
        throw new ApiError(
          "conflict",
          "Prices changed since your quote: check the new total and place the order again",
          {
            reason: "price_changed",
            quotedTotalCents: body.quotedTotalCents,
            quote: { items: priced.items, totals: priced.totals },
          },
        );
      }
      const claimed = ticket && !keptByOrder ? await ticket.claim() : null;
      if (claimed) {
        await releaseLines(c.env, orderId, merged, stock.places);
        return claimed as Response & Placed;
      }
    } catch (err) {
      await releaseLines(c.env, orderId, merged, stock.places);
      throw err;
    }
    const pricedAt = Date.now();
    const accessToken = randomToken(32);
    const { shippingAddress, email } = body;
    const phone = body.phone ?? shippingAddress.phone;
    const address = Object.fromEntries(
      Object.entries(shippingAddress).filter(([key, value]) => key !== "phone" && value !== undefined && value !== ""),
    ) as Omit<typeof shippingAddress, "phone">;
    const tokenHash = await sha256Hex(accessToken);
    let result: CommandResult;
    try {
      // The order keeps the answer under the key (`keep`): the SKU's stock holds the key and names the order.
      const keep = ticket && key && keptByOrder ? { key, accessToken } : null;
      result = await flow(c.env, orderId).create(
        {
          orderId,
          number,
          customerId: c.get("user")?.id ?? null,
          email,
          shippingAddress: address,
          phone: phone ?? null,
          items: priced.items,
          totals: priced.totals,
          accessTokenHash: tokenHash,
          ip: clientIp(c),
          country: clientCountry(c),
          reservedUntil: stock.expiresAt,
          ...(Object.keys(stock.places).length > 0 ? { stockPlaces: stock.places } : {}),
        },
        keep,
      );
    } catch (err) {
      // The stock is held for an order that was never created: give it back now rather than at expiry.
      await releaseLines(c.env, orderId, merged, stock.places).catch(() => undefined);
      throw err;
    }
    if (result.ok && result.timing) {
      // Where the time went (the clock moves only across I/O): the stock, the catalog read, the order's
      // object and within it the D1 mirror + events. Read by the benchmark's checkout profile.
      c.header(
        "Server-Timing",
        `stock;dur=${reservedAt - started}, price;dur=${pricedAt - reservedAt}, flow;dur=${Date.now() - pricedAt}, deliver;dur=${result.timing.deliver}`,
      );
    }
    const placed = orderOf(result);
    rememberToken(orderId, tokenHash);
    if (ticket && key && keptByOrder) ticket.rememberedElsewhere = true;
    return c.json({ ...placed, accessToken }, 201);
  })
  .get("/:id", spec["GET /:id"], async (c) => {
    const access = await authorizeOrder(c, { staffMay: true });
    return c.json(orderOf(await flow(c.env, access.id).view(access.viewer)));
  })
  /** Starts a payment; the outcome arrives on the live socket (and in GET /api/orders/:id). */
  .post("/:id/pay", spec["POST /:id/pay"], idempotentInObject("orders.pay"), validate("json", PaySchema), async (c) => {
    const access = await authorizeOrder(c, { staffMay: false });
    // Refused before the order moves: no PaymentInitiated without a gateway allowed to answer it.
    const setup = requirePayments(c.env);
    const method = resolvePaymentMethod(c.req.valid("json").paymentMethod.token);
    const badToken = (message: string) =>
      new ApiError("validation_failed", message, [{ path: "paymentMethod.token", message }]);
    if (!method.ok) throw badToken(method.message);
    // With Stripe, card details go to Stripe from the browser: a card number here would become a test token.
    if (setup.kind === "stripe" && method.label !== method.token)
      throw badToken("Send a Stripe token, not card details");
    const result = await flow(c.env, access.id).pay(
      { token: method.token, methodLabel: method.label, ip: clientIp(c), country: clientCountry(c) },
      c.get("answerKey"),
    );
    const replayed: Record<string, string> = result.replayed ? { [REPLAYED_HEADER]: "true" } : {};
    if (!result.ok) throw new ApiError(result.code, result.message, result.details, replayed);
    return c.json(
      { id: access.id, status: result.order.status, version: result.order.version, paymentId: result.paymentId },
      202,
      replayed,
    );
  })
  /** The order's live feed (WebSocket, hibernating in the OrderFlow). `?since=<version>` replays what was missed. */
  .get("/:id/live", spec["GET /:id/live"], async (c) => {
    const access = await authorizeOrder(c, { staffMay: true, queryToken: true });
    if (!isUpgrade(c.req.raw)) {
      throw new ApiError("validation_failed", "Connect with a WebSocket upgrade");
    }
    const since = c.req.query("since");
    if (since !== undefined && !/^[0-9]{1,9}$/.test(since)) {
      throw new ApiError("validation_failed", "since is a version number", [
        { path: "since", message: "not a number" },
      ]);
    }
    const url = new URL(`https://order-flow.internal/${access.id}/live`);
    if (since !== undefined) url.searchParams.set("since", since);
    return upgradeFor(c, `order:${access.id}`, (sessionHeaders) => {
      const headers = new Headers({ upgrade: "websocket", "x-order-viewer": access.viewer, ...sessionHeaders });
      return flow(c.env, access.id).fetch(new Request(url, { headers }));
    });
  })
  .post("/:id/cancel", spec["POST /:id/cancel"], async (c) => {
    const access = await authorizeOrder(c, { staffMay: true });
    const by = { actor: access.viewer, id: access.viewer === "staff" ? (c.get("user")?.id ?? "staff") : "customer" };
    return c.json(orderOf(await flow(c.env, access.id).cancel(by)));
  })
  /** Replaces the lines: while reserved any change; once confirmed, decreases only (the difference refunded). */
  .patch("/:id", spec["PATCH /:id"], validate("json", AmendOrderSchema), async (c) => {
    const access = await authorizeOrder(c, { staffMay: false });
    const { merged, catalog } = await priceLines(c.env, c.req.valid("json").items);
    return c.json(orderOf(await flow(c.env, access.id).amend({ lines: merged, catalog })));
  })
  /** A signed-in customer holding a guest order's access token links it to the account. */
  .post("/:id/claim", spec["POST /:id/claim"], requireCustomer, validate("json", ClaimSchema), async (c) => {
    const token = bearerToken(c) ?? c.req.valid("json").token ?? null;
    const id = c.req.param("id");
    const row = ORDER_ID.test(id) ? await orderAccess(getDb(c.env.DB), id) : undefined;
    const presented = await sha256Hex(token ?? "");
    const user = c.get("user");
    // Holding the token is what grants the claim; an email that matches the account's never does.
    if (!row || !user || token === null || !equalHashes(presented, row.accessTokenHash)) {
      if (token !== null) await limitOrderTokenMiss(c);
      throw new ApiError("not_found", "No such order");
    }
    return c.json(orderOf(await flow(c.env, id).claim(user.id)));
  })
  .get("/:id/invoice", spec["GET /:id/invoice"], async (c) => {
    const access = await authorizeOrder(c, { staffMay: true });
    // A credit note missing after a crash between a refund and its note is issued now (a no-op otherwise).
    const order = orderOf(await flow(c.env, access.id).view(access.viewer));
    await issueCreditNotes(c.env, order);
    const invoice = await invoiceWithRefunds(c.env, access.id);
    if (!invoice) throw new ApiError("not_found", "This order has no invoice yet");
    return c.json(invoice);
  });
