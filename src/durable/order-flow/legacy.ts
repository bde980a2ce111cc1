/**
 * How an order was kept before it moved to the object's key-value storage (issue 9): eight SQLite tables, built
 * by a migration before the object's first command. A deployed shop still has orders in that layout; the store
 * reads such an order once (`readLegacyOrder`), writes it as keys and drops these tables (`dropLegacyTables`) in
 * one transaction. Nothing writes this layout any more; the schema stays here to read it, and for the test that
 * builds an old object.
 */
import type { EventEnvelope } from "../../domain/events";
import type { Attempt, OrderDoc, PaymentTask, StoredTask } from "../../domain/order/types";
import type { OrderStatus, TimelineEntry } from "../../domain/order-machine";
import type { Migrations } from "../kit/migrate";
import { OUTBOX_TABLE } from "../kit/outbox";
import { rows } from "../kit/sql";

/** The old schema, exactly as it was run by `migrate` (its `_schema` table recorded version 1). */
export const LEGACY_ORDER_MIGRATIONS: Migrations = [
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

const LEGACY_TABLES = ["doc", "timeline", "attempts", "tasks", "outbox", "deadlines", "sync", "_schema"];

/** Everything an order kept in the old tables. */
export type LegacyOrder = {
  doc: OrderDoc | null;
  attempts: Attempt[];
  tasks: StoredTask[];
  timeline: TimelineEntry[];
  deadlines: Record<string, number>;
  dirty: number;
  outbox: EventEnvelope[];
};

/** The order in the old tables, or null when the object has none (a new object, or one already moved). */
export function readLegacyOrder(sql: SqlStorage): LegacyOrder | null {
  // Both tables are created by one migration step, so `doc` stands for all of them.
  if (rows(sql, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'doc'").length === 0) return null;
  const doc = rows<{ body: string }>(sql, "SELECT body FROM doc WHERE id = 1")[0];
  return {
    doc: doc ? (JSON.parse(doc.body) as OrderDoc) : null,
    attempts: rows<{ body: string }>(sql, "SELECT body FROM attempts ORDER BY seq").map(
      (r) => JSON.parse(r.body) as Attempt,
    ),
    tasks: rows<{ seq: number; body: string; tries: number; next_at: number; inflight: number }>(
      sql,
      "SELECT seq, body, tries, next_at, inflight FROM tasks ORDER BY seq",
    ).map((r) => ({
      ...(JSON.parse(r.body) as PaymentTask),
      seq: r.seq,
      tries: r.tries,
      nextAt: r.next_at,
      inflight: r.inflight === 1,
    })),
    timeline: rows<{ version: number; status: string; at: number; note: string | null }>(
      sql,
      "SELECT version, status, at, note FROM timeline ORDER BY version",
    ).map((r) => ({
      version: r.version,
      status: r.status as OrderStatus,
      at: r.at,
      ...(r.note !== null ? { note: r.note } : {}),
    })),
    deadlines: Object.fromEntries(
      rows<{ kind: string; at: number }>(sql, "SELECT kind, at FROM deadlines").map((r) => [r.kind, r.at]),
    ),
    dirty: rows<{ dirty: number }>(sql, "SELECT dirty FROM sync WHERE id = 1")[0]?.dirty ?? 0,
    outbox: rows<{ event: string }>(sql, "SELECT event FROM outbox ORDER BY seq").map(
      (r) => JSON.parse(r.event) as EventEnvelope,
    ),
  };
}

/** Drops the old tables; call in the transaction that writes their contents as keys. */
export function dropLegacyTables(sql: SqlStorage): void {
  for (const table of LEGACY_TABLES) sql.exec(`DROP TABLE IF EXISTS ${table}`);
}
