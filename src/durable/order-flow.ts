/**
 * OrderFlow: one object per order (`env.ORDER_FLOW.getByName(orderId)`), the authority on the order's state.
 * A shell over the order's rules in src/domain/order/: load the order, ask the rule, carry out the plan it
 * answers (stock calls, one storage transaction, payment tasks), announce. The object decides nothing itself.
 *
 * Platform invariants this file relies on:
 * - Commands (RPC methods that change the order, the alarm, payment and fraud outcomes) run one at a time
 *   through `#serial`: a command awaits ProductStock calls, and the runtime would otherwise let other calls
 *   interleave during those awaits. Nothing inside a command calls back into this object, so it cannot
 *   deadlock; gateway calls (whose webhooks do call back) run outside the chain, in `#drainTasks`.
 * - Every change is one synchronous `transactionSync` on the object's key-value storage (no tables, so a new
 *   order has no schema to build): the order document, its timeline, payment attempts, payment tasks,
 *   deadlines and the outbox events are written together, then broadcast (order-flow/store.ts).
 * - The outbox and the D1 mirror (`orders`, `order_items`, `payments`) are delivered together in one D1 batch
 *   after each command; a failure leaves them marked and the alarm retries. Order events carry the version
 *   as `sequence`.
 * - Each state's deadline is read from the order (`deadlineOf`), one alarm is armed at the earliest; the alarm
 *   asks `dueDeadline`, which judges by the order's state, so a stale or repeated alarm does nothing.
 * - Expected failures are result unions (errors thrown over RPC lose their fields); only bugs throw.
 */
import { DurableObject } from "cloudflare:workers";
import type { BatchItem } from "drizzle-orm/batch";
import { outboxInserts, sendToQueue } from "../adapters/event-bus";
import { config } from "../config";
import { getDb } from "../db/client";
import { orderMirror } from "../db/order-mirror";
import type { EventEnvelope } from "../domain/events";
import { awaitsOtherOutcome, notFound } from "../domain/order/plan";
import { type AmendInput, amend } from "../domain/order/rules/amend";
import { cancel } from "../domain/order/rules/cancel";
import { create } from "../domain/order/rules/create";
import { dueDeadline } from "../domain/order/rules/deadlines";
import { applyFraud } from "../domain/order/rules/fraud-outcome";
import { pay } from "../domain/order/rules/pay";
import { applyPaymentOutcome } from "../domain/order/rules/payment-outcome";
import { approve, claim, deliver, refund, reject, ship } from "../domain/order/rules/staff";
import type {
  ApplyResult,
  By,
  CommandResult,
  CommandTiming,
  CreateInput,
  Decision,
  Failure,
  FraudResult,
  OrderDoc,
  OrderState,
  OrderView,
  PayInput,
  PaymentOutcome,
  PayResult,
  Risk,
  RuleContext,
  StaffOrderView,
  StockAnswer,
  StockStep,
  Viewer,
} from "../domain/order/types";
import { orderView } from "../domain/order/view";
import type { Actor, TimelineEntry } from "../domain/order-machine";
import { orderMessageFor } from "../domain/order-wording";
import type { RefundRequest } from "../domain/refunds";
import { newId } from "../lib/ids";
import { runPaymentTask } from "../services/subscribers/payments";
import { answerPings, LiveSockets } from "./kit/live";
import { singleFlight } from "./kit/single-flight";
import { closeTagged, isUpgrade, reciprocateClose } from "./kit/websocket";
import { type AnswerKey, type Found, KeptAnswers } from "./order-flow/answers";
import { runStockSteps } from "./order-flow/stock";
import { OrderStore } from "./order-flow/store";

/** Retry delay for a failed delivery or payment task (doubles per try, capped). */
const RETRY_BASE_MS = 5_000;
const RETRY_MAX_MS = 5 * 60_000;
/** How long a change may wait for delivery before the alarm delivers it (normally it is delivered at once). */
const DELIVERY_GRACE_MS = 30_000;

