import type { Role } from "../domain/accounts";
import type { IdempotencyTicket } from "./idempotency-ticket";

/** The signed-in person behind a request, resolved from the session cookie by the auth middleware. */
export type SessionUser = { id: string; email: string; name: string; role: Role };

/** Hono's environment for every router: the Worker bindings and what middleware puts on the context. */
export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    user: SessionUser | null;
    /** SHA-256 of the session cookie when one was presented and valid (logout revokes it). */
    sessionIdHash: string | null;
    /** Set by `idempotentDeferred`: the request's Idempotency-Key, null without one. */
    idempotency: IdempotencyTicket | null;
    /** Set by `idempotentInObject`: the request's Idempotency-Key as the object that keeps its answer names it. */
    answerKey: { id: string; requestHash: string } | null;
  };
};
