/**
 * OrderFlow's storage: the SQLite-backed object's synchronous key-value storage (`ctx.storage.kv`), whose table
 * the runtime already has, so a new order needs no schema. The reads the rules need (the order, its attempts,
 * tasks and timeline) and `commit`, which writes one plan in one synchronous transaction.
 *
 * One key per part of the order, so a commit writes only what it changed (orders stay small, a few KiB):
 * - `doc`: the order document; `timeline`: its entries, oldest first; `attempts`: payment attempts by `seq`;
 * - `tasks`: payment tasks (capture, void, refund) in the order they run, each with its tries and next run;
 * - `retry`: when the alarm must retry a failed delivery or deadline (absent: nothing to retry);
 * - `dirty`: changes the D1 mirror has not seen yet (absent = 0); a flush clears only the count it saw;
 * - `outbox`: undelivered events (`KvOutbox`);
 * - `webhooks`: the gateway event ids the order has taken (src/domain/order/gateway-events.ts), written with the
 *   change the event made, so "applied" and "recorded" cannot diverge; the webhook route answers a redelivery
 *   from it without a D1 round trip.
 * The state's deadline is not stored: it is `deadlineOf(doc)`, written with the document by the same commit.
 * An order from before this layout (eight tables) is moved here the first time the object reads it (./legacy.ts).
 */
import { rememberGatewayEvent } from "../../domain/order/gateway-events";
import { deadlineOf } from "../../domain/order/plan";
import type { Attempt, OrderDoc, OrderState, Plan, StoredTask } from "../../domain/order/types";
import type { TimelineEntry } from "../../domain/order-machine";
import { KvOutbox, type OutboxEntry } from "../kit/kv-outbox";
import { dropLegacyTables, readLegacyOrder } from "./legacy";

/** The order as stored, read in one `list` of the whole storage. */
type Stored = {
  doc: OrderDoc | null;
  attempts: readonly Attempt[];
  tasks: readonly StoredTask[];
  timeline: readonly TimelineEntry[];
  retry: number | null;
  dirty: number;
  webhooks: readonly string[];
};

const DOC = "doc";
const ATTEMPTS = "attempts";
const TASKS = "tasks";
const TIMELINE = "timeline";
const RETRY = "retry";
const DIRTY = "dirty";
const OUTBOX = "outbox";
const WEBHOOKS = "webhooks";

/**
 * The store keeps what it read in memory: it is the object's only writer, so every write below updates its
 * copy, and a command reads nothing from storage. Tests that edit the keys directly call `forget()` (through
 * `OrderFlow.reread()`).
 */
