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
 * - A hot SKU may be split across shard objects of this same class (`<sku>#shard-<i>`, docs/sharding.md): the
 *   section "a hot SKU split across shards" below; the ordinary path only reads the in-memory shard count (and
 *   counts its reservations when automatic sharding is configured: STOCK_AUTO_SHARD, off by default).
 */
import { DurableObject } from "cloudflare:workers";
import { newEvent, recordAndPublish } from "../adapters/event-bus";
import { config } from "../config";
import { getDb } from "../db/client";
import { catalogStockLevel, openingStockOf } from "../db/inventory";
import { lowStockThresholdOf } from "../db/stock-thresholds";
import { type AutoShardPolicy, LoadMeter, parseAutoShard } from "../domain/auto-shard";
import type { EventEnvelope } from "../domain/events";
import {
  type AdjustReason,
  adjust,
  alerts,
  commit,
  expire,
  extend,
  type Ledger,
  type Levels,
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
import {
  aggregateLevels,
  isShardCount,
  MAX_SHARDS,
  parseShardName,
  refillSize,
  shardName,
} from "../domain/stock-shards";
import { stockStub } from "../services/stock/stock";
import { answerPings, LiveSockets } from "./kit/live";
import { type Migrations, migrate } from "./kit/migrate";
import { OUTBOX_TABLE, Outbox } from "./kit/outbox";
import { singleFlight } from "./kit/single-flight";
import { rows } from "./kit/sql";
import { isUpgrade, reciprocateClose } from "./kit/websocket";
import { type GrantAnswer, ParentShards, SHARD_MIGRATION, ShardRole } from "./stock-shards";

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
  | { ok: false; reason: "key_seen"; level: StockLevel; orderId: string; live: boolean }
  /** The SKU is split across `shards` objects: reserve on one of them (src/services/stock-shards.ts). */
  | { ok: false; reason: "sharded"; shards: number; level: StockLevel };
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
  /** `removable`: the most units a removal could take now (of a sharded SKU: after its shards gave back their free units). */
  | { ok: false; reason: "below_reserved"; level: StockLevel; removable: number }
  | { ok: false; reason: "unknown_sku"; level: StockLevel };
export type SetShardsResult =
  | { ok: true; shards: number; level: StockLevel; returned: number; unreachable: number }
  | { ok: false; reason: "unknown_sku"; level: StockLevel };
export type LookupResult = { ok: true; level: StockLevel } | { ok: false; reason: "unknown_sku"; level: StockLevel };

export type { StockMessage };

/** What a shard learnt from its parent's last answer (see GrantAnswer). */
type RefillHint = { shards: number; skuAvailable: number; parentAvailable: number };

type ViewerAttachment = { connectedAt: number };

/** How long undelivered outbox rows wait before the alarm tries again. */
const OUTBOX_RETRY_MS = 30_000;
/** How long a refusal is remembered for its idempotency key (as long as D1 keeps an answered key). */
const REFUSAL_TTL_MS = 24 * 3600_000;
/** Expired keys are deleted at most this often (they are ignored by age meanwhile). */
const KEY_PRUNE_INTERVAL_MS = 60_000;
/** A key as `#keyRecord` finds it: refused (with the level it was refused at) or holding an order's stock. */
type KeyRecord =
  | { kind: "refused"; request_hash: string; available: number; order_id: null }
  | { kind: "reserved"; request_hash: string; available: null; order_id: string };
/** A shard reports its levels to its parent at most this often: the published count lags by about this much. */
const SHARD_REPORT_MS = 100;
/** How long a shard believes a dry parent before asking again (so refusals after a sell-out cost no parent call). */
const SHARD_DRY_MEMO_MS = 100;
/** When a shard's report or give-back failed, the alarm tries again after this long. */
const SHARD_RETRY_MS = 1_000;
/**
 * How many refill rounds one reservation waits through before refusing while the parent still has units. Every
 * round grants at least one order's worth, so this only bounds a shopper's wait in a very long queue.
 */
const SHARD_REFILL_TRIES = 20;

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
  SHARD_MIGRATION,
];

