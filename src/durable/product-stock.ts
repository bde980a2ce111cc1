/**
 * ProductStock: the authority on one SKU's stock (one object per SKU, `env.PRODUCT_STOCK.getByName(sku)`).
 * A thin shell over the pure ledger in src/domain/stock.ts: load, decide, persist, announce.
 *
 * Platform invariants this file relies on:
 * - `ctx.storage.sql` is synchronous. Every read-modify-write of the ledger runs with no `await` between the
 *   read and the write, so no other call can interleave and `available` cannot go negative. The only awaits
 *   (adopting the opening balance, reading the threshold) happen before the ledger is read.
 * - Events are written to the object's own `outbox` table in the same synchronous step as the change, and
 *   delivered to D1 + the queue in the background. Callers never wait on delivery; the alarm retries it.
 * - Expiries are rows; one alarm is armed at the earliest. Every call and the alarm first expire what is due,
 *   so a late alarm never lets an expired reservation hold stock, and an alarm that runs twice does nothing more.
 * - Expected outcomes come back as result unions: errors thrown over RPC lose their fields.
 */
import { DurableObject } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { config } from "../config";
import { getDb } from "../db/client";
import { products } from "../db/schema";
import type { EventEnvelope } from "../domain/events";
import {
  type AdjustReason,
  adjust,
  commit,
  expire,
  extend,
  type Ledger,
  levels,
  type ReleaseReason,
  type Reservation,
  release,
  reserve,
  resize,
  type Sale,
  type StockEffect,
  type StockMessage,
} from "../domain/stock";
import { newEvent, recordAndPublish } from "../services/event-bus";
import { answerPings, LiveSockets } from "./kit/live";
import { type Migrations, migrate } from "./kit/migrate";
import { OUTBOX_TABLE, Outbox } from "./kit/outbox";
import { singleFlight } from "./kit/single-flight";
import { rows } from "./kit/sql";
import { isUpgrade, reciprocateClose } from "./kit/websocket";

export type StockLevel = { sku: string; onHand: number; reserved: number; available: number };
export type ReserveResult =
  | { ok: true; level: StockLevel; expiresAt: number }
  /** `replayed`: the refusal this key got before, answered again (`level.available` as it was then). */
  | { ok: false; reason: "insufficient"; level: StockLevel; replayed?: true }
  | { ok: false; reason: "unknown_sku"; level: StockLevel }
  /** Only with an idempotency key: another request body used it here. */
  | { ok: false; reason: "key_reused"; level: StockLevel }
  /**
   * Only with an idempotency key: this key (with this body) already took stock here for `orderId`, whose
   * reservation is still `live` or not. Nothing was taken; the key's record in D1 answers the retry.
   */
  | { ok: false; reason: "key_seen"; level: StockLevel; orderId: string; live: boolean };
/**
 * An order request's Idempotency-Key as the stock remembers it: `id` names scope and key, `requestHash` the
 * body. Every key is kept for a day (as D1 keeps answered keys): a refusal, so a retry gets the same refusal
 * without anyone touching D1; and a key that took stock, so a retry is sent to D1's record of the order it
 * created, or to the first request still running (`key_seen`), instead of being judged afresh. So a fresh refusal needs no D1 read: a key the stock has never seen has no order anywhere.
 */
export type ReserveKey = { id: string; requestHash: string };
export type ExtendResult = { ok: boolean };
export type CommitResult = { ok: true; level: StockLevel } | { ok: false; reason: "not_found"; level: StockLevel };
export type ReleaseResult = { ok: true; released: number; level: StockLevel };
export type AdjustResult =
  | { ok: true; level: StockLevel }
  | { ok: false; reason: "below_reserved" | "unknown_sku"; level: StockLevel };
export type LookupResult = { ok: true; level: StockLevel } | { ok: false; reason: "unknown_sku"; level: StockLevel };

export type { StockMessage };

type ViewerAttachment = { connectedAt: number };

/** How long undelivered outbox rows wait before the alarm tries again. */
const OUTBOX_RETRY_MS = 30_000;
/** How long a refusal is remembered for its idempotency key (as long as D1 keeps an answered key). */
const REFUSAL_TTL_MS = 24 * 3600_000;

