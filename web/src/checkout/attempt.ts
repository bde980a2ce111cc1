/**
 * One checkout attempt, kept in sessionStorage so that sending the same cart again (a retry after a lost
 * answer, a reload, a double click) reuses the same `Idempotency-Key` and the server answers with the order it
 * already made instead of reserving the stock twice. A different body is a new attempt with a new key; the key
 * is dropped once the server has given a definite answer.
 */
import { newIdempotencyKey } from "../order/tokens";

const KEY = "bracelet-shop:checkout-attempt";

export type Attempt = {
  /** The exact body sent with `key` (the server compares bodies: the same key with another body is a 422). */
  body: string;
  key: string;
  /** Set once the order exists: it is reserved and waiting for its payment. */
  order?: { id: string; accessToken: string };
};

export function loadAttempt(): Attempt | null {
  try {
    const parsed = JSON.parse(sessionStorage.getItem(KEY) ?? "null") as Partial<Attempt> | null;
    if (typeof parsed?.body !== "string" || typeof parsed.key !== "string") return null;
    const order = parsed.order;
    return {
      body: parsed.body,
      key: parsed.key,
      ...(typeof order?.id === "string" && typeof order.accessToken === "string" ? { order } : {}),
    };
  } catch {
    return null;
  }
}

export function saveAttempt(attempt: Attempt): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(attempt));
  } catch {
    // Storage refused: the attempt still works, only a reload would lose the key.
  }
}

export function clearAttempt(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // nothing to clear
  }
}

/** The attempt for `body`: the stored one when the body is the same, else a fresh key. */
export function attemptFor(body: string): { attempt: Attempt; previous: Attempt | null } {
  const stored = loadAttempt();
  if (stored && stored.body === body) return { attempt: stored, previous: null };
  const attempt = { body, key: newIdempotencyKey() };
  saveAttempt(attempt);
  return { attempt, previous: stored };
}