export class OrderStore {
  readonly #storage: DurableObjectStorage;
  readonly #kv: SyncKvStorage;
  readonly outbox: KvOutbox;
  #stored: Stored | undefined;
  /** Whether this instance has looked for the old tables (once, and only when it found the storage empty). */
  #legacyChecked = false;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
    this.#kv = storage.kv;
    this.outbox = new KvOutbox(storage.kv, OUTBOX);
  }

  /** Drops the copies: the next read comes from storage. */
  forget(): void {
    this.#stored = undefined;
    this.#legacyChecked = false;
    this.outbox.forget();
  }

  state(): OrderState | null {
    const { doc, attempts, tasks } = this.#read();
    return doc ? { doc, attempts: attempts.slice(), tasks: tasks.slice() } : null;
  }

  doc(): OrderDoc | null {
    return this.#read().doc;
  }

  attempts(): Attempt[] {
    return this.#read().attempts.slice();
  }

  tasks(): StoredTask[] {
    return this.#read().tasks.slice();
  }

  hasTasks(): boolean {
    return this.#read().tasks.length > 0;
  }

  /** Marks a task as sent to the gateway; it is tried again at `retryAt` unless its outcome drops it first. */
  startTask(id: string, retryAt: number): void {
    const stored = this.#read();
    const tasks = stored.tasks.map((t) =>
      t.id === id ? { ...t, inflight: true, tries: t.tries + 1, nextAt: retryAt } : t,
    );
    this.#kv.put(TASKS, tasks);
    this.#stored = { ...stored, tasks };
  }

  timeline(afterVersion: number): TimelineEntry[] {
    const after = Number.isFinite(afterVersion) ? afterVersion : 0;
    return this.#read().timeline.filter((e) => e.version > after);
  }

  /** Whether the order has taken the gateway event `id` (a webhook) already. */
  tookWebhook(id: string): boolean {
    return this.#read().webhooks.includes(id);
  }

  /** Records the gateway event `id` on its own: for a webhook that changed nothing (its outcome was applied). */
  takeWebhook(id: string): void {
    const stored = this.#read();
    const webhooks = rememberGatewayEvent(stored.webhooks, id);
    if (webhooks === stored.webhooks) return;
    this.#kv.put(WEBHOOKS, webhooks);
    this.#stored = { ...stored, webhooks };
  }

  /**
   * Writes one plan in one transaction: the keys it changes (the document and the count of unmirrored changes
   * always; the timeline, attempts, tasks and outbox when they change), and `webhook`, the gateway event id
   * that brought the change, when there is one.
   */
  commit(plan: Plan, now: number, webhook?: string): void {
    const before = this.#read();
    const next: Stored = { ...before, doc: plan.doc, dirty: before.dirty + 1 };
    if (webhook !== undefined) next.webhooks = rememberGatewayEvent(before.webhooks, webhook);
    const entry = plan.entry;
    if (entry) {
      if (before.timeline.some((e) => e.version === entry.version)) {
        throw new Error(`timeline already has version ${entry.version}`);
      }
      next.timeline = [...before.timeline, entry];
    }
    if (plan.attempts.length > 0) next.attempts = upsertAttempts(before.attempts, plan.attempts);
    if (plan.tasks.length > 0 || plan.dropTasks.length > 0) {
      let seq = before.tasks.reduce((max, t) => Math.max(max, t.seq), 0);
      const added = plan.tasks.map((t) => ({ ...t, seq: ++seq, tries: 0, nextAt: now, inflight: false }));
      // Task ids are the gateway's idempotency keys: one queued twice is a bug (the old table's UNIQUE).
      const ids = new Set(before.tasks.map((t) => t.id));
      for (const t of added) {
        if (ids.has(t.id)) throw new Error(`task ${t.id} is already queued`);
        ids.add(t.id);
      }
      const dropped = new Set(plan.dropTasks);
      next.tasks = [...before.tasks, ...added].filter((t) => !dropped.has(t.id));
    }
    try {
      this.#storage.transactionSync(() => {
        this.#kv.put(DOC, next.doc);
        if (next.timeline !== before.timeline) this.#kv.put(TIMELINE, next.timeline);
        if (next.attempts !== before.attempts) this.#kv.put(ATTEMPTS, next.attempts);
        if (next.tasks !== before.tasks) this.#kv.put(TASKS, next.tasks);
        this.outbox.append(plan.events);
        this.#kv.put(DIRTY, next.dirty);
        if (next.webhooks !== before.webhooks) this.#kv.put(WEBHOOKS, next.webhooks);
      });
    } catch (err) {
      // Nothing was written; the outbox may have taken the events into its copy.
      this.outbox.forget();
      throw err;
    }
    this.#stored = next;
  }

  /** The earliest of the state's deadline, a retry and the tasks' next runs: when the alarm must run (null: never). */
  nextWake(): number | null {
    const { doc, retry, tasks } = this.#read();
    const times = [doc ? deadlineOf(doc) : null, retry, ...tasks.map((t) => t.nextAt)].filter((t) => t !== null);
    return times.length > 0 ? Math.min(...times) : null;
  }

  /** Asks the alarm to retry delivery or a deadline by `at`. */
  retryBy(at: number): void {
    const stored = this.#read();
    const retry = Math.min(stored.retry ?? at, at);
    if (retry === stored.retry) return;
    this.#kv.put(RETRY, retry);
    this.#stored = { ...stored, retry };
  }

  clearRetry(): void {
    const stored = this.#read();
    if (stored.retry === null) return;
    this.#kv.delete(RETRY);
    this.#stored = { ...stored, retry: null };
  }

  /** Changes not yet mirrored to D1. */
  dirty(): number {
    return this.#read().dirty;
  }

  /** The mirror holds the state as it was at `seen` changes; later changes stay counted. */
  mirrored(seen: number): void {
    const stored = this.#read();
    if (stored.dirty !== seen || seen === 0) return;
    this.#kv.delete(DIRTY);
    this.#stored = { ...stored, dirty: 0 };
  }

  undelivered(): boolean {
    return this.dirty() > 0 || !this.outbox.empty;
  }

  /** The order as stored: one `list` of the whole storage (an order is a handful of keys), read once. */
  #read(): Stored {
    if (this.#stored) return this.#stored;
    let found = new Map(this.#kv.list());
    if (found.size === 0 && !this.#legacyChecked) {
      if (this.#moveLegacy()) found = new Map(this.#kv.list());
      this.#legacyChecked = true;
    }
    this.outbox.prime(found.get(OUTBOX) as OutboxEntry[] | undefined);
    this.#stored = {
      doc: (found.get(DOC) as OrderDoc | undefined) ?? null,
      attempts: (found.get(ATTEMPTS) as Attempt[] | undefined) ?? [],
      tasks: (found.get(TASKS) as StoredTask[] | undefined) ?? [],
      timeline: (found.get(TIMELINE) as TimelineEntry[] | undefined) ?? [],
      retry: (found.get(RETRY) as number | undefined) ?? null,
      dirty: (found.get(DIRTY) as number | undefined) ?? 0,
      webhooks: (found.get(WEBHOOKS) as string[] | undefined) ?? [],
    };
    return this.#stored;
  }

  /**
   * An order kept in the old tables (before issue 9) is written as keys and the tables dropped, in one
   * transaction. Answers whether there was one.
   */
  #moveLegacy(): boolean {
    const sql = this.#storage.sql;
    const old = readLegacyOrder(sql);
    if (!old) return false;
    try {
      this.#storage.transactionSync(() => {
        if (old.doc) this.#kv.put(DOC, old.doc);
        if (old.timeline.length > 0) this.#kv.put(TIMELINE, old.timeline);
        if (old.attempts.length > 0) this.#kv.put(ATTEMPTS, old.attempts);
        if (old.tasks.length > 0) this.#kv.put(TASKS, old.tasks);
        // The state's deadline row was deadlineOf(doc); only a retry is kept apart.
        if (old.deadlines.retry !== undefined) this.#kv.put(RETRY, old.deadlines.retry);
        if (old.dirty > 0) this.#kv.put(DIRTY, old.dirty);
        this.outbox.append(old.outbox);
        dropLegacyTables(sql);
      });
    } finally {
      // Read again from the keys (or, had it thrown, found again in the tables next time).
      this.outbox.forget();
    }
    return true;
  }
}

/** Attempts by `seq`, each replaced by its new version or added. */
function upsertAttempts(current: readonly Attempt[], changed: readonly Attempt[]): Attempt[] {
  const byId = new Map(current.map((a) => [a.id, a]));
  for (const a of changed) byId.set(a.id, a);
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}
