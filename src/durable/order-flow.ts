/**
 * OrderFlow: one object per order (`env.ORDER_FLOW.getByName(orderId)`), the authority on the order's state.
 * A thin shell over src/domain/order-machine.ts (what may happen), src/domain/pricing.ts (amendments) and the
 * ProductStock objects (the stock): load, ask the domain, act, persist, announce.
 *
 * Platform invariants this file relies on:
 * - Commands (RPC methods that change the order, the alarm, payment and fraud outcomes) run one at a time
 *   through `#serial`: a command awaits ProductStock calls, and the runtime would otherwise let other calls
 *   interleave during those awaits. Nothing inside a command calls back into this object, so it cannot
 *   deadlock; gateway calls (whose webhooks do call back) run outside the chain, in `#drainTasks`.
 * - Every change is one synchronous `transactionSync`: the order document, its timeline entry, payment
 *   attempts, payment tasks, deadlines and the outbox events are written together, then broadcast.
 * - The outbox and the D1 mirror (`orders`, `order_items`, `payments`) are delivered together in one D1 batch
 *   after each command; a failure leaves them marked and the alarm retries. Order events carry the version
 *   as `sequence`.
 * - Deadlines are rows, one alarm is armed at the earliest; `alarm()` judges by the order's state, so a stale
 *   or repeated alarm does nothing.
 * - Expected failures are result unions (errors thrown over RPC lose their fields); only bugs throw.
 */
import { DurableObject } from "cloudflare:workers";
import type { BatchItem } from "drizzle-orm/batch";
import { config } from "../config";
import { getDb } from "../db/client";
import { orderMirror } from "../db/order-mirror";
import type { EventEnvelope } from "../domain/events";
import {
  type Actor,
  decide,
  JOIN_COMMAND,
  joinPayment,
  type OrderCommand,
  type OrderStatus,
  orderMessage,
  REVIEW_HOLD_MS,
  type TimelineEntry,
} from "../domain/order-machine";
import { type CatalogEntry, catalogOf, type Line, mergeLines, type PricedItem, priceOrder } from "../domain/pricing";
import { newId } from "../lib/ids";
import { newEvent, outboxInserts, sendToQueue } from "../services/event-bus";
import type { GatewayOutcome } from "../services/payment-gateway";
import { type PaymentTask, runPaymentTask } from "../services/payments";
import { stockStub } from "../services/stock";
import type {
  ApplyResult,
  Attempt,
  By,
  Change,
  CommandResult,
  CommandTiming,
  CreateInput,
  Failure,
  FraudResult,
  OrderDoc,
  OrderView,
  PayResult,
  Risk,
  StaffOrderView,
  StoredTask,
  Viewer,
} from "./order-flow-model";
import { orderView } from "./order-view";
import type { ReserveResult } from "./product-stock";
import { singleFlight } from "./single-flight";
import { isUpgrade, reciprocateClose } from "./websocket";

export type {
  Address,
  ApplyResult,
  By,
  CommandResult,
  CommandTiming,
  CreateInput,
  Failure,
  FraudResult,
  OrderView,
  PaymentSummary,
  PayResult,
  Risk,
  StaffOrderView,
  Viewer,
} from "./order-flow-model";

const ORDER_TAG = "order";
/** Retry delay for a failed delivery or payment task (doubles per try, capped). */
const RETRY_BASE_MS = 5_000;
const RETRY_MAX_MS = 5 * 60_000;
/** How long a change may wait for delivery before the alarm delivers it (normally it is delivered at once). */
const DELIVERY_GRACE_MS = 30_000;
const OUTBOX_BATCH = 50;

/** The object's SQLite schema, one entry per version; never edit an entry, append a new one. */
const MIGRATIONS: readonly (readonly string[])[] = [
  [
    "CREATE TABLE doc (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL)",
    "CREATE TABLE timeline (version INTEGER PRIMARY KEY, status TEXT NOT NULL, at INTEGER NOT NULL, note TEXT)",
    "CREATE TABLE attempts (payment_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, body TEXT NOT NULL)",
    `CREATE TABLE tasks (
       seq INTEGER PRIMARY KEY AUTOINCREMENT,
       id TEXT NOT NULL UNIQUE,
       body TEXT NOT NULL,
       tries INTEGER NOT NULL DEFAULT 0,
       next_at INTEGER NOT NULL,
       inflight INTEGER NOT NULL DEFAULT 0
     )`,
    "CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, event TEXT NOT NULL)",
    "CREATE TABLE deadlines (kind TEXT PRIMARY KEY, at INTEGER NOT NULL)",
    // `dirty` counts changes not yet mirrored to D1; a flush clears only the count it saw.
    "CREATE TABLE sync (id INTEGER PRIMARY KEY CHECK (id = 1), dirty INTEGER NOT NULL)",
    "INSERT INTO sync (id, dirty) VALUES (1, 0)",
  ],
];

const fail = (code: Failure["code"], message: string, details?: unknown): Failure =>
  details === undefined ? { ok: false, code, message } : { ok: false, code, message, details };

const money = (cents: number, currency: string) => `${(cents / 100).toFixed(2)} ${currency}`;

