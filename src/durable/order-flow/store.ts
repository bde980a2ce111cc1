/**
 * OrderFlow's SQLite storage: its schema, the reads the rules need (the order, its attempts, tasks and timeline)
 * and `commit`, which writes one plan in one synchronous transaction (document, timeline entry, attempts,
 * tasks, outbox events, the state's deadline row, and the count of changes the D1 mirror has not seen yet).
 */
import { deadlineOf } from "../../domain/order/plan";
import type { Attempt, OrderDoc, OrderState, PaymentTask, Plan, StoredTask } from "../../domain/order/types";
import type { OrderStatus, TimelineEntry } from "../../domain/order-machine";
import type { Migrations } from "../kit/migrate";
import { OUTBOX_TABLE, Outbox } from "../kit/outbox";
import { rows } from "../kit/sql";

/** The object's SQLite schema, one entry per version; never edit an entry, append a new one. */
export const ORDER_MIGRATIONS: Migrations = [
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
    OUTBOX_TABLE,
    "CREATE TABLE deadlines (kind TEXT PRIMARY KEY, at INTEGER NOT NULL)",
    // `dirty` counts changes not yet mirrored to D1; a flush clears only the count it saw.
    "CREATE TABLE sync (id INTEGER PRIMARY KEY CHECK (id = 1), dirty INTEGER NOT NULL)",
    "INSERT INTO sync (id, dirty) VALUES (1, 0)",
  ],
];

/**
 * The store keeps what it read in memory: it is the object's only writer, so every write below updates (or
 * drops) its copy, and a command no longer re-reads the document, attempts, tasks, timeline and the mirror's
 * count from SQLite (about twenty statements per command; a checkout runs five). Tests that edit the rows
 * directly call `forget()` (through `OrderFlow.reread()`).
 */