type Done = { ok: true; doc: OrderDoc } | Failure;
/** A pay request's answer; `replayed` when it is the kept answer to an earlier request with the same key. */
export type PayAnswer =
  | { ok: true; order: OrderView; paymentId: string; replayed?: boolean }
  | (Failure & { replayed?: boolean })
  | {
      ok: false;
      code: "idempotency_key_reused" | "idempotency_in_progress";
      message: string;
      details?: undefined;
      replayed?: boolean;
    };

/** The view is of the order as the pay command left it: its current payment is the attempt just started. */
const paid = (order: OrderView): PayResult => ({ ok: true, order, paymentId: order.payment?.id ?? "" });
const keyInProgress = () =>
  ({
    ok: false,
    code: "idempotency_in_progress",
    message: "A request with this Idempotency-Key is still running",
  }) as const;
const keyReused = () =>
  ({
    ok: false,
    code: "idempotency_key_reused",
    message: "This Idempotency-Key was used with a different request",
  }) as const;
type ViewerAttachment = { viewer: string; connectedAt: number };

export class OrderFlow extends DurableObject<Env> {
  /** Time the current command spent waiting on ProductStock objects (Server-Timing). */
  #stockMs = 0;
  #chain: Promise<unknown> = Promise.resolve();
  #alarmAt: number | null = null;
  readonly #store: OrderStore;
  readonly #answers: KeptAnswers;
  /** Keys of the pay requests running now (in memory: a request's key cannot outlive the instance serving it). */
  readonly #payingKeys = new Set<string>();
  readonly #live: LiveSockets<ViewerAttachment>;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    answerPings(ctx);
    this.#store = new OrderStore(ctx.storage);
    this.#answers = new KeptAnswers(ctx.storage.kv);
    this.#live = new LiveSockets(ctx, "order");
    // No schema to build: the order lives in the object's key-value storage (order-flow/store.ts).
    void ctx.blockConcurrencyWhile(async () => {
      this.#alarmAt = await ctx.storage.getAlarm();
    });
  }

  // ---- RPC: shopper commands ---------------------------------------------------------------------------------

  /**
   * Places the order: reserves every line on its ProductStock (all or nothing) and moves pending → reserved
   * with `expiresAt = now + RESERVATION_TTL_MS`, or, given `reservedUntil` (the checkout route reserved first),
   * takes the reservations as held. Calling it again for the same order answers the order as it is.
   *
   * With `keep` (the request's Idempotency-Key, whose stock names this order to a retry), the 201 answer with the
   * access token is kept here for `createdAnswer`, in this call rather than a second one.
   */
  async create(
    input: CreateInput,
    keep: { key: AnswerKey; accessToken: string } | null = null,
  ): Promise<CommandResult> {
    const result = await this.#command(() => {
      const existing = this.#store.doc();
      return this.#carryOut(input.orderId, create(existing, input, this.#context()), existing);
    }, "owner");
    if (keep && result.ok) {
      const body = JSON.stringify({ ...result.order, accessToken: keep.accessToken });
      this.#answers.keep("create", keep.key, { status: 201, body }, Date.now());
    }
    return result;
  }

  /** The order as `viewer` may see it. */
  async view(viewer: Viewer): Promise<CommandResult> {
    const doc = this.#store.doc();
    return doc ? { ok: true, order: this.#viewOf(doc, viewer) } : notFound();
  }

  /**
   * Starts a payment attempt: reserved/payment_failed → payment_pending with a new payment id, every
   * reservation extended to at least now + PAYMENT_TIMEOUT_MS, and PaymentInitiated for the Payment and Fraud
   * services. `token` is a gateway token, never a card number.
   */
  async pay(input: PayInput, key: AnswerKey | null = null): Promise<PayAnswer> {
    if (key === null) {
      const result = await this.#command(() => this.#ask((s, ctx) => pay(s, input, ctx)), "owner");
      return result.ok ? paid(result.order) : result;
    }
    // With an Idempotency-Key: the key is checked, the payment started and its answer kept in one step of the
    // chain (src/durable/order-flow/answers.ts). A command that throws keeps nothing: the retry runs again. A
    // retry that arrives while the first is still running is 409 idempotency_in_progress (DESIGN.md).
    if (this.#payingKeys.has(key.id)) return keyInProgress();
    this.#payingKeys.add(key.id);
    const answer = await this.#serial(async (): Promise<PayAnswer> => {
      const found = this.#answers.find<PayResult>("pay", key, Date.now());
      if (found && "reused" in found) return keyReused();
      if (found) return { ...found.kept, replayed: true };
      const done = await this.#ask((s, ctx) => pay(s, input, ctx));
      const result: PayResult = done.ok ? paid(this.#viewOf(done.doc, "owner") as OrderView) : done;
      this.#answers.keep("pay", key, result, Date.now());
      return result;
    }).finally(() => this.#payingKeys.delete(key.id));
    await this.#settle();
    return answer;
  }

  /** The kept answer to the request that created this order, if `key` is its key. */
  createdAnswer(key: AnswerKey): Found<{ status: number; body: string }> {
    return this.#answers.find("create", key, Date.now());
  }

  /** Cancels (reserved/payment_failed/on_hold: void + release; confirmed: refund + return stock). Twice is harmless. */
  async cancel(by: By): Promise<CommandResult> {
    return this.#command(() => this.#ask((s, ctx) => cancel(s, by, ctx)), by.actor);
  }

  /**
   * Replaces the order's lines. While reserved: resizes, adds and releases reservations and reprices from
   * `catalog`. While confirmed: decreases only, at the prices paid, refunding the difference.
   */
  async amend(input: AmendInput): Promise<CommandResult> {
    return this.#command(() => this.#ask((s, ctx) => amend(s, input, ctx)), "owner");
  }

  /** Links a guest order to the account of the signed-in customer holding its access token. */
  async claim(customerId: string): Promise<CommandResult> {
    return this.#command(() => this.#ask((s, ctx) => claim(s, customerId, ctx)), "owner");
  }

  // ---- RPC: staff commands -----------------------------------------------------------------------------------

  /** confirmed → shipped with a tracking number. */
  async ship(input: { trackingNumber: string; by: By }): Promise<CommandResult> {
    return this.#command(() => this.#ask((s, ctx) => ship(s, input, ctx)), "staff");
  }

  /** shipped → delivered. */
  async deliver(input: { by: By }): Promise<CommandResult> {
    return this.#command(() => this.#ask((s, ctx) => deliver(s, input, ctx)), "staff");
  }

  /** on_hold → confirmed (stock committed, capture requested). The payment must be authorized. */
  async approve(input: { note: string | null; by: By }): Promise<CommandResult> {
    return this.#command(() => this.#ask((s, ctx) => approve(s, input, ctx)), "staff");
  }

  /** on_hold → cancelled (payment voided, stock released). */
  async reject(input: { note: string | null; by: By }): Promise<CommandResult> {
    return this.#command(() => this.#ask((s, ctx) => reject(s, input, ctx)), "staff");
  }

  /**
   * A staff refund (src/domain/refunds.ts decides what it comes to). The whole of what is left, asked with no
   * lines and no amount, cancels a confirmed order (stock back) as before; any other refund keeps the status and
   * adds a timeline entry, putting the chosen lines back in stock when asked. Each refund is kept in the order
   * (for its credit note). Nothing left to refund is `invalid_state`.
   */
  async refund(input: { by: By; request?: RefundRequest }): Promise<CommandResult> {
    return this.#command(() => this.#ask((s, ctx) => refund(s, input, ctx)), "staff");
  }

  // ---- RPC: outcomes from the Payment and Fraud services -----------------------------------------------------

  /**
   * The one door for a gateway outcome, whichever way it arrives (the queue subscriber's authorization answer,
   * the signed webhook, the answer to this object's own capture/void/refund task): `applyPaymentOutcome`
   * decides whether it still applies, so each outcome is applied once and records PaymentProcessed once.
   *
   * `webhook` is the gateway event id of a webhook (none for the gateway's synchronous answer, which marks
   * nothing). The order takes it with the change the outcome makes, in the same transaction, or alone when the
   * outcome changes nothing, and answers `firstDelivery`; an id taken before is answered at once, changing
   * nothing. An outcome the order refuses (`unknown_order`, `unknown_payment`) takes no id: the caller keeps its
   * own record of those.
   */
  async applyPayment(outcome: PaymentOutcome, webhook?: string): Promise<ApplyResult> {
    const result = await this.#receivePayment(outcome, webhook);
    await this.#settleOutcome();
    return result;
  }

  /** Records the fraud decision for a payment attempt (first one wins) and moves the order on. */
  async applyFraud(input: {
    paymentId: string;
    assessment: Risk;
    events?: readonly EventEnvelope[];
  }): Promise<FraudResult> {
    const result = await this.#serial(async (): Promise<FraudResult> => {
      const state = this.#store.state();
      if (!state) return { ok: false, reason: "unknown_order" };
      const r = applyFraud(state, input, this.#context());
      if (!r.ok) return r;
      const done = await this.#carryOut(state.doc.id, r.decision, state.doc);
      const status = done.ok ? done.doc.status : state.doc.status;
      return { ok: true, recorded: r.recorded, status, carried: r.carried };
    });
    await this.#settleOutcome();
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
    if (!this.#store.doc()) return new Response("No such order", { status: 404 });
    const since = new URL(request.url).searchParams.get("since");
    // Staff read the timeline's own notes; the owner reads shopper wording (src/domain/order-wording.ts).
    const viewer: Viewer = request.headers.get("x-order-viewer") === "staff" ? "staff" : "owner";
    return this.#live.accept(request, { viewer, connectedAt: Date.now() }, (ws) => {
      if (since === null) return;
      for (const entry of this.#store.timeline(Number(since))) ws.send(JSON.stringify(orderMessageFor(entry, viewer)));
    });
  }

  /** Closes the sockets opened by sessions that ended (services/session-sockets.ts). */
  closeTagged(tags: string[]): number {
    return closeTagged(this.ctx, tags, "session ended");
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
   * Runs what is due (`dueDeadline`: reservation expiry, payment timeout, review-hold expiry), then retries
   * deliveries and payment tasks. Never throws: failures are retried by the alarm it re-arms.
   */
  override async alarm(): Promise<void> {
    this.#alarmAt = null;
    this.#store.clearRetry();
    try {
      await this.#serial(() => this.#ask((s, ctx) => dueDeadline(s, ctx)));
    } catch (err) {
      this.#retryLater("deadline", err);
    }
    await this.#settle();
    await this.#drainTasks();
    this.#arm();
  }

  // ---- carrying out a decision -----------------------------------------------------------------------------------

  #context(): RuleContext {
    return { now: Date.now(), config: config(this.env), newId };
  }

  /** Asks a rule about the order as stored and carries out its answer. */
  #ask(rule: (state: OrderState, ctx: RuleContext) => Decision): Promise<Done> {
    const state = this.#store.state();
    if (!state) return Promise.resolve(notFound());
    return this.#carryOut(state.doc.id, rule(state, this.#context()), state.doc);
  }

  /**
   * Carries out a decision: a guarded one runs its stock steps first (on a refusal: undo, then whatever the
   * rule decides instead; on a throw: undo, then rethrow), a plan runs its stock steps, then is written
   * (with `webhook`, the gateway event id that brought the decision, when there is one).
   */
  async #carryOut(orderId: string, decision: Decision, current: OrderDoc | null, webhook?: string): Promise<Done> {
    if (decision.ok === false) return decision;
    if (decision.ok === "guarded") {
      const answers = await this.#stock(orderId, decision.guard);
      const threw = answers.find((a) => a.ok === "threw");
      if (!threw && answers.every((a) => a.ok === true)) {
        return this.#carryOut(orderId, decision.granted, current, webhook);
      }
      const undo = decision.undo(answers);
      if (undo.length > 0) await this.#stock(orderId, undo);
      if (threw?.ok === "threw") throw threw.error;
      return this.#carryOut(orderId, decision.refused(answers), current, webhook);
    }
    const { plan, answer } = decision;
    if (plan) {
      const failed = (await this.#stock(orderId, plan.stock)).find((a) => a.ok === "threw");
      if (failed?.ok === "threw") throw failed.error;
      this.#store.commit(plan, Date.now(), webhook);
      this.#arm();
      if (plan.broadcast && plan.entry) this.#announce(plan.entry);
    }
    if (answer) return answer;
    const doc = plan?.doc ?? current;
    if (!doc) throw new Error("a decision without a plan needs an order");
    return { ok: true, doc };
  }

  /** Runs stock steps at once on their ProductStock objects; each answers, none throws. */
  async #stock(orderId: string, steps: readonly StockStep[]): Promise<StockAnswer[]> {
    if (steps.length === 0) return [];
    const started = Date.now();
    const answers = await runStockSteps(this.env, orderId, steps, this.#store.doc()?.stockPlaces);
    this.#stockMs += Date.now() - started;
    return answers;
  }

  /** Runs a command in the chain, then delivers what it recorded. */
  async #command(
    run: () => Promise<Done>,
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

  /**
   * Applies a gateway outcome in the chain (the door's inside: the RPC and the task runner both use it). With a
   * webhook's event id: a redelivery is answered from the ids taken; a new id is taken by the commit of the
   * change it brings, or alone when it brings none (the outcome already came another way).
   */
  #receivePayment(outcome: PaymentOutcome, webhook?: string): Promise<ApplyResult> {
    return this.#serial(async (): Promise<ApplyResult> => {
      const state = this.#store.state();
      if (!state) return { ok: false, reason: "unknown_order" };
      if (webhook !== undefined && this.#store.tookWebhook(webhook)) {
        return { ok: true, applied: false, status: state.doc.status, firstDelivery: false };
      }
      const r = applyPaymentOutcome(state, outcome, this.#context());
      if (!r.ok) return r;
      const done = await this.#carryOut(state.doc.id, r.decision, state.doc, webhook);
      const status = done.ok ? done.doc.status : state.doc.status;
      if (webhook === undefined) return { ok: true, applied: r.applied, status };
      this.#store.takeWebhook(webhook);
      return { ok: true, applied: r.applied, status, firstDelivery: true };
    });
  }

  // ---- persistence ---------------------------------------------------------------------------------------------

  /** Arms the one alarm at the earliest deadline, retry or due task. */
  #arm(): void {
    let at = this.#store.nextWake();
    // Undelivered changes are delivered right after each command; should the object die first, the alarm does it.
    if (this.#store.undelivered()) at = Math.min(at ?? Number.POSITIVE_INFINITY, Date.now() + DELIVERY_GRACE_MS);
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

  #retryLater(what: string, err: unknown): void {
    console.error(JSON.stringify({ level: "warn", message: `order ${what} deferred to alarm`, error: String(err) }));
    this.#store.retryBy(Date.now() + RETRY_BASE_MS);
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
    if (this.#store.hasTasks()) this.ctx.waitUntil(this.#drainTasks());
  }

  /**
   * `#settle` after a payment outcome or a fraud decision. Their callers (the queue's subscribers, the gateway's
   * webhooks) read nothing the delivery writes, so the delivery may wait for what follows, and the usual
   * checkout's three changes after paying (authorized, confirmed, captured) go out in one D1 batch and one queue
   * send instead of three:
   * - a payment waiting for its other outcome (`awaitsOtherOutcome`) leaves delivery to the change that outcome
   *   brings (the alarm, armed with the outbox, delivers it should that never come);
   * - a payment task due now (the capture a confirmation asks for) runs first, in the background, and its run
   *   ends with the delivery of everything so far (`#drainOnce`).
   */
  async #settleOutcome(): Promise<void> {
    const state = this.#store.state();
    if (state && awaitsOtherOutcome(state)) {
      this.#arm();
      return;
    }
    const next = this.#store.tasks()[0];
    if (next && next.nextAt <= Date.now()) {
      this.#arm();
      this.ctx.waitUntil(this.#drainTasks());
      return;
    }
    await this.#settle();
  }

  #flush = singleFlight(() => this.#flushOnce());
  /** The items as last mirrored to D1 by this instance (empty after a restart: the next mirror writes them). */
  #mirroredItems = "";

  /**
   * One D1 batch: the order mirror (upsert guarded by version, its items, its payments) and the outbox events
   * (ids already there ignored: a retry after a partial delivery must not fail on its own insert). Then the
   * queue; outbox events are forgotten once the queue accepted them, so a failed send is retried by the alarm.
   */
  async #flushOnce(): Promise<void> {
    for (;;) {
      const dirty = this.#store.dirty();
      const batch = this.#store.outbox.peek();
      const doc = this.#store.doc();
      if ((dirty === 0 || !doc) && !batch) return;
      const db = getDb(this.env.DB);
      const statements: BatchItem<"sqlite">[] = [];
      // Items change only when the order is placed or amended: the other mirrors leave D1's rows as they are.
      const items = doc ? JSON.stringify(doc.items) : "";
      const withItems = items !== this.#mirroredItems;
      if (dirty > 0 && doc) {
        statements.push(...orderMirror(db, doc, this.#store.attempts(), this.#store.timeline(0), withItems));
      }
      const events = batch?.events ?? [];
      // Logged already marked published: this outbox keeps the events until the queue has them.
      statements.push(...outboxInserts(db, events, Date.now()));
      const [first, ...rest] = statements;
      if (!first) return;
      await db.batch([first, ...rest]);
      this.#store.mirrored(dirty);
      if (dirty > 0 && doc) this.#mirroredItems = items;
      await sendToQueue(this.env, events);
      if (batch) this.#store.outbox.ack(batch);
      if (!batch?.full && !this.#store.undelivered()) return;
    }
  }

  // ---- payment tasks -------------------------------------------------------------------------------------------

  /**
   * Runs payment tasks (capture, void, refund) oldest first, one at a time, outside the command chain: the
   * gateway's webhook calls back into this object while a call is in flight. The answer goes in through the
   * same door as every other outcome. A failure leaves the task for the alarm, with backoff.
   */
  #drainTasks = singleFlight(() => this.#drainOnce());

  async #drainOnce(): Promise<void> {
    for (;;) {
      const now = Date.now();
      // Strictly in order: a refund queued behind a capture that is waiting to be retried must wait too.
      const task = this.#store.tasks()[0];
      if (!task || task.nextAt > now) break;
      const backoff = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** task.tries);
      this.#store.startTask(task.id, now + backoff);
      this.#arm();
      try {
        const outcome = await runPaymentTask(this.env, task, (work) => this.ctx.waitUntil(work));
        await this.#receivePayment({ ...outcome, taskId: task.id });
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

  /** Drops the state held in memory, so the next call reads the storage (as a new instance would): for tests. */
  reread(): void {
    this.#store.forget();
  }

  // ---- reads ---------------------------------------------------------------------------------------------------

  /** Sends a new timeline entry to every viewer, each in the wording it may read. */
  #announce(entry: TimelineEntry): void {
    const staff = JSON.stringify(orderMessageFor(entry, "staff"));
    const owner = JSON.stringify(orderMessageFor(entry, "owner"));
    this.#live.broadcastEach((a) => (a?.viewer === "staff" ? staff : owner));
  }

  #viewOf(doc: OrderDoc, viewer: Viewer): OrderView | StaffOrderView {
    return orderView(doc, this.#store.attempts(), this.#store.timeline(0), viewer);
  }
}
