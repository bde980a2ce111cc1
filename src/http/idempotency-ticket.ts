/**
 * A request's Idempotency-Key as `idempotentDeferred` hands it to the handler (in `c.var.idempotency`). Its own
 * file so the app's context type can name it without importing the middleware (which imports that type).
 */
export type IdempotencyTicket = {
  /** SHA-256 of scope and key: how another store names this key. */
  readonly id: string;
  readonly requestHash: string;
  /**
   * The key's record in D1: the response to answer instead (a replay, 422 for another body, 409 while the
   * first request runs), or null when there is none (or it was an abandoned claim, now held by this request).
   */
  lookup(): Promise<Response | null>;
  /** Claims the key; null when this request now holds it, else the response to answer instead. */
  claim(): Promise<Response | null>;
  rememberedElsewhere: boolean;
};