export class OrderStore {
  readonly #storage: DurableObjectStorage;
  readonly outbox: Outbox;
  #doc: OrderDoc | null | undefined;
  #attempts: Attempt[] | undefined;
  #tasks: StoredTask[] | undefined;
  #timeline: TimelineEntry[] | undefined;
  #dirty: number | undefined;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
    this.outbox = new Outbox(storage.sql);
  }

  /** Drops the copies: the next read comes from SQLite. */
  forget(): void {
    this.#doc = undefined;
    this.#attempts = undefined;
    this.#tasks = undefined;
    this.#timeline = undefined;
    this.#dirty = undefined;
  }

  state(): OrderState | null {
    const doc = this.doc();
    return doc ? { doc, attempts: this.attempts(), tasks: this.tasks() } : null;
  }

  doc(): OrderDoc | null {
    if (this.#doc === undefined) {
      const row = this.#rows<{ body: string }>("SELECT body FROM doc WHERE id = 1")[0];
      this.#doc = row ? (JSON.parse(row.body) as OrderDoc) : null;
    }
    return this.#doc;
  }

  attempts(): Attempt[] {
    this.#attempts ??= this.#rows<{ body: string }>("SELECT body FROM attempts ORDER BY seq").map(
      (r) => JSON.parse(r.body) as Attempt,
    );
    return this.#attempts.slice();
  }

  tasks(): StoredTask[] {
    this.#tasks ??= this.#rows<{ seq: number; body: string; tries: number; next_at: number; inflight: number }>(
      "SELECT seq, body, tries, next_at, inflight FROM tasks ORDER BY seq",
    ).map((r) => ({
      ...(JSON.parse(r.body) as PaymentTask),
      seq: r.seq,
      tries: r.tries,
      nextAt: r.next_at,
      inflight: r.inflight === 1,
    }));
    return this.#tasks.slice();
  }

  hasTasks(): boolean {
    return this.tasks().length > 0;
  }

  /** Marks a task as sent to the gateway; it is tried again at `retryAt` unless its outcome drops it first. */
  startTask(id: string, retryAt: number): void {
    this.#storage.sql.exec("UPDATE tasks SET inflight = 1, tries = tries + 1, next_at = ? WHERE id = ?", retryAt, id);
    this.#tasks = this.#tasks?.map((t) =>
      t.id === id ? { ...t, inflight: true, tries: t.tries + 1, nextAt: retryAt } : t,
    );
  }

  timeline(afterVersion: number): TimelineEntry[] {
    this.#timeline ??= this.#rows<{ version: number; status: string; at: number; note: string | null }>(
      "SELECT version, status, at, note FROM timeline ORDER BY version",
    ).map((r) => ({
      version: r.version,
      status: r.status as OrderStatus,
      at: r.at,
      ...(r.note !== null ? { note: r.note } : {}),
    }));
    const after = Number.isFinite(afterVersion) ? afterVersion : 0;
    return this.#timeline.filter((e) => e.version > after);
  }

  /** Writes one plan in one transaction. */
  commit(plan: Plan, now: number): void {
    const sql = this.#storage.sql;
    this.#storage.transactionSync(() => {
      sql.exec(
        "INSERT INTO doc (id, body) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body",
        JSON.stringify(plan.doc),
      );
      const entry = plan.entry;
      if (entry) {
        sql.exec(
          "INSERT INTO timeline (version, status, at, note) VALUES (?, ?, ?, ?)",
          entry.version,
          entry.status,
          entry.at,
          entry.note ?? null,
        );
      }
      for (const a of plan.attempts) {
        sql.exec(
          "INSERT INTO attempts (payment_id, seq, body) VALUES (?, ?, ?) ON CONFLICT (payment_id) DO UPDATE SET body = excluded.body",
          a.id,
          a.seq,
          JSON.stringify(a),
        );
      }
      for (const t of plan.tasks) {
        sql.exec("INSERT INTO tasks (id, body, next_at) VALUES (?, ?, ?)", t.id, JSON.stringify(t), now);
      }
      for (const id of plan.dropTasks) sql.exec("DELETE FROM tasks WHERE id = ?", id);
      this.outbox.append(plan.events);
      sql.exec("DELETE FROM deadlines WHERE kind <> 'retry'");
      const at = deadlineOf(plan.doc);
      if (at !== null) sql.exec("INSERT INTO deadlines (kind, at) VALUES (?, ?)", plan.doc.status, at);
      sql.exec("UPDATE sync SET dirty = dirty + 1 WHERE id = 1");
    });
    // Committed: the copies follow. Attempts and tasks are re-read when next asked (their order and the tasks'
    // sequence numbers are SQLite's).
    this.#doc = plan.doc;
    if (plan.entry && this.#timeline) this.#timeline = [...this.#timeline, plan.entry];
    if (plan.attempts.length > 0) this.#attempts = undefined;
    if (plan.tasks.length > 0 || plan.dropTasks.length > 0) this.#tasks = undefined;
    if (this.#dirty !== undefined) this.#dirty += 1;
  }

  /** The earliest deadline, retry or due task: when the alarm must run (null: never). */
  nextWake(): number | null {
    return (
      this.#rows<{ at: number | null }>(
        "SELECT MIN(at) AS at FROM (SELECT at FROM deadlines UNION ALL SELECT next_at AS at FROM tasks)",
      )[0]?.at ?? null
    );
  }

  /** Asks the alarm to retry delivery or a deadline by `at`. */
  retryBy(at: number): void {
    this.#storage.sql.exec(
      "INSERT INTO deadlines (kind, at) VALUES ('retry', ?) ON CONFLICT (kind) DO UPDATE SET at = MIN(at, excluded.at)",
      at,
    );
  }

  clearRetry(): void {
    this.#storage.sql.exec("DELETE FROM deadlines WHERE kind = 'retry'");
  }

  /** Changes not yet mirrored to D1. */
  dirty(): number {
    this.#dirty ??= this.#rows<{ dirty: number }>("SELECT dirty FROM sync WHERE id = 1")[0]?.dirty ?? 0;
    return this.#dirty;
  }

  /** The mirror holds the state as it was at `seen` changes; later changes stay counted. */
  mirrored(seen: number): void {
    this.#storage.sql.exec("UPDATE sync SET dirty = 0 WHERE id = 1 AND dirty = ?", seen);
    if (this.#dirty === seen) this.#dirty = 0;
  }

  undelivered(): boolean {
    return this.dirty() > 0 || !this.outbox.empty;
  }

  #rows<T extends Record<string, SqlStorageValue>>(query: string, ...bindings: unknown[]): T[] {
    return rows<T>(this.#storage.sql, query, ...bindings);
  }
}
