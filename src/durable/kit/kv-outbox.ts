/**
 * The transactional outbox of `outbox.ts` for an object that keeps no tables: its events live in the SQLite-backed
 * object's synchronous key-value storage (`ctx.storage.kv`), as one value under one key. The same promise: append
 * in the synchronous step (`transactionSync`) that makes the change, relay oldest first, acknowledge a batch only
 * once it was delivered, so a failure leaves it for the next try.
 *
 * One value rather than a key per event: an order's outbox holds the one or two events of its last command (it is
 * delivered right after each), so appending is one `put` and acknowledging one `put` or `delete`, against a call
 * per event. The sequence numbers only order the events and tell an acknowledged batch from events appended
 * while it was being delivered.
 */
import type { EventEnvelope } from "../../domain/events";
import { OUTBOX_BATCH, type OutboxBatch } from "./outbox";

export type OutboxEntry = { seq: number; event: EventEnvelope };

export class KvOutbox {
  readonly #kv: SyncKvStorage;
  readonly #key: string;
  /** The stored value as last read or written (undefined: read it when next asked). */
  #entries: readonly OutboxEntry[] | undefined;
  /** The highest sequence number this instance has seen or handed out: never reused, even once emptied. */
  #lastSeq = 0;

  constructor(kv: SyncKvStorage, key: string) {
    this.#kv = kv;
    this.#key = key;
  }

  /** Takes the stored value from a read of the whole storage (undefined: there is none), sparing a `get`. */
  prime(value: readonly OutboxEntry[] | undefined): void {
    this.#remember(value ?? []);
  }

  /** Drops what it remembers; the next call reads the stored value. Call it when a transaction that appended threw. */
  forget(): void {
    this.#entries = undefined;
  }

  /** Appends events; call inside the transaction that makes the change. */
  append(events: readonly EventEnvelope[]): void {
    if (events.length === 0) return;
    const entries = this.#read();
    let seq = this.#lastSeq;
    const next = [...entries, ...events.map((event) => ({ seq: ++seq, event }))];
    this.#kv.put(this.#key, next);
    this.#entries = next;
    this.#lastSeq = seq;
  }

  /** The oldest undelivered events, or null when there are none. */
  peek(): OutboxBatch | null {
    const found = this.#read().slice(0, OUTBOX_BATCH);
    const last = found.at(-1);
    if (!last) return null;
    return { events: found.map((e) => e.event), lastSeq: last.seq, full: found.length === OUTBOX_BATCH };
  }

  /** Forgets a delivered batch; events appended while it was being delivered stay. */
  ack(batch: OutboxBatch): void {
    const entries = this.#read();
    const left = entries.filter((e) => e.seq > batch.lastSeq);
    if (left.length === entries.length) return;
    if (left.length === 0) this.#kv.delete(this.#key);
    else this.#kv.put(this.#key, left);
    this.#entries = left;
  }

  get empty(): boolean {
    return this.#read().length === 0;
  }

  #read(): readonly OutboxEntry[] {
    return this.#entries ?? this.#remember(this.#kv.get<OutboxEntry[]>(this.#key) ?? []);
  }

  #remember(entries: readonly OutboxEntry[]): readonly OutboxEntry[] {
    this.#entries = entries;
    this.#lastSeq = Math.max(this.#lastSeq, entries.at(-1)?.seq ?? 0);
    return entries;
  }
}
