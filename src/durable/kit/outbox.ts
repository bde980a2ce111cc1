/**
 * A Durable Object's transactional outbox: events are appended in the same synchronous step as the change they
 * describe, then relayed (to D1's event log and the queue) oldest first; a batch is acknowledged only once it
 * was delivered, so a failure leaves it for the next try. Delivery is idempotent per event id.
 */
import type { EventEnvelope } from "../../domain/events";
import { rows } from "./sql";

/** The outbox table, for an object's migration list. */
export const OUTBOX_TABLE = "CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, event TEXT NOT NULL)";

/** Events relayed per delivery (D1 binds at most 100 parameters a statement; the log inserts 12 a statement). */
export const OUTBOX_BATCH = 50;

export type OutboxBatch = { events: EventEnvelope[]; lastSeq: number; full: boolean };

export class Outbox {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /** Appends events; call inside the transaction that makes the change. */
  append(events: readonly EventEnvelope[]): void {
    for (const e of events) this.#sql.exec("INSERT INTO outbox (event) VALUES (?)", JSON.stringify(e));
  }

  /** The oldest undelivered events, or null when there are none. */
  peek(): OutboxBatch | null {
    const found = rows<{ seq: number; event: string }>(
      this.#sql,
      "SELECT seq, event FROM outbox ORDER BY seq LIMIT ?",
      OUTBOX_BATCH,
    );
    const last = found.at(-1);
    if (!last) return null;
    return {
      events: found.map((r) => JSON.parse(r.event) as EventEnvelope),
      lastSeq: last.seq,
      full: found.length === OUTBOX_BATCH,
    };
  }

  /** Forgets a delivered batch (it was the lowest sequence numbers, so this removes exactly it). */
  ack(batch: OutboxBatch): void {
    this.#sql.exec("DELETE FROM outbox WHERE seq <= ?", batch.lastSeq);
  }

  get empty(): boolean {
    return rows(this.#sql, "SELECT 1 FROM outbox LIMIT 1").length === 0;
  }
}
