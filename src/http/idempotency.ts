/**
 * `Idempotency-Key` (DESIGN.md, "HTTP contract"): a retry with the same key and body gets the first response
 * back and does nothing new; the same key with a different body is 422 `idempotency_key_reused`; a retry while
 * the first is still running is 409 `idempotency_in_progress`. The header is optional.
 *
 * The key is claimed with an insert into D1 `idempotency_keys` before the work runs (the primary key makes
 * the claim atomic), and completed with the response. Keys are scoped by operation, path and caller (the
 * signed-in account, else the bearer token, else anonymous), so one caller's key never replays another's.
 * A 5xx (or a thrown error) releases the claim so the retry runs again; a claim left `in_progress` by a
 * crashed request is taken over after a minute. The cron sweep deletes keys older than a day.
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { type Db, getDb } from "../db/client";
import {
  claimIdempotencyKey,
  finishIdempotencyKey,
  type IdempotencyKeyRow,
  readIdempotencyKey,
  recordIdempotencyKeyDone,
  releaseIdempotencyKey,
  takeOverIdempotencyKey,
} from "../db/idempotency-keys";
import { sha256Hex } from "../lib/ids";
import type { AppEnv } from "./app-env";
import { documented, errorResponse } from "./contract";
import { ApiError } from "./errors";
import type { IdempotencyTicket } from "./idempotency-ticket";

export const IDEMPOTENCY_HEADER = "idempotency-key";
export const REPLAYED_HEADER = "idempotent-replayed";
/** A claim older than this with no response is considered abandoned by a crashed request. */
export const IN_PROGRESS_STALE_MS = 60_000;

const KEY_SHAPE = /^[\x21-\x7e]{1,255}$/;

/** Whether an Idempotency-Key header is one we accept (else 400 validation_failed). */
export const isValidKey = (key: string): boolean => KEY_SHAPE.test(key);

/** How other stores (a ProductStock, an OrderFlow) name a key: SHA-256 of its scope and the key. */
export const keyId = (scope: string, key: string): Promise<string> => sha256Hex(`${scope}\n${key}`);

/** The bearer token of a request, if any (guest order access). */
export function bearerToken(c: Context<AppEnv>): string | null {
  const header = c.req.header("authorization");
  const match = header ? /^Bearer\s+(\S{1,256})$/i.exec(header) : null;
  return match?.[1] ?? null;
}

/** The caller a key of a request without session or bearer token belongs to. */
export const ANONYMOUS_CALLER = "anon";

async function callerOf(c: Context<AppEnv>): Promise<string> {
  const user = c.get("user");
  if (user) return `u:${user.id}`;
  const token = bearerToken(c);
  return token ? `t:${await sha256Hex(token)}` : ANONYMOUS_CALLER;
}

/** A parsed JSON body written back with its keys sorted. */
const sortedJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );

/** JSON with sorted keys, so the same body sent with its keys in another order is the same request. */
function canonical(text: string): string {
  if (text === "") return "";
  try {
    return sortedJson(JSON.parse(text));
  } catch {
    return text;
  }
}

/** The scope a key lives in: the operation, the exact path and the caller. */
export const idempotencyScope = (operation: string, path: string, caller: string) => `${operation} ${path} ${caller}`;

/** The fingerprint of a request: method, path and the body with its keys sorted. */
export const requestFingerprint = (method: string, path: string, body: string) =>
  sha256Hex(`${method} ${path}\n${canonical(body)}`);

/** `requestFingerprint` of a JSON body already parsed (to `json`): the same digest without parsing it again. */
export const parsedFingerprint = (method: string, path: string, json: unknown) =>
  sha256Hex(`${method} ${path}\n${sortedJson(json)}`);

/** A request's key as `keyOf` names it, with the id other stores know it by. */
export type NamedKey = { key: string; scope: string; id: string; requestHash: string };

const namedEarlier = new WeakMap<Request, NamedKey>();

/**
 * Hands the route the key a step before routing named for `request` (src/routes/orders-early.ts), so the
 * middleware does not read, parse and hash the body a second time. `keyOf` takes it only for the same scope.
 */
export function nameKeyEarly(request: Request, named: NamedKey): void {
  namedEarlier.set(request, named);
}

