/**
 * Answers an order gave to requests that carried an Idempotency-Key: its pay requests, and the request that
 * created it. The order keeps them itself (in its own key-value storage) instead of D1's `idempotency_keys`:
 * a pay request was two D1 round trips (claim, record) around one call to this object, and the object runs
 * its commands one at a time, so checking the key, paying and keeping the answer is one step here, and a
 * retry that arrives while the first request runs waits for its answer instead of being refused.
 */

/** A request's key as another store names it: SHA-256 of its scope and key, and its body's fingerprint. */
export type AnswerKey = { id: string; requestHash: string };

type Kept<T> = { requestHash: string; answer: T; at: number };

/** `reused`: the key came with another request body (422 `idempotency_key_reused`). */
export type Found<T> = { kept: T } | { reused: true } | null;

export class KeptAnswers {
  readonly #kv: SyncKvStorage;

  constructor(kv: SyncKvStorage) {
    this.#kv = kv;
  }

  find<T>(kind: string, key: AnswerKey): Found<T> {
    const kept = this.#kv.get<Kept<T>>(`answer:${kind}:${key.id}`);
    if (kept === undefined) return null;
    return kept.requestHash === key.requestHash ? { kept: kept.answer } : { reused: true };
  }

  keep<T>(kind: string, key: AnswerKey, answer: T, now: number): void {
    this.#kv.put(`answer:${kind}:${key.id}`, { requestHash: key.requestHash, answer, at: now } satisfies Kept<T>);
  }
}