export class OrderFlow extends DurableObject<Env> {
  /** Time the current command spent waiting on ProductStock objects (Server-Timing). */
  #stockMs = 0;
  #chain: Promise<unknown> = Promise.resolve();
  #alarmAt: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Pings are answered by the runtime without waking a hibernated object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    void ctx.blockConcurrencyWhile(async () => {
      this.#migrate();
      this.#alarmAt = await ctx.storage.getAlarm();
    });
  }

  // ---- RPC: shopper commands ---------------------------------------------------------------------------------

  /**
   * Places the order: reserves every line on its ProductStock (all or nothing: whatever was taken is released
   * on any failure) and moves pending → reserved with `expiresAt = now + RESERVATION_TTL_MS`. Calling it again
   * for the same order answers the order as it is.
   */
  async create(input: CreateInput): Promise<CommandResult> {
    return this.#command(() => this.#create(input), "owner");
  }

  /** The order as `viewer` may see it. */
  async view(viewer: Viewer): Promise<CommandResult> {
    const doc = this.#doc();
    return doc ? { ok: true, order: this.#viewOf(doc, viewer) } : fail("not_found", "No such order");
  }

  /**
   * Starts a payment attempt: reserved/payment_failed → payment_pending with a new payment id, every
   * reservation extended to at least now + PAYMENT_TIMEOUT_MS, and PaymentInitiated for the Payment and Fraud
   * services. `token` is a gateway token, never a card number.
   */
  async pay(input: {
    token: string;
    methodLabel: string;
    ip: string | null;
    country: string | null;
  }): Promise<PayResult> {
    let paymentId = "";
    const result = await this.#command(async () => {
      const r = await this.#pay(input);
      if (r.ok) paymentId = r.paymentId;
      return r.ok ? { ok: true as const, doc: r.doc } : r;
    }, "owner");
    return result.ok ? { ok: true, order: result.order, paymentId } : result;
  }

  /** Cancels (reserved/payment_failed/on_hold: void + release; confirmed: refund + return stock). Twice is harmless. */
  async cancel(by: By): Promise<CommandResult> {
    return this.#command(() => this.#cancelCommand(by), by.actor);
  }

  /**
   * Replaces the order's lines. While reserved: resizes, adds and releases reservations and reprices from
   * `catalog`. While confirmed: decreases only, at the prices paid, refunding the difference.
   */
  async amend(input: { lines: Line[]; catalog: CatalogEntry[] }): Promise<CommandResult> {
    return this.#command(() => this.#amend(input), "owner");
  }

  /** Links a guest order to the account of the signed-in customer holding its access token. */
  async claim(customerId: string): Promise<CommandResult> {
    return this.#command(async () => {
      const doc = this.#doc();
      if (!doc) return fail("not_found", "No such order");
      if (doc.customerId === customerId) return { ok: true as const, doc };
      if (doc.customerId !== null) return fail("not_found", "No such order");
      const next = { ...doc, customerId, updatedAt: Date.now() };
      this.#write({ doc: next });
      return { ok: true as const, doc: next };
    }, "owner");
  }

  // ---- RPC: staff commands -----------------------------------------------------------------------------------

  /** confirmed → shipped with a tracking number. */
  async ship(input: { trackingNumber: string; by: By }): Promise<CommandResult> {
    return this.#command(async () => {
      const doc = this.#doc();
      if (!doc) return fail("not_found", "No such order");
      const d = this.#decide(doc, "ship", input.by.actor);
      if (!d.ok) return d;
      const next = { ...doc, status: d.to, trackingNumber: input.trackingNumber };
      return this.#transition(next, `Shipped, tracking ${input.trackingNumber}`, (sequence) => [
        newEvent("OrderShipped", `order:${doc.id}`, {
          orderId: doc.id,
          sequence,
          email: doc.email,
          customerId: doc.customerId,
          trackingNumber: input.trackingNumber,
        }),
      ]);
    }, "staff");
  }

  /** shipped → delivered. */
  async deliver(input: { by: By }): Promise<CommandResult> {
    return this.#command(async () => {
      const doc = this.#doc();
      if (!doc) return fail("not_found", "No such order");
      const d = this.#decide(doc, "deliver", input.by.actor);
      if (!d.ok) return d;
      return this.#transition({ ...doc, status: d.to }, "Delivered", (sequence) => [
        newEvent("OrderDelivered", `order:${doc.id}`, {
          orderId: doc.id,
          sequence,
          email: doc.email,
          customerId: doc.customerId,
        }),
      ]);
    }, "staff");
  }

  /** on_hold → confirmed (stock committed, capture requested). The payment must be authorized. */
  async approve(input: { note: string | null; by: By }): Promise<CommandResult> {
    return this.#command(async () => {
      const doc = this.#doc();
      if (!doc) return fail("not_found", "No such order");
      const d = this.#decide(doc, "approve", input.by.actor);
      if (!d.ok) return d;
      const attempt = doc.currentPaymentId ? this.#attempt(doc.currentPaymentId) : null;
      if (attempt?.auth !== "authorized") {
        return fail("invalid_state", "The payment is not authorized yet; approve once it is");
      }
      const approved: Attempt = { ...attempt, fraud: "approved", updatedAt: Date.now() };
      return this.#confirm(doc, approved, [], `Approved after review${input.note ? `: ${input.note}` : ""}`);
    }, "staff");
  }

  /** on_hold → cancelled (payment voided, stock released). */
  async reject(input: { note: string | null; by: By }): Promise<CommandResult> {
    return this.#command(async () => {
      const doc = this.#doc();
      if (!doc) return fail("not_found", "No such order");
      const d = this.#decide(doc, "reject", input.by.actor);
      if (!d.ok) return d;
      return this.#cancelFlow(doc, {
        to: d.to,
        reason: "rejected_after_review",
        by: input.by.id,
        note: `Rejected after review${input.note ? `: ${input.note}` : ""}`,
      });
    }, "staff");
  }

  /**
   * A full refund: a confirmed order is cancelled (stock back); a shipped or delivered order keeps its status
   * and gets a timeline entry (the goods are out). Refunding a fully refunded order is `invalid_state`.
   */
  async refund(input: { by: By }): Promise<CommandResult> {
    return this.#command(async () => {
      const doc = this.#doc();
      if (!doc) return fail("not_found", "No such order");
      const d = this.#decide(doc, "refund", input.by.actor);
      if (!d.ok) return d;
      const attempt = doc.currentPaymentId ? this.#attempt(doc.currentPaymentId) : null;
      const refundable = attempt ? attempt.amountCents - doc.refundedCents : 0;
      if (!attempt || refundable <= 0) return fail("invalid_state", "Nothing left to refund on this order");
      if (d.to === "cancelled") {
        return this.#cancelFlow(doc, { to: d.to, reason: "refunded", by: input.by.id, note: "Refunded in full" });
      }
      const next = { ...doc, refundedCents: doc.refundedCents + refundable };
      return this.#transition(next, `Refunded ${money(refundable, doc.totals.currency)}`, () => [], {
        tasks: [this.#task("refund", attempt, refundable)],
      });
    }, "staff");
  }

  // ---- RPC: outcomes from the Payment and Fraud services -----------------------------------------------------

  /**
   * Applies a gateway outcome (from the synchronous answer or the webhook, whichever comes first). Each outcome
   * is applied once: an authorization/decline only while the attempt is pending, a capture/void/refund only
   * against the task that asked for it. Records PaymentProcessed with the change.
   */
  async applyPayment(outcome: GatewayOutcome & { taskId?: string }): Promise<ApplyResult> {
    const result = await this.#serial(() => this.#applyPayment(outcome));
    await this.#settle();
    return result;
  }

  /** Records the fraud decision for a payment attempt (first one wins) and moves the order on. */
  async applyFraud(input: { paymentId: string; assessment: Risk }): Promise<FraudResult> {
    const result = await this.#serial(() => this.#applyFraud(input));
    await this.#settle();
    return result;
  }

  // ---- WebSockets ----------------------------------------------------------------------------------------------

  /**
   * Accepts a viewer's WebSocket (the Worker has authorized it) with the Hibernation API. With `?since=<v>`
   * every timeline entry after version v is sent first; then `{type:"order", status, version, entry}` live.
   */
  override async fetch(request: Request): Promise<Response> {
    if (!isUpgrade(request)) {
      return new Response("Expected a WebSocket upgrade", { status: 426 });
    }
    const doc = this.#doc();
    if (!doc) return new Response("No such order", { status: 404 });
    const since = new URL(request.url).searchParams.get("since");
    const pair = new WebSocketPair();
    const server = pair[1];
    this.ctx.acceptWebSocket(server, [ORDER_TAG]);
    server.serializeAttachment({ viewer: request.headers.get("x-order-viewer") ?? "owner", connectedAt: Date.now() });
    if (since !== null) {
      for (const entry of this.#timeline(Number(since))) server.send(JSON.stringify(orderMessage(entry)));
    }
    return new Response(null, { status: 101, webSocket: pair[0] });
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

  // ---- alarm -------------------------------------------------------------------------------------------------

  /**
   * Runs what is due: reservation expiry, payment timeout, review-hold expiry (each judged by the order's state,
   * so running twice does nothing more), then retries deliveries and payment tasks. Never throws: failures
   * are retried by the alarm it re-arms.
   */
  override async alarm(): Promise<void> {
    this.#alarmAt = null;
    this.ctx.storage.sql.exec("DELETE FROM deadlines WHERE kind = 'retry'");
    try {
      await this.#serial(() => this.#runDeadlines(Date.now()));
    } catch (err) {
      this.#retryLater("deadline", err);
    }
    await this.#settle();
    await this.#drainTasks();
    this.#arm();
  }

  // ---- commands ------------------------------------------------------------------------------------------------

  async #create(input: CreateInput): Promise<{ ok: true; doc: OrderDoc } | Failure> {
    const existing = this.#doc();
    if (existing) {
      return existing.id === input.orderId ? { ok: true, doc: existing } : fail("invalid_state", "Order exists");
    }
    const d = decide("pending", "reserve", "system");
    if (!d.ok) throw new Error("the machine must let a pending order be reserved");
    const cfg = config(this.env);
    const now = Date.now();
    const orderId = input.orderId;
    const reserving = Date.now();
    // The checkout route reserves before creating the object and says so; reserving again would only repeat it.
    const results: PromiseSettledResult<ReserveResult>[] =
      input.reservedUntil !== undefined
        ? []
        : await Promise.allSettled(
            input.items.map((i) => stockStub(this.env, i.sku).reserve(i.sku, orderId, i.qty, cfg.reservationTtlMs)),
          );
    this.#stockMs += Date.now() - reserving;
    const rejected = results.find((r) => r.status === "rejected");
    const refused = results.flatMap((r, i) => (r.status === "fulfilled" && !r.value.ok ? [{ r: r.value, i }] : []));
    if (rejected || refused.length > 0) {
      await this.#releaseAll(orderId, input.items, "release");
      if (rejected) throw rejected.reason;
      const unknown = refused.filter(({ r }) => !r.ok && r.reason === "unknown_sku");
      if (unknown.length > 0) {
        return fail(
          "validation_failed",
          "Some items are not for sale",
          unknown.map(({ i }) => ({
            path: `items.${input.items[i]?.sku}`,
            sku: input.items[i]?.sku,
            message: "unknown_sku",
          })),
        );
      }
      return fail(
        "out_of_stock",
        "Some items are not available in the quantity asked for",
        refused.map(({ r, i }) => ({
          sku: input.items[i]?.sku,
          requested: input.items[i]?.qty,
          available: r.level.available,
        })),
      );
    }
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
      expiresAt: input.reservedUntil ?? now + cfg.reservationTtlMs,
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
    return this.#transition(doc, "Order placed; stock reserved", (sequence) => [
      newEvent("OrderPlaced", `order:${orderId}`, {
        orderId,
        sequence,
        customerId: doc.customerId,
        email: doc.email,
        items: doc.items.map(eventItem),
        totalCents: doc.totals.totalCents,
        currency: doc.totals.currency,
      }),
    ]);
  }

  async #pay(input: {
    token: string;
    methodLabel: string;
    ip: string | null;
    country: string | null;
  }): Promise<{ ok: true; doc: OrderDoc; paymentId: string } | Failure> {
    const doc = this.#doc();
    if (!doc) return fail("not_found", "No such order");
    const d = this.#decide(doc, "pay", "owner");
    if (!d.ok) return d;
    const cfg = config(this.env);
    const now = Date.now();
    if (doc.expiresAt === null || now >= doc.expiresAt) {
      await this.#expire(doc, now);
      return fail("invalid_state", "The reservation for this order has expired");
    }
    const holdUntil = Math.max(doc.expiresAt, now + cfg.paymentTimeoutMs);
    if (!(await this.#holdStock(doc, holdUntil, now))) {
      await this.#expire(doc, now);
      return fail("invalid_state", "The reservation for this order has expired");
    }
    const attemptNo = doc.attempts + 1;
    const attempt: Attempt = {
      id: newId("pay"),
      seq: attemptNo,
      token: input.token,
      methodLabel: input.methodLabel,
      amountCents: doc.totals.totalCents,
      currency: doc.totals.currency,
      auth: "pending",
      fraud: "pending",
      risk: null,
      status: "pending",
      declineCode: null,
      capturedCents: 0,
      refundedCents: 0,
      abandoned: false,
      createdAt: now,
      updatedAt: now,
    };
    const next: OrderDoc = {
      ...doc,
      status: d.to,
      expiresAt: holdUntil,
      paymentDeadline: now + cfg.paymentTimeoutMs,
      currentPaymentId: attempt.id,
      attempts: attemptNo,
      risk: null,
    };
    const r = this.#transition(
      next,
      `Payment ${attemptNo} started (${input.methodLabel})`,
      (sequence) => [
        newEvent("PaymentInitiated", `order:${doc.id}`, {
          orderId: doc.id,
          sequence,
          paymentId: attempt.id,
          amountCents: attempt.amountCents,
          currency: attempt.currency,
          token: input.token,
          email: doc.email,
          customerId: doc.customerId,
          ip: input.ip,
          country: input.country ?? "",
          attempt: attemptNo,
        }),
      ],
      { attempts: [attempt] },
    );
    return { ...r, paymentId: attempt.id };
  }

  async #cancelCommand(by: By): Promise<{ ok: true; doc: OrderDoc } | Failure> {
    const doc = this.#doc();
    if (!doc) return fail("not_found", "No such order");
    const d = this.#decide(doc, "cancel", by.actor);
    if (!d.ok) return d;
    if (d.noop) return { ok: true, doc };
    return this.#cancelFlow(doc, {
      to: d.to,
      reason: by.actor === "staff" ? "cancelled_by_staff" : "cancelled_by_customer",
      by: by.id,
      note: by.actor === "staff" ? "Cancelled by staff" : "Cancelled by the customer",
    });
  }

  async #amend(input: { lines: Line[]; catalog: CatalogEntry[] }): Promise<{ ok: true; doc: OrderDoc } | Failure> {
    const doc = this.#doc();
    if (!doc) return fail("not_found", "No such order");
    const d = this.#decide(doc, "amend", "owner");
    if (!d.ok) return d;
    const cfg = config(this.env);
    const now = Date.now();
    const wanted = mergeLines(input.lines);
    const before = new Map(doc.items.map((i) => [i.sku, i.qty]));
    const after = new Map(wanted.map((l) => [l.sku, l.qty]));
    const unchanged = before.size === after.size && [...after].every(([sku, qty]) => before.get(sku) === qty);
    if (unchanged) return { ok: true, doc };

    if (doc.status === "confirmed") {
      const grows = [...after].filter(([sku, qty]) => qty > (before.get(sku) ?? 0));
      if (grows.length > 0) {
        return fail("invalid_state", "A paid order can only be reduced; place a new order for more", {
          skus: grows.map(([sku]) => sku),
        });
      }
      const priced = priceOrder(wanted, catalogOf(doc.items), cfg, { maxShippingCents: doc.totals.shippingCents });
      if (!priced.ok) return fail("validation_failed", "The amendment is not valid", priced.issues);
      const attempt = doc.currentPaymentId ? this.#attempt(doc.currentPaymentId) : null;
      if (!attempt) throw new Error("a confirmed order has a payment");
      await Promise.all(
        [...before].map(([sku, qty]) => {
          const wantedQty = after.get(sku) ?? 0;
          if (wantedQty === qty) return null;
          const stock = stockStub(this.env, sku);
          return wantedQty === 0 ? stock.release(sku, doc.id, "return") : stock.resize(sku, doc.id, wantedQty);
        }),
      );
      const refund = doc.totals.totalCents - priced.totals.totalCents;
      const next = { ...doc, items: priced.items, totals: priced.totals, refundedCents: doc.refundedCents + refund };
      return this.#transition(
        next,
        `Amended; ${money(refund, doc.totals.currency)} refunded`,
        (sequence) => [amendedEvent(doc, next, sequence)],
        { tasks: refund > 0 ? [this.#task("refund", attempt, refund)] : [] },
      );
    }

    // reserved: reprice from the catalog, then move the reservations.
    const priced = priceOrder(wanted, new Map(input.catalog.map((e) => [e.sku, e])), cfg);
    if (!priced.ok) {
      return fail(
        "validation_failed",
        "Some items are not for sale",
        priced.issues.map((i) => ({ path: `items.${i.sku}`, sku: i.sku, message: i.reason })),
      );
    }
    if (doc.expiresAt === null || now >= doc.expiresAt) {
      await this.#expire(doc, now);
      return fail("invalid_state", "The reservation for this order has expired");
    }
    const ttl = doc.expiresAt - now;
    const growth = [...after].filter(([sku, qty]) => qty > (before.get(sku) ?? 0));
    const grown = await Promise.allSettled(
      growth.map(([sku, qty]) =>
        before.has(sku)
          ? stockStub(this.env, sku).resize(sku, doc.id, qty)
          : stockStub(this.env, sku).reserve(sku, doc.id, qty, ttl),
      ),
    );
    const failed = grown.flatMap((r, i) => (r.status === "rejected" || !r.value.ok ? [i] : []));
    if (failed.length > 0) {
      // Undo the growth that did happen: shrink back, or drop reservations that are new.
      await Promise.all(
        growth.map(([sku], i) => {
          const r = grown[i];
          if (!r || r.status === "rejected" || !r.value.ok) return null;
          const old = before.get(sku);
          return old
            ? stockStub(this.env, sku).resize(sku, doc.id, old)
            : stockStub(this.env, sku).release(sku, doc.id, "release");
        }),
      );
      const thrown = grown.find((r) => r.status === "rejected");
      if (thrown && thrown.status === "rejected") throw thrown.reason;
      return fail(
        "out_of_stock",
        "Some items are not available in the quantity asked for",
        failed.map((i) => {
          const r = grown[i];
          const [sku, qty] = growth[i] ?? ["", 0];
          return { sku, requested: qty, available: r?.status === "fulfilled" ? r.value.level.available : 0 };
        }),
      );
    }
    await Promise.all(
      [...before].map(([sku, qty]) => {
        const wantedQty = after.get(sku) ?? 0;
        if (wantedQty >= qty) return null;
        const stock = stockStub(this.env, sku);
        return wantedQty === 0 ? stock.release(sku, doc.id, "release") : stock.resize(sku, doc.id, wantedQty);
      }),
    );
    const next = { ...doc, items: priced.items, totals: priced.totals };
    return this.#transition(next, "Amended", (sequence) => [amendedEvent(doc, next, sequence)]);
  }

  async #applyPayment(outcome: GatewayOutcome & { taskId?: string }): Promise<ApplyResult> {
    const doc = this.#doc();
    if (!doc) return { ok: false, reason: "unknown_order" };
    const attempt = this.#attempt(outcome.paymentId);
    if (!attempt) return { ok: false, reason: "unknown_payment" };
    const now = Date.now();
    const dup = { ok: true as const, applied: false, status: doc.status };
    const processed = (a: Attempt, status: GatewayOutcome["status"], amountCents: number) =>
      newEvent("PaymentProcessed", `payment:${a.id}`, {
        paymentId: a.id,
        orderId: doc.id,
        subscriptionId: null,
        status,
        amountCents,
        currency: a.currency,
        ...(status === "declined" && a.declineCode ? { declineCode: a.declineCode } : {}),
      });

    if (outcome.status === "authorized" || outcome.status === "declined") {
      if (attempt.auth !== "pending") return dup;
      const next: Attempt = {
        ...attempt,
        auth: outcome.status,
        status: outcome.status,
        declineCode: outcome.status === "declined" ? (outcome.declineCode ?? "declined") : null,
        updatedAt: now,
      };
      const event = processed(next, outcome.status, next.amountCents);
      const live =
        doc.currentPaymentId === attempt.id &&
        !attempt.abandoned &&
        (doc.status === "payment_pending" || doc.status === "on_hold");
      if (!live) {
        // Too late for this order (cancelled, timed out, or superseded): never keep the money.
        const tasks = outcome.status === "authorized" ? [this.#task("void", next, next.amountCents)] : [];
        this.#write({ doc, events: [event], attempts: [next], tasks });
        return { ok: true, applied: true, status: doc.status };
      }
      const r = await this.#advance(doc, next, [event]);
      return { ok: true, applied: true, status: r.ok ? r.doc.status : doc.status };
    }

    const kind = outcome.status === "captured" ? "capture" : outcome.status === "voided" ? "void" : "refund";
    const task = this.#pendingTask(attempt.id, kind, outcome.amountCents, outcome.taskId);
    if (!task) return dup;
    const next: Attempt = { ...attempt, updatedAt: now };
    if (kind === "capture") {
      next.status = "captured";
      next.capturedCents = outcome.amountCents;
    } else if (kind === "void") {
      next.status = "voided";
    } else {
      next.refundedCents = attempt.refundedCents + outcome.amountCents;
      if (next.refundedCents >= next.capturedCents) next.status = "refunded";
    }
    this.#write({
      doc,
      events: [processed(next, outcome.status, outcome.amountCents)],
      attempts: [next],
      dropTasks: [task.id],
    });
    return { ok: true, applied: true, status: doc.status };
  }

  async #applyFraud(input: { paymentId: string; assessment: Risk }): Promise<FraudResult> {
    const doc = this.#doc();
    if (!doc) return { ok: false, reason: "unknown_order" };
    const attempt = this.#attempt(input.paymentId);
    if (!attempt) return { ok: false, reason: "unknown_payment" };
    if (attempt.fraud !== "pending" && attempt.risk) return { ok: true, recorded: attempt.risk, status: doc.status };
    const risk = input.assessment;
    const next: Attempt = { ...attempt, fraud: risk.decision, risk, updatedAt: Date.now() };
    const current = doc.currentPaymentId === attempt.id && !attempt.abandoned;
    const live =
      current &&
      (doc.status === "payment_pending" ||
        doc.status === "on_hold" ||
        (doc.status === "payment_failed" && risk.decision === "reject"));
    if (!live) {
      this.#write({ doc: current ? { ...doc, risk } : doc, attempts: [next] });
      return { ok: true, recorded: risk, status: doc.status };
    }
    const r = await this.#advance({ ...doc, risk }, next, []);
    return { ok: true, recorded: risk, status: r.ok ? r.doc.status : doc.status };
  }

  /**
   * Moves the order on after the current attempt's authorization or fraud decision changed: confirm when
   * both are favourable, hold for review, decline, or cancel as fraud (DESIGN.md: confirmed only when both
   * the authorization and the fraud pass have arrived, in either order).
   */
  async #advance(
    doc: OrderDoc,
    attempt: Attempt,
    extra: EventEnvelope[],
  ): Promise<{ ok: true; doc: OrderDoc } | Failure> {
    const outcome = joinPayment(attempt.auth, attempt.fraud);
    const command = JOIN_COMMAND[outcome];
    const d = command ? decide(doc.status, command, "system") : null;
    if (!command || !d?.ok || d.noop || d.to === doc.status) {
      this.#write({ doc, events: extra, attempts: [attempt] });
      return { ok: true, doc };
    }
    const now = Date.now();
    const cfg = config(this.env);
    switch (command) {
      case "confirm":
        return this.#confirm(doc, attempt, extra, "Payment authorized and checks passed");
      case "hold": {
        const holdUntil = now + REVIEW_HOLD_MS;
        if (!(await this.#holdStock(doc, holdUntil, now))) return this.#stockLost(doc, attempt, extra);
        const next = { ...doc, status: d.to, paymentDeadline: null, holdUntil, expiresAt: holdUntil };
        return this.#transition(next, `Held for review (risk score ${attempt.risk?.score ?? "?"})`, () => [], {
          events: extra,
          attempts: [attempt],
        });
      }
      case "decline": {
        const expiresAt = Math.min(doc.expiresAt ?? now, now + cfg.reservationTtlMs);
        const next = { ...doc, status: d.to, paymentDeadline: null, holdUntil: null, expiresAt };
        return this.#transition(next, `Payment declined (${attempt.declineCode ?? "declined"})`, () => [], {
          events: extra,
          attempts: [attempt],
        });
      }
      case "fraud_reject":
        return this.#cancelFlow(
          doc,
          {
            to: d.to,
            reason: "fraud",
            by: "fraud",
            note: `Cancelled: payment refused by the fraud check (risk score ${attempt.risk?.score ?? "?"})`,
          },
          { attempts: [attempt], events: extra },
        );
      default:
        throw new Error(`unexpected join command ${command}`);
    }
  }

  /** Commits the stock and confirms: capture requested, OrderConfirmed. */
  async #confirm(
    doc: OrderDoc,
    attempt: Attempt,
    extra: EventEnvelope[],
    note: string,
  ): Promise<{ ok: true; doc: OrderDoc } | Failure> {
    const approved = attempt.fraud === "approved";
    const d = this.#decide(doc, approved ? "approve" : "confirm", approved ? "staff" : "system");
    if (!d.ok) return d;
    if (!(await this.#commitStock(doc))) return this.#stockLost(doc, attempt, extra);
    const next = { ...doc, status: d.to, expiresAt: null, paymentDeadline: null, holdUntil: null };
    return this.#transition(
      next,
      note,
      (sequence) => [
        newEvent("OrderConfirmed", `order:${doc.id}`, {
          orderId: doc.id,
          sequence,
          customerId: doc.customerId,
          email: doc.email,
          items: doc.items.map(eventItem),
          totalCents: doc.totals.totalCents,
          currency: doc.totals.currency,
        }),
      ],
      { events: extra, attempts: [attempt], tasks: [this.#task("capture", attempt, attempt.amountCents)] },
    );
  }

  async #stockLost(
    doc: OrderDoc,
    attempt: Attempt,
    extra: EventEnvelope[],
  ): Promise<{ ok: true; doc: OrderDoc } | Failure> {
    const d = this.#decide(doc, "stock_unavailable", "system");
    if (!d.ok) return d;
    return this.#cancelFlow(
      doc,
      {
        to: d.to,
        reason: "stock_unavailable",
        by: "system",
        note: "Cancelled: the reserved stock was no longer available",
      },
      { attempts: [attempt], events: extra },
    );
  }

  /**
   * Cancels: stock back (reservations released, a confirmed order's sale returned), the payment voided when
   * only authorized or refunded when captured (capture is requested at confirmation, so a confirmed order is
   * refunded after its capture: tasks run in order), OrderCancelled.
   */
  async #cancelFlow(
    doc: OrderDoc,
    opts: { to: OrderStatus; reason: string; by: string; note: string; expire?: boolean },
    carry: { attempts?: Attempt[]; events?: EventEnvelope[] } = {},
  ): Promise<{ ok: true; doc: OrderDoc } | Failure> {
    const wasConfirmed = doc.status === "confirmed";
    await this.#releaseAll(doc.id, doc.items, wasConfirmed ? "return" : opts.expire ? "expire" : "release");
    const carried = new Map((carry.attempts ?? []).map((a) => [a.id, a]));
    const attempts = this.#attempts().map((a) => carried.get(a.id) ?? a);
    const tasks: PaymentTask[] = [];
    let refund = 0;
    if (wasConfirmed) {
      const current = attempts.find((a) => a.id === doc.currentPaymentId);
      if (current) {
        refund = current.amountCents - doc.refundedCents;
        if (refund > 0) tasks.push(this.#task("refund", current, refund));
      }
    } else {
      const queued = new Set(this.#tasks().map((t) => `${t.kind}:${t.paymentId}`));
      for (const a of attempts) {
        if (a.status === "authorized" && !queued.has(`void:${a.id}`)) tasks.push(this.#task("void", a, a.amountCents));
      }
    }
    const next: OrderDoc = {
      ...doc,
      status: opts.to,
      expiresAt: null,
      paymentDeadline: null,
      holdUntil: null,
      refundedCents: doc.refundedCents + Math.max(0, refund),
    };
    return this.#transition(
      next,
      opts.note,
      (sequence) => [
        newEvent("OrderCancelled", `order:${doc.id}`, {
          orderId: doc.id,
          sequence,
          email: doc.email,
          customerId: doc.customerId,
          reason: opts.reason,
          by: opts.by,
          refundedCents: Math.max(0, refund),
        }),
      ],
      { events: carry.events, attempts: [...carried.values()], tasks },
    );
  }

  /** Cancels an order whose reservation is over (the stock goes back as "expire"). */
  async #expire(doc: OrderDoc, _now: number): Promise<void> {
    const d = decide(doc.status, "expire", "system");
    if (!d.ok) return;
    await this.#cancelFlow(doc, {
      to: d.to,
      reason: "expired",
      by: "system",
      note: "Reservation expired",
      expire: true,
    });
  }

  async #runDeadlines(now: number): Promise<void> {
    const doc = this.#doc();
    if (!doc) return;
    switch (doc.status) {
      case "reserved":
      case "payment_failed":
        if (doc.expiresAt !== null && now >= doc.expiresAt) await this.#expire(doc, now);
        return;
      case "on_hold":
        if (doc.holdUntil !== null && now >= doc.holdUntil) {
          await this.#cancelFlow(doc, {
            to: "cancelled",
            reason: "review_expired",
            by: "system",
            note: "Review window expired",
            expire: true,
          });
        }
        return;
      case "payment_pending": {
        if (doc.paymentDeadline === null || now < doc.paymentDeadline) return;
        const attempt = doc.currentPaymentId ? this.#attempt(doc.currentPaymentId) : null;
        const abandoned = attempt ? [{ ...attempt, abandoned: true, updatedAt: now }] : [];
        if (doc.expiresAt === null || now >= doc.expiresAt) {
          const d = decide(doc.status, "expire", "system");
          if (!d.ok) return;
          await this.#cancelFlow(
            doc,
            {
              to: d.to,
              reason: "payment_timeout",
              by: "system",
              note: "Payment timed out; reservation expired",
              expire: true,
            },
            { attempts: abandoned },
          );
          return;
        }
        const d = decide(doc.status, "payment_timeout", "system");
        if (!d.ok) return;
        this.#transition({ ...doc, status: d.to, paymentDeadline: null }, "Payment timed out", () => [], {
          attempts: abandoned,
        });
        return;
      }
      default:
        return;
    }
  }

  // ---- stock ---------------------------------------------------------------------------------------------------

  /** Keeps every line reserved until at least `until` (re-reserving a line whose reservation lapsed). */
  async #holdStock(doc: OrderDoc, until: number, now: number): Promise<boolean> {
    const results = await Promise.all(
      doc.items.map(async (i) => {
        const stock = stockStub(this.env, i.sku);
        if ((await stock.extend(i.sku, doc.id, until)).ok) return true;
        return (await stock.reserve(i.sku, doc.id, i.qty, until - now)).ok;
      }),
    );
    return results.every(Boolean);
  }

  /** Turns every reservation into a sale (re-reserving a line that lapsed); false when stock is gone. */
  async #commitStock(doc: OrderDoc): Promise<boolean> {
    const ttl = config(this.env).reservationTtlMs;
    const results = await Promise.all(
      doc.items.map(async (i) => {
        const stock = stockStub(this.env, i.sku);
        if ((await stock.commit(i.sku, doc.id)).ok) return true;
        if (!(await stock.reserve(i.sku, doc.id, i.qty, ttl)).ok) return false;
        return (await stock.commit(i.sku, doc.id)).ok;
      }),
    );
    return results.every(Boolean);
  }

  async #releaseAll(orderId: string, items: readonly { sku: string }[], reason: "release" | "expire" | "return") {
    await Promise.all(items.map((i) => stockStub(this.env, i.sku).release(i.sku, orderId, reason)));
  }

  // ---- persistence ---------------------------------------------------------------------------------------------

  /** Runs a command in the chain, then delivers what it recorded. */
  async #command(
    run: () => Promise<{ ok: true; doc: OrderDoc } | Failure>,
    viewer: Actor,
  ): Promise<{ ok: true; order: OrderView | StaffOrderView; timing: CommandTiming } | Failure> {
    this.#stockMs = 0;
    const result = await this.#serial(run);
    const settling = Date.now();
    await this.#settle();
    if (!result.ok) return result;
    const timing = { stock: this.#stockMs, deliver: Date.now() - settling };
    return { ok: true, order: this.#viewOf(result.doc, viewer === "staff" ? "staff" : "owner"), timing };
  }

  #serial<T>(run: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(run);
    this.#chain = next.catch(() => undefined);
    return next;
  }

  #decide(doc: OrderDoc, command: OrderCommand, actor: Actor): { ok: true; to: OrderStatus; noop: boolean } | Failure {
    const d = decide(doc.status, command, actor);
    if (d.ok) return d;
    return d.reason === "forbidden"
      ? fail("forbidden", `You may not ${command} this order`)
      : fail("invalid_state", `Cannot ${command} an order that is ${doc.status.replaceAll("_", " ")}`, {
          status: doc.status,
        });
  }

  /** A status change (or same-status entry): version + 1, timeline entry, order events, then broadcast. */
  #transition(
    doc: OrderDoc,
    note: string,
    orderEvents: (sequence: number) => EventEnvelope[],
    more: Omit<Change, "doc" | "entry" | "orderEvents"> = {},
  ): { ok: true; doc: OrderDoc } {
    return { ok: true, doc: this.#write({ doc, entry: { note }, orderEvents, ...more }) };
  }

  /** Writes one change in one transaction; returns the document as saved. */
  #write(change: Change): OrderDoc {
    const store = this.ctx.storage.sql;
    const now = Date.now();
    let doc = change.doc;
    let entry: TimelineEntry | null = null;
    if (change.entry) {
      const version = doc.version + 1;
      doc = { ...doc, version, updatedAt: now };
      entry = { version, status: doc.status, at: now, ...(change.entry.note ? { note: change.entry.note } : {}) };
    }
    const batch = [...(change.orderEvents?.(doc.version) ?? []), ...(change.events ?? [])];
    this.ctx.storage.transactionSync(() => {
      store.exec(
        "INSERT INTO doc (id, body) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body",
        JSON.stringify(doc),
      );
      if (entry) {
        store.exec(
          "INSERT INTO timeline (version, status, at, note) VALUES (?, ?, ?, ?)",
          entry.version,
          entry.status,
          entry.at,
          entry.note ?? null,
        );
      }
      for (const a of change.attempts ?? []) {
        store.exec(
          "INSERT INTO attempts (payment_id, seq, body) VALUES (?, ?, ?) ON CONFLICT (payment_id) DO UPDATE SET body = excluded.body",
          a.id,
          a.seq,
          JSON.stringify(a),
        );
      }
      for (const t of change.tasks ?? []) {
        store.exec("INSERT INTO tasks (id, body, next_at) VALUES (?, ?, ?)", t.id, JSON.stringify(t), now);
      }
      for (const id of change.dropTasks ?? []) store.exec("DELETE FROM tasks WHERE id = ?", id);
      for (const e of batch) store.exec("INSERT INTO outbox (event) VALUES (?)", JSON.stringify(e));
      this.#syncDeadlines(doc);
      store.exec("UPDATE sync SET dirty = dirty + 1 WHERE id = 1");
    });
    this.#arm();
    if (entry) this.#broadcast(entry);
    return doc;
  }

  /** The state's deadline as a row: reservation expiry, payment timeout, or review-hold expiry. */
  #syncDeadlines(doc: OrderDoc): void {
    const store = this.ctx.storage.sql;
    store.exec("DELETE FROM deadlines WHERE kind <> 'retry'");
    const at =
      doc.status === "reserved" || doc.status === "payment_failed"
        ? doc.expiresAt
        : doc.status === "payment_pending"
          ? doc.paymentDeadline
          : doc.status === "on_hold"
            ? doc.holdUntil
            : null;
    if (at !== null) store.exec("INSERT INTO deadlines (kind, at) VALUES (?, ?)", doc.status, at);
  }

  /** Arms the one alarm at the earliest deadline, retry or due task. */
  #arm(): void {
    const row = this.#sql<{ at: number | null }>(
      `SELECT MIN(at) AS at FROM (
         SELECT at FROM deadlines UNION ALL SELECT next_at AS at FROM tasks
       )`,
    )[0];
    let at = row?.at ?? null;
    // Undelivered changes are delivered right after each command; should the object die first, the alarm does it.
    if (this.#undelivered()) at = Math.min(at ?? Number.POSITIVE_INFINITY, Date.now() + DELIVERY_GRACE_MS);
    if (at === null) {
      if (this.#alarmAt !== null) {
        this.#alarmAt = null;
        void this.ctx.storage.deleteAlarm();
      }
      return;
    }
    if (this.#alarmAt !== at) {
      this.#alarmAt = at;
      void this.ctx.storage.setAlarm(at);
    }
  }

  #undelivered(): boolean {
    const dirty = this.#sql<{ dirty: number }>("SELECT dirty FROM sync WHERE id = 1")[0]?.dirty ?? 0;
    return dirty > 0 || this.#sql("SELECT 1 FROM outbox LIMIT 1").length > 0;
  }

  #retryLater(what: string, err: unknown): void {
    console.error(JSON.stringify({ level: "warn", message: `order ${what} deferred to alarm`, error: String(err) }));
    const at = Date.now() + RETRY_BASE_MS;
    this.ctx.storage.sql.exec(
      "INSERT INTO deadlines (kind, at) VALUES ('retry', ?) ON CONFLICT (kind) DO UPDATE SET at = MIN(at, excluded.at)",
      at,
    );
    this.#arm();
  }

  /** Delivers the outbox and the D1 mirror, then starts payment tasks in the background. Never throws. */
  async #settle(): Promise<void> {
    try {
      await this.#flush();
      this.#arm();
    } catch (err) {
      this.#retryLater("delivery", err);
    }
    if (this.#sql("SELECT 1 FROM tasks LIMIT 1").length > 0) this.ctx.waitUntil(this.#drainTasks());
  }

  #flush = singleFlight(() => this.#flushOnce());

  /**
   * One D1 batch: the order mirror (upsert guarded by version, its items, its payments) and the outbox events
   * (ids already there ignored: a retry after a partial delivery must not fail on its own insert). Then the
   * queue; outbox rows are deleted once the queue accepted them, so a failed send is retried by the alarm.
   */
  async #flushOnce(): Promise<void> {
    for (;;) {
      const dirty = this.#sql<{ dirty: number }>("SELECT dirty FROM sync WHERE id = 1")[0]?.dirty ?? 0;
      const rows = this.#sql<{ seq: number; event: string }>(
        "SELECT seq, event FROM outbox ORDER BY seq LIMIT ?",
        OUTBOX_BATCH,
      );
      const doc = this.#doc();
      if ((dirty === 0 || !doc) && rows.length === 0) return;
      const db = getDb(this.env.DB);
      const statements: BatchItem<"sqlite">[] = [];
      if (dirty > 0 && doc) statements.push(...orderMirror(db, doc, this.#attempts(), this.#timeline(0)));
      const batch = rows.map((r) => JSON.parse(r.event) as EventEnvelope);
      // Logged already marked published: this outbox keeps the events until the queue has them.
      statements.push(...outboxInserts(db, batch, Date.now()));
      const [first, ...rest] = statements;
      if (!first) return;
      await db.batch([first, ...rest]);
      const store = this.ctx.storage.sql;
      store.exec("UPDATE sync SET dirty = 0 WHERE id = 1 AND dirty = ?", dirty);
      await sendToQueue(this.env, batch);
      const last = rows.at(-1);
      if (last) store.exec("DELETE FROM outbox WHERE seq <= ?", last.seq);
      if (rows.length < OUTBOX_BATCH) {
        const more = this.#sql<{ dirty: number }>("SELECT dirty FROM sync WHERE id = 1")[0]?.dirty ?? 0;
        if (more === 0 && this.#sql("SELECT 1 FROM outbox LIMIT 1").length === 0) return;
      }
    }
  }

  // ---- payment tasks -------------------------------------------------------------------------------------------

  #task(kind: PaymentTask["kind"], attempt: Attempt, amountCents: number): PaymentTask {
    return {
      id: newId("ptask"),
      kind,
      paymentId: attempt.id,
      orderId: this.#doc()?.id ?? "",
      amountCents,
      currency: attempt.currency,
    };
  }

  #tasks(): StoredTask[] {
    return this.#sql<{ seq: number; body: string; tries: number; next_at: number; inflight: number }>(
      "SELECT seq, body, tries, next_at, inflight FROM tasks ORDER BY seq",
    ).map((r) => ({
      ...(JSON.parse(r.body) as PaymentTask),
      seq: r.seq,
      tries: r.tries,
      nextAt: r.next_at,
      inflight: r.inflight === 1,
    }));
  }

  /**
   * The task an outcome answers: the one named by `taskId` (the synchronous answer), else the task in flight
   * for that payment, kind and amount (the webhook). Null when it was already applied.
   */
  #pendingTask(paymentId: string, kind: PaymentTask["kind"], amountCents: number, taskId?: string): StoredTask | null {
    const tasks = this.#tasks().filter((t) => t.paymentId === paymentId && t.kind === kind);
    if (taskId !== undefined) return tasks.find((t) => t.id === taskId) ?? null;
    return tasks.find((t) => t.inflight && t.amountCents === amountCents) ?? null;
  }

  /**
   * Runs payment tasks (capture, void, refund) oldest first, one at a time, outside the command chain: the
   * gateway's webhook calls back into this object while a call is in flight. A failure leaves the task for
   * the alarm, with backoff.
   */
  #drainTasks = singleFlight(() => this.#drainOnce());

  async #drainOnce(): Promise<void> {
    for (;;) {
      const now = Date.now();
      // Strictly in order: a refund queued behind a capture that is waiting to be retried must wait too.
      const task = this.#tasks()[0];
      if (!task || task.nextAt > now) break;
      const backoff = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** task.tries);
      this.ctx.storage.sql.exec(
        "UPDATE tasks SET inflight = 1, tries = tries + 1, next_at = ? WHERE id = ?",
        now + backoff,
        task.id,
      );
      this.#arm();
      try {
        const outcome = await runPaymentTask(this.env, task, (work) => this.ctx.waitUntil(work));
        await this.#serial(() => this.#applyPayment({ ...outcome, taskId: task.id }));
      } catch (err) {
        console.error(
          JSON.stringify({ level: "warn", message: "payment task deferred", task: task.id, error: String(err) }),
        );
        break;
      }
    }
    try {
      await this.#flush();
    } catch (err) {
      this.#retryLater("delivery", err);
    }
    this.#arm();
  }

  // ---- reads ---------------------------------------------------------------------------------------------------

  #doc(): OrderDoc | null {
    const row = this.#sql<{ body: string }>("SELECT body FROM doc WHERE id = 1")[0];
    return row ? (JSON.parse(row.body) as OrderDoc) : null;
  }

  #attempt(paymentId: string): Attempt | null {
    const row = this.#sql<{ body: string }>("SELECT body FROM attempts WHERE payment_id = ?", paymentId)[0];
    return row ? (JSON.parse(row.body) as Attempt) : null;
  }

  #attempts(): Attempt[] {
    return this.#sql<{ body: string }>("SELECT body FROM attempts ORDER BY seq").map(
      (r) => JSON.parse(r.body) as Attempt,
    );
  }

  #timeline(afterVersion: number): TimelineEntry[] {
    return this.#sql<{ version: number; status: string; at: number; note: string | null }>(
      "SELECT version, status, at, note FROM timeline WHERE version > ? ORDER BY version",
      Number.isFinite(afterVersion) ? afterVersion : 0,
    ).map((r) => ({
      version: r.version,
      status: r.status as OrderStatus,
      at: r.at,
      ...(r.note !== null ? { note: r.note } : {}),
    }));
  }

  #viewOf(doc: OrderDoc, viewer: Viewer): OrderView | StaffOrderView {
    return orderView(doc, this.#attempts(), this.#timeline(0), viewer);
  }

  #broadcast(entry: TimelineEntry): void {
    const text = JSON.stringify(orderMessage(entry));
    for (const ws of this.ctx.getWebSockets(ORDER_TAG)) {
      try {
        ws.send(text);
      } catch {
        // A socket that is closing cannot be written to; its close handler cleans up.
      }
    }
  }

  #migrate(): void {
    this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS _schema (version INTEGER NOT NULL)");
    const version = this.#sql<{ version: number }>("SELECT version FROM _schema")[0]?.version ?? 0;
    if (version >= MIGRATIONS.length) return;
    this.ctx.storage.transactionSync(() => {
      for (const steps of MIGRATIONS.slice(version))
        for (const statement of steps) this.ctx.storage.sql.exec(statement);
      this.ctx.storage.sql.exec("DELETE FROM _schema");
      this.ctx.storage.sql.exec("INSERT INTO _schema (version) VALUES (?)", MIGRATIONS.length);
    });
  }

  #sql<T extends Record<string, SqlStorageValue>>(query: string, ...bindings: unknown[]): T[] {
    return this.ctx.storage.sql.exec<T>(query, ...bindings).toArray();
  }
}

const eventItem = (i: PricedItem) => ({ sku: i.sku, qty: i.qty, unitPriceCents: i.unitPriceCents });

function amendedEvent(before: OrderDoc, after: OrderDoc, sequence: number): EventEnvelope {
  return newEvent("OrderAmended", `order:${before.id}`, {
    orderId: before.id,
    sequence,
    items: after.items.map(eventItem),
    previousItems: before.items.map(eventItem),
    totalCents: after.totals.totalCents,
    previousTotalCents: before.totals.totalCents,
  });
}