/** The object's SQLite schema, one entry per version; never edit an entry, append a new one. */
const MIGRATIONS: Migrations = [
  [
    `CREATE TABLE stock (
       id INTEGER PRIMARY KEY CHECK (id = 1),
       sku TEXT NOT NULL,
       on_hand INTEGER NOT NULL CHECK (on_hand >= 0),
       low_stock_threshold INTEGER NOT NULL,
       updated_at INTEGER NOT NULL
     )`,
    `CREATE TABLE reservations (
       order_id TEXT PRIMARY KEY,
       qty INTEGER NOT NULL CHECK (qty >= 1),
       expires_at INTEGER NOT NULL
     )`,
    "CREATE INDEX reservations_expires_idx ON reservations (expires_at)",
    `CREATE TABLE sales (
       order_id TEXT PRIMARY KEY,
       qty INTEGER NOT NULL CHECK (qty >= 1),
       returned INTEGER NOT NULL DEFAULT 0,
       updated_at INTEGER NOT NULL
     )`,
    OUTBOX_TABLE,
  ],
  [
    // Refusals remembered per idempotency key, and the key a live reservation was taken with.
    `CREATE TABLE refusals (
       key_id TEXT PRIMARY KEY,
       request_hash TEXT NOT NULL,
       available INTEGER NOT NULL,
       at INTEGER NOT NULL
     )`,
    "CREATE INDEX refusals_at_idx ON refusals (at)",
    "ALTER TABLE reservations ADD COLUMN key_id TEXT",
    "CREATE INDEX reservations_key_idx ON reservations (key_id)",
  ],
  [
    // Keys that took stock, remembered for a day after the reservation ends (see ReserveKey).
    `CREATE TABLE reserved_keys (
       key_id TEXT PRIMARY KEY,
       request_hash TEXT NOT NULL,
       order_id TEXT NOT NULL,
       at INTEGER NOT NULL
     )`,
    "CREATE INDEX reserved_keys_at_idx ON reserved_keys (at)",
    "CREATE INDEX reserved_keys_order_idx ON reserved_keys (order_id)",
  ],
];

export type StockLedgerRows = {
  level: StockLevel;
  reservations: { orderId: string; qty: number; expiresAt: number }[];
  sales: { orderId: string; qty: number; returned: boolean }[];
};