export type StockLedgerRows = {
  /** This object's own level (of a parent with shards: without theirs; of a shard: its own, under the SKU). */
  level: StockLevel;
  /** The shards this SKU ever granted units to (their ledgers hold the rest of its orders); none for a shard. */
  shards: number[];
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
  /** In a SKU's own object: its shards (count 1 and no accounts when it is not sharded). */
  readonly #shards: ParentShards;
  /** In a shard object (`<sku>#shard-<i>`): what it serves; null in a SKU's own object. */
  #role: ShardRole | null = null;
  /** Until when a shard takes its parent for dry (in memory only), and what the parent said then. */
  #dryUntil = 0;
  #dryHint: RefillHint = { shards: 1, skuAvailable: 0, parentAvailable: 0 };
  #refilling: Promise<RefillHint> | null = null;
  /**
   * Automatic sharding (STOCK_AUTO_SHARD, docs/sharding.md): counts the reservations this SKU's own object serves
   * while it is not sharded; null when off, in a shard, and once it has sharded itself.
   */
  #meter: LoadMeter | null;
  /** The bench's imitation of production's one-request-at-a-time object (STOCK_ARTIFICIAL_COST_MS; 0 = off). */
  readonly #costMs: number;
  #costTurn: Promise<void> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    answerPings(ctx);
    this.#outbox = new Outbox(ctx.storage.sql);
    this.#live = new LiveSockets(ctx, "viewer");
    this.#shards = new ParentShards(ctx.storage.sql);
    this.#costMs = Number((env as { STOCK_ARTIFICIAL_COST_MS?: string }).STOCK_ARTIFICIAL_COST_MS ?? 0) || 0;
    const auto = parseAutoShard((env as { STOCK_AUTO_SHARD?: string }).STOCK_AUTO_SHARD, MAX_SHARDS);
    this.#meter = auto ? new LoadMeter(auto) : null;
    void ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage, MIGRATIONS);
      this.#shards.load();
      this.#role = ShardRole.load(ctx.storage.sql);
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
    if (this.#costMs) await this.#cost();
    if (!(this.#serves(sku) || (await this.#adopt(sku)))) return { ok: false, reason: "unknown_sku", level: zero(sku) };
    const now = Date.now();
    if (key) {
      const known = this.#keyRecord(key.id, now);
      if (known?.kind === "refused") {
        const level = { ...this.#level(this.#current(now, [])), available: known.available };
        return known.request_hash === key.requestHash
          ? { ok: false, reason: "insufficient", level, replayed: true }
          : { ok: false, reason: "key_reused", level };
      }
      if (known && known.order_id !== orderId) {
        const ledger = this.#current(now, []);
        const level = this.#level(ledger);
        if (known.request_hash !== key.requestHash) return { ok: false, reason: "key_reused", level };
        const live = ledger.reservations.has(known.order_id);
        return { ok: false, reason: "key_seen", level, orderId: known.order_id, live };
      }
    }
    const ledger = this.#current(now, [orderId]);
    const decision = reserve(ledger, { orderId, qty, ttlMs }, now);
    if (!decision.ok && this.#role) return this.#reserveAfterRefill(orderId, qty, ttlMs);
    if (!decision.ok) {
      const level = this.#level(ledger);
      if (key) {
        this.#pruneKeys(now);
        this.ctx.storage.sql.exec(
          // A row already there is a day old (a younger one was answered above): this refusal replaces it.
          "INSERT INTO refusals (key_id, request_hash, available, at) VALUES (?, ?, ?, ?) ON CONFLICT (key_id) DO UPDATE SET request_hash = excluded.request_hash, available = excluded.available, at = excluded.at",
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
      this.#pruneKeys(now);
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
   * What this object remembers of an idempotency key younger than a day: the refusal it was answered with, or
   * the order it took stock for. One statement for both tables: a refusal in a sale reads it for a fresh key.
   */
  #keyRecord(keyId: string, now: number): KeyRecord | undefined {
    const since = now - REFUSAL_TTL_MS;
    return this.#sql<KeyRecord>(
      `SELECT 'refused' AS kind, request_hash, available, NULL AS order_id FROM refusals WHERE key_id = ? AND at > ?
       UNION ALL
       SELECT 'reserved' AS kind, request_hash, NULL AS available, order_id FROM reserved_keys WHERE key_id = ? AND at > ?
       ORDER BY kind`,
      keyId,
      since,
      keyId,
      since,
    )[0];
  }

  /** When the keys of a day ago were last forgotten (they are never read: `#keyRecord` asks for younger ones). */
  #prunedAt = 0;

  /**
   * Forgets keys older than a day, at most once a minute. Deleting them on every refusal cost a statement per
   * refusal in a sale and almost never found a row.
   */
  #pruneKeys(now: number): void {
    if (now - this.#prunedAt < KEY_PRUNE_INTERVAL_MS) return;
    this.#prunedAt = now;
    this.ctx.storage.sql.exec("DELETE FROM refusals WHERE at <= ?", now - REFUSAL_TTL_MS);
    this.ctx.storage.sql.exec("DELETE FROM reserved_keys WHERE at <= ?", now - REFUSAL_TTL_MS);
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
    if (this.#costMs) await this.#cost();
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
    if (this.#costMs) await this.#cost();
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
    if (this.#costMs) await this.#cost();
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
    if (this.#costMs) await this.#cost();
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
   * fall below what is reserved. Refreshes the low-stock threshold from the catalog first. A sharded SKU's
   * units are added to this object's own (shards refill from it); a removal larger than what this object has
   * free first takes back the shards' free units (#pullFromShards), so it is refused only when the whole SKU
   * has too little free.
   */
  async adjust(sku: string, delta: number, reason: AdjustReason, actor: string): Promise<AdjustResult> {
    if (!(this.#serves(sku) || (await this.#adopt(sku)))) return { ok: false, reason: "unknown_sku", level: zero(sku) };
    const threshold = await this.#catalogThreshold(sku);
    if (delta < 0) await this.#pullFromShards(-delta);
    // State is read only after the awaits: whatever ran meanwhile is included.
    const now = Date.now();
    const current = this.#current(now, []);
    const ledger = threshold === null ? current : { ...current, lowStockThreshold: threshold };
    const decision = adjust(ledger, { delta, reason });
    if (!decision.ok) {
      return { ok: false, reason: decision.reason, level: this.#level(current), removable: levels(current).available };
    }
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
   * The ledger as stored, for the reconciliation check (services/reconciliation.ts): this object's own level,
   * every live reservation and the sales changed since `since`, and the shards whose ledgers hold the rest of a
   * sharded SKU. Asked of a shard by its own name. Read-only; null for a SKU the catalog does not know.
   */
  async ledger(sku: string, since = 0): Promise<StockLedgerRows | null> {
    if (!(this.#serves(sku) || (await this.#adopt(sku)))) return null;
    const own = levels(this.#current(Date.now(), []));
    return {
      level: { sku: this.#role?.row.parent ?? sku, ...own },
      shards: [...this.#shards.accounts.keys()].sort((a, b) => a - b),
      reservations: this.#sql<{ order_id: string; qty: number; expires_at: number }>(
        "SELECT order_id, qty, expires_at FROM reservations ORDER BY order_id",
      ).map((r) => ({ orderId: r.order_id, qty: r.qty, expiresAt: r.expires_at })),
      sales: this.#sql<{ order_id: string; qty: number; returned: number }>(
        "SELECT order_id, qty, returned FROM sales WHERE updated_at >= ? ORDER BY order_id",
        since,
      ).map((r) => ({ orderId: r.order_id, qty: r.qty, returned: r.returned === 1 })),
    };
  }

  // ---- a hot SKU split across shards (docs/sharding.md; state in ./stock-shards.ts) -------------------------

  /**
   * The checkout's way in: an ordinary SKU reserves exactly as `reserve` does (one call, the same cost); a
   * sharded one answers `sharded` with its shard count, read from memory, so the caller reserves on a shard.
   */
  async reserveOrRedirect(
    sku: string,
    orderId: string,
    qty: number,
    ttlMs: number,
    key?: ReserveKey,
  ): Promise<ReserveResult> {
    if (this.#shards.count > 1 && this.#serves(sku)) {
      if (this.#costMs) await this.#cost();
      return {
        ok: false,
        reason: "sharded",
        shards: this.#shards.count,
        level: this.#level(this.#current(Date.now(), [])),
      };
    }
    const result = await this.reserve(sku, orderId, qty, ttlMs, key);
    if (this.#meter?.count(Date.now())) this.#autoShard();
    return result;
  }

  /**
   * The load was sustained: split the SKU as staff would (going up retires nothing, so no call is needed).
   * Only a SKU that was never sharded: one staff put back stays as they left it. Never un-shards.
   */
  #autoShard(): void {
    const policy = (this.#meter as LoadMeter).policy;
    this.#meter = null;
    if (this.#sku === null || this.#role || this.#shards.count > 1 || this.#shards.accounts.size > 0) return;
    this.#shards.setCount(policy.shards);
    console.log(JSON.stringify({ level: "info", message: "hot SKU sharded automatically", sku: this.#sku, ...policy }));
  }

  /** Turns automatic sharding on (or off) for this object until it is evicted: the bench and the one test of it. */
  setAutoShard(policy: AutoShardPolicy | null): void {
    this.#meter = policy ? new LoadMeter(policy) : null;
  }

  /**
   * Staff split the SKU across `k` shards (1: not sharded). Shards beyond the new count are told to give back
   * what they hold unsold; their live reservations and sales stay where they are until the orders end.
   * `unreachable`: shards that did not answer (each gives back by itself the next time it is asked to sell).
   */
  async setShards(sku: string, k: number): Promise<SetShardsResult> {
    if (!isShardCount(k)) throw new RangeError(`A shard count is 1 to 16, got ${k}`);
    if (parseShardName(sku)) throw new Error(`${sku} is a shard, not a SKU`);
    if (!(this.#serves(sku) || (await this.#adopt(sku)))) return { ok: false, reason: "unknown_sku", level: zero(sku) };
    this.#shards.setCount(k);
    const first = k === 1 ? 0 : k;
    const retiring = [...this.#shards.accounts.keys()].filter((i) => i >= first);
    const answers = await Promise.allSettled(
      retiring.map((i) => stockStub(this.env, shardName(sku, i)).retire(shardName(sku, i))),
    );
    let returned = 0;
    let unreachable = 0;
    for (const a of answers) {
      if (a.status === "fulfilled") returned += a.value.returned;
      else unreachable++;
    }
    return { ok: true, shards: k, level: this.#level(this.#current(Date.now(), [])), returned, unreachable };
  }

  /**
   * A shard asks for units. `received`: the grant total the shard has applied. When the parent's total is
   * ahead (the shard lost an answer), nothing more is granted: the shard applies the difference first.
   * Otherwise a batch (refillSize) moves from this object's on-hand to the shard's account in one step.
   */
  async grantShard(sku: string, index: number, want: number, received: number): Promise<GrantAnswer> {
    if (this.#costMs) await this.#cost();
    if (!(this.#serves(sku) || (await this.#adopt(sku)))) {
      return { granted: 0, active: false, shards: 1, parentAvailable: 0, skuAvailable: 0 };
    }
    const shards = this.#shards;
    const active = shards.count > 1 && index < shards.count;
    const ledger = this.#current(Date.now(), []);
    let account = shards.account(index);
    // Units granted but not applied yet (an answer lost, or another refill of this shard in flight) count first.
    const pending = Math.max(0, account.granted - received);
    if (active && pending < want) {
      const units = refillSize(levels(ledger).available, shards.count, want - pending);
      if (units > 0) {
        this.#held = null; // the balance moves outside #apply: the next call reads it again
        this.ctx.storage.transactionSync(() => {
          this.ctx.storage.sql.exec(
            "UPDATE stock SET on_hand = on_hand - ?, updated_at = ? WHERE id = 1",
            units,
            Date.now(),
          );
          account = shards.grant(index, units);
        });
      }
    }
    const parentLedger = this.#load([]);
    return {
      granted: account.granted,
      active,
      shards: shards.count,
      parentAvailable: levels(parentLedger).available,
      skuAvailable: this.#level(parentLedger).available,
    };
  }

  /** A shard's levels and running totals; the published count is rebuilt from them. */
  async shardReport(
    sku: string,
    index: number,
    report: { onHand: number; reserved: number; available: number; received: number; returned: number },
  ): Promise<void> {
    // Not charged the bench's artificial cost: ten tiny writes a second per shard, ~1% of an object.
    if (!(this.#serves(sku) || (await this.#adopt(sku)))) return;
    const before = this.#level(this.#current(Date.now(), []));
    const alerted = this.ctx.storage.transactionSync(() => {
      this.#shards.report(index, report);
      return this.#alertWhole(before);
    });
    this.#publishAggregate(alerted);
  }

  /** A shard gives units back: `returnedTotal` is its running total, so a repeat adds nothing. */
  async takeBack(sku: string, index: number, returnedTotal: number): Promise<{ ok: true }> {
    if (!(this.#serves(sku) || (await this.#adopt(sku)))) return { ok: true };
    const before = this.#level(this.#current(Date.now(), []));
    this.#held = null; // the balance moves outside #apply: the next call reads it again
    const alerted = this.ctx.storage.transactionSync(() => {
      const units = this.#shards.takeBack(index, returnedTotal);
      if (units > 0) {
        this.ctx.storage.sql.exec(
          "UPDATE stock SET on_hand = on_hand + ?, updated_at = ? WHERE id = 1",
          units,
          Date.now(),
        );
      }
      return this.#alertWhole(before);
    });
    this.#publishAggregate(alerted);
    return { ok: true };
  }

  /**
   * Before a removal of `want` units: asks the shards, one after another, for the free units this object lacks.
   * Their give-backs arrive through `takeBack` while this waits (the same path as un-sharding). A shard that does
   * not answer keeps its units; the removal then takes what is here.
   */
  async #pullFromShards(want: number): Promise<void> {
    const sku = this.#sku as string;
    for (const i of [...this.#shards.accounts.keys()]) {
      const short = want - levels(this.#current(Date.now(), [])).available;
      if (short <= 0) return;
      try {
        await stockStub(this.env, shardName(sku, i)).yieldUnits(shardName(sku, i), short);
      } catch (err) {
        console.error(
          JSON.stringify({ level: "warn", message: "shard kept its units", sku, shard: i, error: String(err) }),
        );
      }
    }
  }

  /** Asked of a shard for a staff removal: gives back up to `want` of its free units; answers how many. */
  async yieldUnits(name: string, want: number): Promise<{ returned: number }> {
    if (!this.#serves(name) || !this.#role) return { returned: 0 };
    return { returned: await this.#giveBackFree(want) };
  }

  /** Asked of a shard when the parent no longer counts it: gives back what it holds unsold. */
  async retire(name: string): Promise<{ returned: number }> {
    if (!this.#serves(name) || !this.#role) return { returned: 0 };
    this.#role.setActive(false);
    return { returned: await this.#giveBackFree() };
  }

  /** A shard had too little: ask the parent for a batch and try once more; refuse with a hint otherwise. */
  async #reserveAfterRefill(orderId: string, qty: number, ttlMs: number): Promise<ReserveResult> {
    // Concurrent shoppers on this shard share a batch; one who lost the race asks again while the parent has any.
    for (let attempt = 1; ; attempt++) {
      const hint = await this.#refill(qty);
      const now = Date.now();
      const ledger = this.#current(now, [orderId]);
      const decision = reserve(ledger, { orderId, qty, ttlMs }, now);
      if (decision.ok) {
        this.#apply(ledger, decision.ledger, decision.effects, `order:${orderId}`, [orderId], now);
        return { ok: true, level: this.#level(decision.ledger), expiresAt: decision.expiresAt };
      }
      if (attempt < SHARD_REFILL_TRIES && hint.parentAvailable > 0 && this.#role?.row.active) continue;
      return this.#shardRefusal(ledger, hint);
    }
  }

  #shardRefusal(ledger: Ledger, hint: { shards: number; skuAvailable: number }): ReserveResult {
    const level = this.#level(ledger);
    if (!this.#role?.row.active) return { ok: false, reason: "sharded", shards: hint.shards, level };
    // `available` is the whole SKU's as the parent last knew it: 0 tells the caller no sibling has any either.
    return { ok: false, reason: "insufficient", level: { ...level, available: hint.skuAvailable } };
  }

  /** One refill at a time per shard: shoppers short at the same moment share its batch instead of each asking. */
  #refill(want: number): Promise<RefillHint> {
    if (Date.now() < this.#dryUntil) return Promise.resolve(this.#dryHint);
    this.#refilling ??= this.#askParent(want).finally(() => {
      this.#refilling = null;
    });
    return this.#refilling;
  }

  async #askParent(want: number): Promise<RefillHint> {
    const role = this.#role as ShardRole;
    const answer = await stockStub(this.env, role.row.parent).grantShard(
      role.row.parent,
      role.row.index,
      want,
      role.row.received,
    );
    let units = 0;
    this.#held = null; // the balance moves outside #apply: the next call reads it again
    this.ctx.storage.transactionSync(() => {
      units = role.receive(answer.granted);
      if (units > 0) this.ctx.storage.sql.exec("UPDATE stock SET on_hand = on_hand + ? WHERE id = 1", units);
      role.setActive(answer.active);
    });
    const hint = { shards: answer.shards, skuAvailable: answer.skuAvailable, parentAvailable: answer.parentAvailable };
    if (units > 0) this.#shardChanged();
    if (answer.parentAvailable === 0) {
      this.#dryUntil = Date.now() + SHARD_DRY_MEMO_MS;
      this.#dryHint = hint;
    }
    if (!answer.active) await this.#giveBackFree();
    return hint;
  }

  /** A shard hands (up to `most` of) its unsold units back to the parent (one step here, then the call). */
  async #giveBackFree(most = Number.POSITIVE_INFINITY): Promise<number> {
    const role = this.#role as ShardRole;
    const free = Math.min(most, levels(this.#current(Date.now(), [])).available);
    if (free > 0) {
      this.#held = null; // the balance moves outside #apply: the next call reads it again
      this.ctx.storage.transactionSync(() => {
        this.ctx.storage.sql.exec("UPDATE stock SET on_hand = on_hand - ? WHERE id = 1", free);
        role.giveBack(free);
      });
    }
    if (role.owesParent) await this.#sendBack();
    this.#shardChanged();
    return free;
  }

  async #sendBack(): Promise<void> {
    const role = this.#role as ShardRole;
    const total = role.row.returned;
    try {
      await stockStub(this.env, role.row.parent).takeBack(role.row.parent, role.row.index, total);
      role.acked(total);
    } catch (err) {
      this.#retrySoon(err);
    }
  }

  /** After any change on a shard: report it (throttled), and a retired shard gives back what was freed. */
  #shardChanged(): void {
    this.ctx.waitUntil(this.#report().catch((err) => this.#retrySoon(err)));
  }

  /** One report at a time, at most one per SHARD_REPORT_MS; changes meanwhile ride on the next pass. */
  #report = singleFlight(async () => {
    const role = this.#role;
    if (!role) return;
    if (!role.row.active && levels(this.#load([])).available > 0) await this.#giveBackFree();
    const own = levels(this.#load([]));
    await stockStub(this.env, role.row.parent).shardReport(role.row.parent, role.row.index, {
      ...own,
      received: role.row.received,
      returned: role.row.returned,
    });
    await new Promise((resolve) => setTimeout(resolve, SHARD_REPORT_MS));
  });

  async #shardAlarm(): Promise<void> {
    const role = this.#role as ShardRole;
    if (!role.row.active) await this.#giveBackFree();
    else if (role.owesParent) await this.#sendBack();
    await this.#report();
  }

  #retrySoon(err: unknown): void {
    console.error(JSON.stringify({ level: "warn", message: "shard report deferred to alarm", error: String(err) }));
    const at = Date.now() + SHARD_RETRY_MS;
    if (this.#alarmAt === null || at < this.#alarmAt) {
      this.#alarmAt = at;
      void this.ctx.storage.setAlarm(at);
    }
  }

  /**
   * The parent's published count changed: tell viewers now, the catalog's D1 columns shortly. `alerted`: an
   * alert waits in the outbox; its delivery writes the columns too.
   */
  #publishAggregate(alerted = false): void {
    if (alerted) {
      this.#arm(Date.now());
      this.#deliver();
    }
    const level = this.#level(this.#load([]));
    this.#live.broadcast({
      type: "stock",
      sku: level.sku,
      available: level.available,
      at: Date.now(),
    } satisfies StockMessage);
    this.ctx.waitUntil(
      this.#writeCatalogLevel().catch((err) =>
        console.error(JSON.stringify({ level: "warn", message: "catalog level deferred", error: String(err) })),
      ),
    );
  }

  /** The catalog's stock columns for a sharded SKU, at most a few times a second (the last pass is the latest). */
  #writeCatalogLevel = singleFlight(async () => {
    const level = this.#level(this.#load([]));
    const db = getDb(this.env.DB);
    await db.batch([catalogStockLevel(db, level)]);
    await new Promise((resolve) => setTimeout(resolve, 250));
  });

  /**
   * The bench's imitation of one production object: requests take turns and each holds the object for
   * STOCK_ARTIFICIAL_COST_MS. A timer, not a busy loop: locally every object shares one workerd thread, so
   * burning CPU would slow all shards together and hide what K objects buy.
   */
  #cost(): Promise<void> {
    const turn = this.#costTurn.then(() => new Promise<void>((resolve) => setTimeout(resolve, this.#costMs)));
    this.#costTurn = turn;
    return turn;
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
    if (this.#role) await this.#shardAlarm();
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
      const shard = parseShardName(sku);
      if (shard) {
        // A shard starts empty: every unit it will sell is granted by the parent (#refill).
        this.ctx.storage.transactionSync(() => {
          this.ctx.storage.sql.exec(
            "INSERT INTO stock (id, sku, on_hand, low_stock_threshold, updated_at) VALUES (1, ?, 0, 0, ?)",
            sku,
            Date.now(),
          );
          this.#role = ShardRole.create(this.ctx.storage.sql, shard.parent, shard.index);
        });
        this.#sku = sku;
        return true;
      }
      const row = await openingStockOf(getDb(this.env.DB), sku);
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
    return (await lowStockThresholdOf(getDb(this.env.DB), sku)) ?? null;
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
    const batch = this.#events(prev, next, effects, actor, now);
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
    if (this.#role) this.#shardChanged();
    if (batch.length === 0) return;
    if (this.#role) {
      this.#deliver();
      return;
    }
    const level = this.#level(next);
    this.#live.broadcast({
      type: "stock",
      sku: level.sku,
      available: level.available,
      at: Date.now(),
    } satisfies StockMessage);
    this.#deliver();
  }

  /** Starts delivering the outbox in the background; the alarm armed with the rows retries a failure. */
  #deliver(): void {
    this.ctx.waitUntil(
      this.#flush().catch((err) =>
        console.error(
          JSON.stringify({
            level: "warn",
            message: "stock events deferred to alarm",
            sku: this.#sku,
            error: String(err),
          }),
        ),
      ),
    );
  }

  /**
   * The SKU's events for one change of this object's ledger (docs/sharding.md, "Events and alerts"):
   * - an ordinary SKU: each effect as the ledger decided it;
   * - a shard: its movements under the parent's SKU, named by `shard`, with the shard's own levels; no alerts,
   *   since one shard running dry says nothing about the SKU;
   * - a parent with shards: its movements with the SKU's whole levels (its own plus the shards'), and the
   *   alerts judged on those, so a crossing is announced once by the one object that sees the whole level.
   */
  #events(prev: Ledger, next: Ledger, effects: readonly StockEffect[], actor: string, now: number): EventEnvelope[] {
    const sku = this.#sku as string;
    const by = (e: StockEffect) => (e.type === "moved" && e.reason === "expire" ? "system" : actor);
    const role = this.#role;
    if (role) {
      return effects.flatMap((e) =>
        e.type === "moved" ? [toEvent(role.row.parent, e, by(e), now, undefined, role.row.index)] : [],
      );
    }
    if (this.#shards.accounts.size === 0)
      return effects.map((e) => toEvent(sku, e, by(e), now, next.lowStockThreshold));
    const accounts = [...this.#shards.accounts.values()];
    const whole = (l: Levels) => aggregateLevels(l, accounts);
    const moves = effects.flatMap((e) =>
      e.type === "moved"
        ? [toEvent(sku, { ...e, before: whole(e.before), after: whole(e.after) }, by(e), now, next.lowStockThreshold)]
        : [],
    );
    const crossings = alerts(whole(levels(prev)), whole(levels(next)), next.lowStockThreshold);
    return [...moves, ...crossings.map((e) => toEvent(sku, e, actor, now, next.lowStockThreshold))];
  }

  /**
   * A shard's report or give-back changed the SKU's whole level from `before`: LowStock/OutOfStock when that
   * crosses the threshold, in the same step as the change (the outbox), so each crossing is announced once.
   * Call inside the transaction that changed the accounts.
   */
  #alertWhole(before: StockLevel): boolean {
    const held = this.#load([]);
    const crossings = alerts(before, this.#level(held), held.lowStockThreshold);
    if (crossings.length === 0) return false;
    const now = Date.now();
    this.#outbox.append(crossings.map((e) => toEvent(this.#sku as string, e, "system", now, held.lowStockThreshold)));
    return true;
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
      // A shard's levels are not the SKU's: its parent writes the columns (#writeCatalogLevel).
      const level = this.#level(this.#load([]));
      const snapshot = catalogStockLevel(getDb(this.env.DB), level);
      await recordAndPublish(this.env, batch.events, Date.now(), this.#role ? [] : [snapshot]);
      this.#outbox.ack(batch);
    }
  }

  /** The SKU's level: a shard answers its own under the SKU's name; a parent adds what its shards hold. */
  #level(ledger: Ledger): StockLevel {
    if (this.#role) return { sku: this.#role.row.parent, ...levels(ledger) };
    if (this.#shards.accounts.size === 0) return { sku: this.#sku as string, ...levels(ledger) };
    return { sku: this.#sku as string, ...aggregateLevels(levels(ledger), [...this.#shards.accounts.values()]) };
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

function toEvent(
  sku: string,
  effect: StockEffect,
  actor: string,
  now: number,
  threshold: number | undefined,
  shard?: number,
): EventEnvelope {
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
          ...(threshold === undefined ? {} : { lowStockThreshold: threshold }),
          ...(shard === undefined ? {} : { shard }),
        },
        now,
      );
    case "out_of_stock":
      return newEvent("OutOfStock", subject, { sku }, now);
    case "low_stock":
      return newEvent("LowStock", subject, { sku, available: effect.available, threshold: effect.threshold }, now);
  }
}