type KeyRow = IdempotencyKeyRow;

/**
 * What an existing key row answers: the stored response (replayed), 422 for another body, or 409 while the
 * first request runs. Null when the row is an abandoned claim that this request has now taken over.
 */
async function answerExisting(db: Db, row: KeyRow, requestHash: string, now: number): Promise<Response | null> {
  if (row.requestHash !== requestHash) {
    throw new ApiError("idempotency_key_reused", "This Idempotency-Key was used with a different request");
  }
  if (row.state === "done" && row.responseStatus !== null) {
    return new Response(row.responseBody, {
      status: row.responseStatus,
      headers: { "content-type": "application/json", [REPLAYED_HEADER]: "true" },
    });
  }
  const abandoned = row.createdAt < now - IN_PROGRESS_STALE_MS;
  const taken = abandoned && (await takeOverIdempotencyKey(db, row, now));
  if (!taken) {
    throw new ApiError("idempotency_in_progress", "A request with this Idempotency-Key is still running");
  }
  return null;
}

async function readKey(db: Db, scope: string, key: string): Promise<KeyRow | undefined> {
  return readIdempotencyKey(db, scope, key);
}

/** Inserts the claim; null when this request now holds the key, else what the existing row answers. */
async function claimKey(db: Db, scope: string, key: string, requestHash: string): Promise<Response | null> {
  const now = Date.now();
  const claimed = await claimIdempotencyKey(db, { scope, key, requestHash, now });
  if (claimed) return null;
  const row = await readKey(db, scope, key);
  if (!row) throw new ApiError("idempotency_in_progress", "A request with this Idempotency-Key is still running");
  return answerExisting(db, row, requestHash, now);
}

/** Validates the header and computes the key's scope; null without a key. */
async function scopedKey(c: Context<AppEnv>, operation: string): Promise<{ key: string; scope: string } | null> {
  const key = c.req.header(IDEMPOTENCY_HEADER);
  if (key === undefined) return null;
  if (!isValidKey(key)) {
    throw new ApiError("validation_failed", "Idempotency-Key must be 1 to 255 visible ASCII characters");
  }
  return { key, scope: idempotencyScope(operation, c.req.path, await callerOf(c)) };
}

/** Validates the header and computes the key's scope and the request's fingerprint; null without a key. */
async function keyOf(c: Context<AppEnv>, operation: string) {
  const k = await scopedKey(c, operation);
  if (k === null) return null;
  const requestHash = await requestFingerprint(c.req.method, c.req.path, await c.req.text());
  return { ...k, requestHash };
}

/**
 * `keyOf` with the id other stores know the key by (`keyId`), both digests taken at once; a key named before
 * routing for this request and scope (`nameKeyEarly`) is taken as it is.
 */
async function namedKeyOf(c: Context<AppEnv>, operation: string): Promise<NamedKey | null> {
  const k = await scopedKey(c, operation);
  if (k === null) return null;
  const early = namedEarlier.get(c.req.raw);
  if (early && early.key === k.key && early.scope === k.scope) return early;
  const [requestHash, id] = await Promise.all([
    c.req.text().then((text) => requestFingerprint(c.req.method, c.req.path, text)),
    keyId(k.scope, k.key),
  ]);
  return { ...k, id, requestHash };
}

/** Records the response of a request holding the key (or releases the key after a 5xx). */
async function finish(c: Context<AppEnv>, db: Db, scope: string, key: string): Promise<void> {
  if (c.res.status >= 500) {
    await releaseIdempotencyKey(db, scope, key);
    return;
  }
  const body = await c.res.clone().text();
  await finishIdempotencyKey(db, { scope, key, status: c.res.status, body });
}

/** Middleware honouring `Idempotency-Key` for one operation (e.g. "orders.create"); it documents its header. */
export const idempotent = (operation: string) => documented(IDEMPOTENCY_DOC, honourKey(operation));

const IDEMPOTENCY_DOC = {
  parameters: [
    { name: "Idempotency-Key", in: "header" as const, required: false, schema: { type: "string" as const } },
  ],
  responses: {
    409: errorResponse("idempotency_in_progress: the first request with this key is still running"),
    422: errorResponse("idempotency_key_reused: the key came with a different request"),
  },
};