export class ProductStock extends DurableObject<Env> {
  /** The SKU once the opening balance was adopted; null until then (nothing persisted for an unknown SKU). */
  #sku: string | null = null;
  /** The alarm time this object last armed, to avoid re-arming on every change. */
  #alarmAt: number | null = null;
  /**
   * The balance and every live reservation as last read or written. This object is the only writer of its
   * storage and runs one call at a time, so the copy stays true between calls: a call reads only the sales of
   * the orders it touches instead of every reservation (in a flash sale, each refusal re-read all of them).
   * Dropped when a write fails, so the next call reads the rows again.
   */
  #held: Omit<Ledger, "sales"> | null = null;
  readonly #outbox: Outbox;
  readonly #live: LiveSockets<ViewerAttachment>;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    answerPings(ctx);
    this.#outbox = new Outbox(ctx.storage.sql);
    this.#live = new LiveSockets(ctx, "viewer");
    void ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage, MIGRATIONS);
      this.#sku = this.#sql<{ sku: string }>("SELECT sku FROM stock WHERE id = 1")[0]?.sku ?? null;
      this.#alarmAt = await ctx.storage.getAlarm();
    });
  }

  /**
   * Holds `qty` units for `orderId` for `ttlMs`. Idempotent per order id: a second call returns the existing
   * reservation and takes nothing more. With `key` (the order request's Idempotency-Key) a refusal is
   * remembered and answered again to the same key, another body with it is `key_reused`, and a key that took
   * stock for another order is `key_seen` (see ReserveKey): a refusal needs no write anywhere else.
   */
  async reserve(sku: string, orderId: string, qty: number, ttlMs: number, key?: ReserveKey): Promise<ReserveResult> {
    if (!(this.#serves(sku) || (await this.#adopt(sku)))) return { ok: false, reason: "unknown_sku", level: zero(sku) };
    const now = Date.now();
    if (key) {
      const refused = this.#sql<{ request_hash: string; available: number }>(
        "SELECT request_hash, available FROM refusals WHERE key_id = ? AND at > ?",
        key.id,
        now - REFUSAL_TTL_MS,
      )[0];
      if (refused) {
        const level = { ...this.#level(this.#current(now, [])), available: refused.available };
        return refused.request_hash === key.requestHash
          ? { ok: false, reason: "insufficient", level, replayed: true }
          : { ok: false, reason: "key_reused", level };
      }
      const seen = this.#sql<{ request_hash: string; order_id: string }>(
        "SELECT request_hash, order_id FROM reserved_keys WHERE key_id = ? AND at > ?",
        key.id,
        now - REFUSAL_TTL_MS,
      )[0];
      if (seen && seen.order_id !== orderId) {
        const ledger = this.#current(now, []);
        const level = this.#level(ledger);
        if (seen.request_hash !== key.requestHash) return { ok: false, reason: "key_reused", level };
        const live = ledger.reservations.has(seen.order_id);
        return { ok: false, reason: "key_seen", level, orderId: seen.order_id, live };
      }
    }
    const ledger = this.#current(now, [orderId]);
    const decision = reserve(ledger, { orderId, qty, ttlMs }, now);
    if (!decision.ok) {
      const level = this.#level(ledger);
      if (key) {
        // Refusals of a day ago are forgotten as they are replaced: the index keeps this cheap.
        this.ctx.storage.sql.exec("DELETE FROM refusals WHERE at <= ?", now - REFUSAL_TTL_MS);
        this.ctx.storage.sql.exec(
          "INSERT INTO refusals (key_id, request_hash, available, at) VALUES (?, ?, ?, ?) ON CONFLICT (key_id) DO NOTHING",
          key.id,
          key.requestHash,
          level.available,
          now,
        );
      }
      return { ok: false, reason: decision.reason, level };
    }
    this.#apply(ledger, decision.ledger, decision.effects, `order:${orderId}`, [orderId], now);
    if (key) {
      this.ctx.storage.sql.exec("DELETE FROM reserved_keys WHERE at <= ?", now - REFUSAL_TTL_MS);
      this.ctx.storage.sql.exec(
        "INSERT INTO reserved_keys (key_id, request_hash, order_id, at) VALUES (?, ?, ?, ?) ON CONFLICT (key_id) DO UPDATE SET request_hash = excluded.request_hash, order_id = excluded.order_id, at = excluded.at",
        key.id,
        key.requestHash,
        orderId,
        now,
      );
    }
    return { ok: true, level: this.#level(decision.ledger), expiresAt: decision.expiresAt };
  }

  /**
   * Gives back the stock of an order that was never created (its request was refused further on, answered by
   * another request's record, or failed) and forgets the key it was reserved with, so a retry runs afresh.
   */
  async abandon(sku: string, orderId: string): Promise<ReleaseResult> {
    const released = await this.release(sku, orderId, "release");
    this.ctx.storage.sql.exec("DELETE FROM reserved_keys WHERE order_id = ?", orderId);
    return released;
  }

  /**
   * Forgets that `keyId` took stock for `orderId`, when D1 holds no record of that order's request and its
   * reservation is gone: the request died before claiming its key (a crash), so the key is free again.
   */
  async forgetKey(keyId: string, orderId: string): Promise<void> {
    this.ctx.storage.sql.exec("DELETE FROM reserved_keys WHERE key_id = ? AND order_id = ?", keyId, orderId);
  }

  /** Moves a live reservation's expiry later (never earlier); `ok: false` when the order holds no live reservation. */
  async extend(sku: string, orderId: string, expiresAt: number): Promise<ExtendResult> {
    if (!(this.#serves(sku) || (await this.#adopt(sku)))) return { ok: false };
    const now = Date.now();
    const ledger = this.#current(now, [orderId]);
    const decision = extend(ledger, { orderId, expiresAt }, now);
    if (!decision.ok) return { ok: false };
    this.#apply(ledger, decision.ledger, decision.effects, `order:${orderId}`, [orderId], now);
    return { ok: true };
  }

  /** Turns the order's reservation into a sale (`onHand −= qty`); committing a committed order changes nothing. */
  async commit(sku: string, orderId: string): Promise<CommitResult> {
    if (!(this.#serves(sku) || (await this.#adopt(sku)))) return { ok: false, reason: "not_found", level: zero(sku) };
    const now = Date.now();
    const ledger = this.#current(now, [orderId]);
    const decision = commit(ledger, { orderId }, now);
    if (!decision.ok) return { ok: false, reason: decision.reason, level: this.#level(ledger) };
    this.#apply(ledger, decision.ledger, decision.effects, `order:${orderId}`, [orderId], now);
    return { ok: true, level: this.#level(decision.ledger) };
  }

  /**
   * Gives the order's stock back: a live reservation is dropped, a committed sale returns to stock once (not for
   * "expire"). Anything unknown or already released answers `released: 0`.
   */
  async release(sku: string, orderId: string, reason: ReleaseReason): Promise<ReleaseResult> {
    if (!(this.#serves(sku) || (await this.#adopt(sku)))) return { ok: true, released: 0, level: zero(sku) };
    const now = Date.now();
    const ledger = this.#current(now, [orderId]);
    const decision = release(ledger, { orderId, reason }, now);
    this.#apply(ledger, decision.ledger, decision.effects, `order:${orderId}`, [orderId], now);
    return { ok: true, released: decision.released, level: this.#level(decision.ledger) };
  }

  /**
   * Amends the order's quantity (`qty >= 1`) on its reservation or committed sale; growth needs availability.
   * An order holding nothing here gets a new reservation for the configured reservation TTL.
   */
  async resize(sku: string, orderId: string, qty: number): Promise<ReserveResult> {
    if (!(this.#serves(sku) || (await this.#adopt(sku)))) return { ok: false, reason: "unknown_sku", level: zero(sku) };
    const now = Date.now();
    const ledger = this.#current(now, [orderId]);
    const decision = resize(ledger, { orderId, qty, ttlMs: config(this.env).reservationTtlMs }, now);
    if (!decision.ok) return { ok: false, reason: decision.reason, level: this.#level(ledger) };
    this.#apply(ledger, decision.ledger, decision.effects, `order:${orderId}`, [orderId], now);
    return { ok: true, level: this.#level(decision.ledger), expiresAt: decision.expiresAt };
  }

  /**
   * A staff adjustment of the units on hand. Refused with `below_reserved` (nothing changed) when `onHand` would
   * fall below what is reserved. Refreshes the low-stock threshold from the catalog first.
   */
  async adjust(sku: string, delta: number, reason: AdjustReason, actor: string): Promise<AdjustResult> {
    if (!(this.#serves(sku) || (await this.#adopt(sku)))) return { ok: false, reason: "unknown_sku", level: zero(sku) };
    const threshold = await this.#catalogThreshold(sku);
    // State is read only after the await: whatever ran meanwhile is included.
    const now = Date.now();
    const current = this.#current(now, []);
    const ledger = threshold === null ? current : { ...current, lowStockThreshold: threshold };
    const decision = adjust(ledger, { delta, reason });
    if (!decision.ok) return { ok: false, reason: decision.reason, level: this.#level(current) };
    this.#apply(current, decision.ledger, decision.effects, actor, [], now);
    return { ok: true, level: this.#level(decision.ledger) };
  }

  /** The current level (zeros for a SKU the catalog does not know). */
  async snapshot(sku: string): Promise<StockLevel> {
    return (await this.lookup(sku)).level;
  }

  /** The current level, telling an unknown SKU apart from one with no stock. */
  async lookup(sku: string): Promise<LookupResult> {
    if (!(this.#serves(sku) || (await this.#adopt(sku)))) return { ok: false, reason: "unknown_sku", level: zero(sku) };
    return { ok: true, level: this.#level(this.#current(Date.now(), [])) };
  }

  /**
   * The ledger as stored, for the reconciliation check (services/reconciliation.ts): the level, every live
   * reservation and the sales changed since `since`. Read-only; null for a SKU the catalog does not know.
   */
  async ledger(sku: string, since = 0): Promise<StockLedgerRows | null> {
    const found = await this.lookup(sku);
    if (!found.ok) return null;
    return {
      level: found.level,
      reservations: this.#sql<{ order_id: string; qty: number; expires_at: number }>(
        "SELECT order_id, qty, expires_at FROM reservations ORDER BY order_id",
      ).map((r) => ({ orderId: r.order_id, qty: r.qty, expiresAt: r.expires_at })),
      sales: this.#sql<{ order_id: string; qty: number; returned: number }>(
        "SELECT order_id, qty, returned FROM sales WHERE updated_at >= ? ORDER BY order_id",
        since,
      ).map((r) => ({ orderId: r.order_id, qty: r.qty, returned: r.returned === 1 })),
    };
  }

  /** Accepts a live-stock viewer (a WebSocket upgrade the Worker forwards) with the Hibernation API. */
  override async fetch(request: Request): Promise<Response> {
    if (!isUpgrade(request)) {
      return new Response("Expected a WebSocket upgrade", { status: 426 });
    }
    const sku = this.#sku ?? skuFromUrl(request.url);
    if (sku === null || !(this.#serves(sku) || (await this.#adopt(sku)))) {
      return new Response("Unknown SKU", { status: 404 });
    }
    const level = this.#level(this.#current(Date.now(), []));
    return this.#live.accept(request, { connectedAt: Date.now() }, (ws) =>
      ws.send(
        JSON.stringify({
          type: "stock",
          sku: level.sku,
          available: level.available,
          at: Date.now(),
        } satisfies StockMessage),
      ),
    );
  }

  override webSocketMessage(): void {
    // The feed is one-way; pings are answered by the auto-response without waking the object.
  }

  override webSocketClose(ws: WebSocket, code: number, reason: string): void {
    reciprocateClose(ws, code, reason);
  }

  override webSocketError(): void {
    // The runtime closes the socket; nothing is held per socket beyond its attachment.
  }

  /**
   * Releases expired reservations and delivers undelivered events. Safe to run twice or after a throw: expiry
   * judges by the rows, and delivery is idempotent per event id. Throws when delivery fails, so the runtime
   * retries; the retry alarm armed before delivery covers the case where the runtime gives up.
   */
  override async alarm(): Promise<void> {
    this.#alarmAt = null;
    if (this.#sku === null) return;
    const now = Date.now();
    this.#current(now, []);
    this.#arm(now);
    await this.#flush();
    // Delivered: the retry alarm armed above is not needed any more; keep only the next expiry.
    const next = this.#earliestExpiry();
    if (next === this.#alarmAt || this.#hasOutbox()) return;
    this.#alarmAt = next;
    if (next === null) void this.ctx.storage.deleteAlarm();
    else void this.ctx.storage.setAlarm(next);
  }

  /** Drops the ledger held in memory, so the next call reads the rows (as a new instance would). */
  reread(): void {
    this.#held = null;
  }

  // ---- ledger ↔ SQLite -------------------------------------------------------------------------------------

  /**
   * True when this object already holds the ledger of `sku`; false before the opening balance was adopted.
   * A stub of one SKU asked about another is a caller bug.
   */
  #serves(sku: string): boolean {
    if (this.#sku === null) return false;
    if (this.#sku !== sku) throw new Error(`ProductStock for ${this.#sku} was asked about ${sku}`);
    return true;
  }

  /**
   * Adopts the catalog's `stock_on_hand` as the opening balance, the first time this object runs for a SKU.
   * Blocks every other event meanwhile, so no call reads the ledger before it exists. An SKU the catalog does
   * not know persists nothing: a product created later still initialises.
   */
  #adopt(sku: string): Promise<boolean> {
    return this.ctx.blockConcurrencyWhile(async () => {
      if (this.#sku !== null) return this.#serves(sku);
      const row = await getDb(this.env.DB)
        .select({ onHand: products.stockOnHand, threshold: products.lowStockThreshold })
        .from(products)
        .where(eq(products.sku, sku))
        .get();
      if (!row) return false;
      this.ctx.storage.sql.exec(
        "INSERT INTO stock (id, sku, on_hand, low_stock_threshold, updated_at) VALUES (1, ?, ?, ?, ?)",
        sku,
        Math.max(0, row.onHand),
        row.threshold,
        Date.now(),
      );
      this.#sku = sku;
      return true;
    });
  }

  async #catalogThreshold(sku: string): Promise<number | null> {
    const row = await getDb(this.env.DB)
      .select({ threshold: products.lowStockThreshold })
      .from(products)
      .where(eq(products.sku, sku))
      .get();
    return row?.threshold ?? null;
  }

  /** The ledger with every live reservation and the sales of `orderIds`, after expiring what is due. */
  #current(now: number, orderIds: readonly string[]): Ledger {
    const ledger = this.#load(orderIds);
    const expired = expire(ledger, now);
    if (expired.effects.length === 0) return ledger;
    const released = expired.effects.flatMap((e) => (e.type === "moved" && e.orderId ? [e.orderId] : []));
    this.#apply(ledger, expired.ledger, expired.effects, "system", released, now);
    return expired.ledger;
  }

  #load(orderIds: readonly string[]): Ledger {
    const held = this.#held ?? this.#read();
    this.#held = held;
    const sales = new Map<string, Sale>();
    for (const orderId of orderIds) {
      const s = this.#sql<{ qty: number; returned: number }>(
        "SELECT qty, returned FROM sales WHERE order_id = ?",
        orderId,
      )[0];
      if (s) sales.set(orderId, { qty: s.qty, returned: s.returned === 1 });
    }
    return { ...held, sales };
  }

  /** The balance and every live reservation, from the rows. */
  #read(): Omit<Ledger, "sales"> {
    const stock = this.#sql<{ on_hand: number; low_stock_threshold: number }>(
      "SELECT on_hand, low_stock_threshold FROM stock WHERE id = 1",
    )[0];
    if (!stock) throw new Error("ProductStock used before its opening balance was adopted");
    const reservations = new Map<string, Reservation>();
    for (const r of this.#sql<{ order_id: string; qty: number; expires_at: number }>(
      "SELECT order_id, qty, expires_at FROM reservations",
    )) {
      reservations.set(r.order_id, { qty: r.qty, expiresAt: r.expires_at });
    }
    return { onHand: stock.on_hand, lowStockThreshold: stock.low_stock_threshold, reservations };
  }

  /**
   * Persists `next` (the rows of `orderIds` and the balance) together with the events of `effects`, in one
   * synchronous transaction; then re-arms the alarm, tells the viewers and starts delivery in the background.
   */
  #apply(
    prev: Ledger,
    next: Ledger,
    effects: readonly StockEffect[],
    actor: string,
    orderIds: readonly string[],
    now: number,
  ): void {
    if (prev === next && effects.length === 0) return;
    const sku = this.#sku as string;
    const batch = effects.map((effect) =>
      toEvent(
        sku,
        effect,
        effect.type === "moved" && effect.reason === "expire" ? "system" : actor,
        now,
        next.lowStockThreshold,
      ),
    );
    const sql = this.ctx.storage.sql;
    // Whatever happens below, the copy in memory is stale until the write is known to have landed.
    this.#held = null;
    this.ctx.storage.transactionSync(() => {
      if (next.onHand !== prev.onHand || next.lowStockThreshold !== prev.lowStockThreshold) {
        sql.exec(
          "UPDATE stock SET on_hand = ?, low_stock_threshold = ?, updated_at = ? WHERE id = 1",
          next.onHand,
          next.lowStockThreshold,
          now,
        );
      }
      for (const orderId of new Set(orderIds)) {
        const r = next.reservations.get(orderId);
        if (r !== prev.reservations.get(orderId)) {
          if (r) {
            sql.exec(
              "INSERT INTO reservations (order_id, qty, expires_at) VALUES (?, ?, ?) ON CONFLICT (order_id) DO UPDATE SET qty = excluded.qty, expires_at = excluded.expires_at",
              orderId,
              r.qty,
              r.expiresAt,
            );
          } else sql.exec("DELETE FROM reservations WHERE order_id = ?", orderId);
        }
        const s = next.sales.get(orderId);
        if (s && s !== prev.sales.get(orderId)) {
          sql.exec(
            "INSERT INTO sales (order_id, qty, returned, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (order_id) DO UPDATE SET qty = excluded.qty, returned = excluded.returned, updated_at = excluded.updated_at",
            orderId,
            s.qty,
            s.returned ? 1 : 0,
            now,
          );
        }
      }
      this.#outbox.append(batch);
    });
    this.#held = { onHand: next.onHand, lowStockThreshold: next.lowStockThreshold, reservations: next.reservations };
    this.#arm(now);
    if (batch.length === 0) return;
    const level = this.#level(next);
    this.#live.broadcast({
      type: "stock",
      sku: level.sku,
      available: level.available,
      at: Date.now(),
    } satisfies StockMessage);
    this.ctx.waitUntil(
      this.#flush().catch((err) =>
        console.error(
          JSON.stringify({ level: "warn", message: "stock events deferred to alarm", sku, error: String(err) }),
        ),
      ),
    );
  }

  /** Arms the one alarm for the earliest expiry, or sooner when events wait for delivery. */
  #arm(now: number): void {
    let at = this.#earliestExpiry();
    if (this.#hasOutbox()) at = Math.min(at ?? Infinity, now + OUTBOX_RETRY_MS);
    if (at === null) return;
    if (this.#alarmAt === null || at < this.#alarmAt) {
      this.#alarmAt = at;
      void this.ctx.storage.setAlarm(at);
    }
  }

  #earliestExpiry(): number | null {
    return this.#sql<{ at: number | null }>("SELECT MIN(expires_at) AS at FROM reservations")[0]?.at ?? null;
  }

  #hasOutbox(): boolean {
    return !this.#outbox.empty;
  }

  #flush = singleFlight(() => this.#drain());

  /** Delivers outbox rows oldest first and deletes each batch once D1 holds it. */
  async #drain(): Promise<void> {
    for (;;) {
      const batch = this.#outbox.peek();
      if (!batch) return;
      // The catalog's stock columns ride in the same D1 batch as the events, with the level as it is now:
      // flushes run one at a time, so the last write is the latest level. Idempotent per event id, so a
      // retry after a half-finished delivery does not fail on its own rows.
      const level = this.#level(this.#load([]));
      const snapshot = getDb(this.env.DB)
        .update(products)
        .set({ stockOnHand: level.onHand, stockReserved: level.reserved, stockAvailable: level.available })
        .where(eq(products.sku, level.sku));
      await recordAndPublish(this.env, batch.events, Date.now(), [snapshot]);
      this.#outbox.ack(batch);
    }
  }

  #level(ledger: Ledger): StockLevel {
    return { sku: this.#sku as string, ...levels(ledger) };
  }

  #sql<T extends Record<string, SqlStorageValue>>(query: string, ...bindings: unknown[]): T[] {
    return rows<T>(this.ctx.storage.sql, query, ...bindings);
  }
}

const zero = (sku: string): StockLevel => ({ sku, onHand: 0, reserved: 0, available: 0 });

/** The SKU in `/api/products/<sku>/live`, the path the Worker forwards. */
function skuFromUrl(url: string): string | null {
  const match = /\/products\/([^/]+)\/live$/.exec(new URL(url).pathname);
  if (!match?.[1]) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null;
  }
}

function toEvent(sku: string, effect: StockEffect, actor: string, now: number, threshold: number): EventEnvelope {
  const subject = `sku:${sku}`;
  switch (effect.type) {
    case "moved":
      return newEvent(
        "InventoryAdjusted",
        subject,
        {
          sku,
          reason: effect.reason,
          delta: effect.delta,
          actor,
          orderId: effect.orderId,
          before: effect.before,
          after: effect.after,
          lowStockThreshold: threshold,
        },
        now,
      );
    case "out_of_stock":
      return newEvent("OutOfStock", subject, { sku }, now);
    case "low_stock":
      return newEvent("LowStock", subject, { sku, available: effect.available, threshold: effect.threshold }, now);
  }
}
