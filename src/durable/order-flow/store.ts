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

export class OrderStore {
  readonly #storage: DurableObjectStorage;
  readonly outbox: Outbox;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
    this.outbox = new Outbox(storage.sql);
  }

  state(): OrderState | null {
    const doc = this.doc();
    return doc ? { doc, attempts: this.attempts(), tasks: this.tasks() } : null;
  }

  doc(): OrderDoc | null {
    const row = this.#rows<{ body: string }>("SELECT body FROM doc WHERE id = 1")[0];
    return row ? (JSON.parse(row.body) as OrderDoc) : null;
  }

  attempts(): Attempt[] {
    return this.#rows<{ body: string }>("SELECT body FROM attempts ORDER BY seq").map(
      (r) => JSON.parse(r.body) as Attempt,
    );
  }

  tasks(): StoredTask[] {
    return this.#rows<{ seq: number; body: string; tries: number; next_at: number; inflight: number }>(
      "SELECT seq, body, tries, next_at, inflight FROM tasks ORDER BY seq",
    ).map((r) => ({
      ...(JSON.parse(r.body) as PaymentTask),
      seq: r.seq,
      tries: r.tries,
      nextAt: r.next_at,
      inflight: r.inflight === 1,
    }));
  }

  hasTasks(): boolean {
    return this.#rows("SELECT 1 FROM tasks LIMIT 1").length > 0;
  }

  /** Marks a task as sent to the gateway; it is tried again at `retryAt` unless its outcome drops it first. */
  startTask(id: string, retryAt: number): void {
    this.#storage.sql.exec("UPDATE tasks SET inflight = 1, tries = tries + 1, next_at = ? WHERE id = ?", retryAt, id);
  }

  timeline(afterVersion: number): TimelineEntry[] {
    return this.#rows<{ version: number; status: string; at: number; note: string | null }>(
      "SELECT version, status, at, note FROM timeline WHERE version > ? ORDER BY version",
      Number.isFinite(afterVersion) ? afterVersion : 0,
    ).map((r) => ({
      version: r.version,
      status: r.status as OrderStatus,
      at: r.at,
      ...(r.note !== null ? { note: r.note } : {}),
    }));
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
    return this.#rows<{ dirty: number }>("SELECT dirty FROM sync WHERE id = 1")[0]?.dirty ?? 0;
  }

  /** The mirror holds the state as it was at `seen` changes; later changes stay counted. */
  mirrored(seen: number): void {
    this.#storage.sql.exec("UPDATE sync SET dirty = 0 WHERE id = 1 AND dirty = ?", seen);
  }

  undelivered(): boolean {
    return this.dirty() > 0 || !this.outbox.empty;
  }

  #rows<T extends Record<string, SqlStorageValue>>(query: string, ...bindings: unknown[]): T[] {
    return rows<T>(this.#storage.sql, query, ...bindings);
  }
}