const honourKey = (operation: string) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const k = await keyOf(c, operation);
    if (k === null) return next();
    const db = getDb(c.env.DB);
    const existing = await claimKey(db, k.scope, k.key, k.requestHash);
    if (existing) return existing;
    try {
      await next();
    } catch (err) {
      await releaseIdempotencyKey(db, k.scope, k.key);
      throw err;
    }
    await finish(c, db, k.scope, k.key);
  });

/**
 * The handler's side of a deferred key (`idempotentDeferred`). The handler calls `claim()` once it is about to
 * change something; an answer that changed nothing is recorded afterwards, unless the handler says another
 * store remembers it (`rememberedElsewhere`: a ProductStock keeps its own refusals per key).
 */
export type { IdempotencyTicket };

/**
 * `Idempotency-Key` without a D1 write up front (order creation), and without a read either: the handler asks
 * for the key's record (`lookup`) only when it needs it, claims the key only when it is about to change
 * something, and an answer that changed nothing (a validation error, a refusal) is recorded after the fact, or
 * not at all when another store remembers it. Same promises as `idempotent`: a retry gets the first answer,
 * another body 422, a retry while the first runs 409. (The orders route lets the stock say whether a key is
 * new: a single-line order's ProductStock remembers every key that reached it. See docs/orders.md.)
 */
export const idempotentDeferred = (operation: string) => documented(IDEMPOTENCY_DOC, deferKey(operation));

const deferKey = (operation: string) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const k = await namedKeyOf(c, operation);
    if (k === null) {
      c.set("idempotency", null);
      return next();
    }
    const db = getDb(c.env.DB);
    let held = false;
    const ticket: IdempotencyTicket = {
      id: k.id,
      requestHash: k.requestHash,
      rememberedElsewhere: false,
      lookup: async () => {
        const row = await readKey(db, k.scope, k.key);
        if (!row) return null;
        const existing = await answerExisting(db, row, k.requestHash, Date.now());
        if (existing === null) held = true; // an abandoned claim, taken over
        return existing;
      },
      claim: async () => {
        if (held) return null;
        const answer = await claimKey(db, k.scope, k.key, k.requestHash);
        if (answer === null) held = true;
        return answer;
      },
    };
    c.set("idempotency", ticket);
    try {
      await next();
    } catch (err) {
      if (held) {
        await releaseIdempotencyKey(db, k.scope, k.key);
      }
      throw err;
    }
    if (held) return finish(c, db, k.scope, k.key);
    if (ticket.rememberedElsewhere || c.res.status >= 500 || c.res.headers.get(REPLAYED_HEADER) === "true") return;
    // An answer that changed nothing: recorded as done at once. Should the key have a record already (an
    // earlier request with it, or another one that claimed it meanwhile), that record answers instead.
    const body = await c.res.clone().text();
    const recorded = await recordIdempotencyKeyDone(db, {
      scope: k.scope,
      key: k.key,
      requestHash: k.requestHash,
      status: c.res.status,
      body,
      now: Date.now(),
    });
    if (recorded) return;
    const row = await readKey(db, k.scope, k.key);
    const existing = row ? await answerExisting(db, row, k.requestHash, Date.now()) : null;
    if (!existing)
      throw new ApiError("idempotency_in_progress", "A request with this Idempotency-Key is still running");
    c.res = existing;
  });

/**
 * `Idempotency-Key` for a request whose answer the object it changes keeps (a pay request: its order keeps the
 * answer, src/durable/order-flow/answers.ts). This only validates the key and names it (`c.var.answerKey`:
 * SHA-256 of its scope and key, and the body's fingerprint; null without a key); the handler hands it to the
 * object. Same promises as `idempotent`, without D1: a retry gets the first answer (`Idempotent-Replayed`),
 * another body 422, a retry while the first runs 409 `idempotency_in_progress`.
 */
export const idempotentInObject = (operation: string) => documented(IDEMPOTENCY_DOC, nameKey(operation));

const nameKey = (operation: string) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const k = await namedKeyOf(c, operation);
    c.set("answerKey", k && { id: k.id, requestHash: k.requestHash });
    await next();
  });
