/**
 * Answers an order gave to requests that carried an Idempotency-Key: its pay requests, and the request that
 * created it. The order keeps them itself (in its own key-value storage) instead of D1's `idempotency_keys`:
 * a pay request was two D1 round trips (claim, record) around one call to this object, and the object runs
 * its commands one at a time, so checking the key, paying and keeping the answer is one step here (a retry
 * that arrives while the first request runs is told so: OrderFlow keeps the running keys in memory).
 */

/** A request's key as another store names it: SHA-256 of its scope and key, and its body's fingerprint. */
export type AnswerKey = { id: string; requestHash: string };

type Kept<T> = { requestHash: string; answer: T; at: number };

/** As long as D1 keeps a key (the cron sweeps `idempotency_keys` after a day) and the stock keeps its keys. */
export const ANSWER_TTL_MS = 24 * 60 * 60 * 1000;
/** The most answers one order keeps: a client sending a new key with every pay request cannot grow it further. */
export const MAX_ANSWERS = 50;

/** `reused`: the key came with another request body (422 `idempotency_key_reused`). */
export type Found<T> = { kept: T } | { reused: true } | null;

export class KeptAnswers {
  readonly #kv: SyncKvStorage;

  constructor(kv: SyncKvStorage) {
    this.#kv = kv;
  }

  find<T>(kind: string, key: AnswerKey, now: number): Found<T> {
    const kept = this.#kv.get<Kept<T>>(`answer:${kind}:${key.id}`);
    if (kept === undefined || kept.at <= now - ANSWER_TTL_MS) return null;
    return kept.requestHash === key.requestHash ? { kept: kept.answer } : { reused: true };
  }

  /** Keeps an answer, dropping those older than a day and, beyond `MAX_ANSWERS`, the oldest. */
  keep<T>(kind: string, key: AnswerKey, answer: T, now: number): void {
    const name = `answer:${kind}:${key.id}`;
    const others = [...this.#kv.list<Kept<unknown>>({ prefix: "answer:" })]
      .filter(([k]) => k !== name)
      .sort(([, a], [, b]) => a.at - b.at);
    const over = Math.max(0, others.length + 1 - MAX_ANSWERS);
    others.forEach(([k, kept], i) => {
      if (i < over || kept.at <= now - ANSWER_TTL_MS) this.#kv.delete(k);
    });
    this.#kv.put(name, { requestHash: key.requestHash, answer, at: now } satisfies Kept<T>);
  }
}
