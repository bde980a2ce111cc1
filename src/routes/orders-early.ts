/**
 * POST /api/orders' first step, taken before routing for a guest's single-line order: in a flash sale nine
 * shoppers in ten are refused, and a refusal is decided by one call to the SKU's ProductStock. Answering it here
 * skips Hono's middleware chain, the router and the thrown error, which cost about as much as the stock call
 * itself (bench/README.md, "Round seven").
 *
 * The step answers only what the route would answer without doing anything else: a refusal the stock decided
 * and remembered under the key (409 out_of_stock, a replay of it, 422 for another body). Everything else goes on
 * to the app unchanged: a request with a cookie or a bearer token (a session, a CSRF check, another key scope),
 * a body that is not a valid single-line order (the route's validation answers it), an unknown SKU (the catalog
 * names it), a key the stock saw take stock. When the stock took the line, the reservation is handed to the
 * route with the request (`takeEarlyStock`), which creates the order as if it had reserved itself.
 *
 * The answer is the app's: same status, body and headers (the security headers are read from the middleware
 * itself, the request id made as the middleware makes it); test/orders-early.test.ts compares the two.
 */
import * as v from "valibot";
import { config } from "../config";
import { refusedAtCheckout } from "../domain/order/rules/create";
import { MAX_QTY, mergeLines } from "../domain/pricing";
import { ERROR_STATUS, type ErrorCode, errorBody } from "../http/errors";
import { JSON_TYPE, MAX_JSON_BYTES } from "../http/guards";
import {
  ANONYMOUS_CALLER,
  IDEMPOTENCY_HEADER,
  idempotencyScope,
  isValidKey,
  keyId,
  type NamedKey,
  nameKeyEarly,
  parsedFingerprint,
  REPLAYED_HEADER,
} from "../http/idempotency";
import { REQUEST_ID_HEADER, requestIdFor } from "../http/request-id";
import { securityHeaderPairs } from "../http/security-headers";
import { newId } from "../lib/ids";
import { releaseLines, reserveLines, type StockAnswer, type StockRefusal } from "../services/stock/checkout";
import { CreateOrderSchema } from "./order-schemas";

const ORDERS_PATH = "/api/orders";
/** The operation an order request's Idempotency-Key is scoped to (the route's `idempotentDeferred`). */
export const CREATE_OPERATION = "orders.create";

/** The stock an early step took for a request, for the route to create its order with. */
export type EarlyStock = { orderId: string; stock: StockAnswer };

const handedOver = new WeakMap<Request, EarlyStock & { lines: { sku: string }[] }>();

/** The reservation the early step made for this request, taken once (null when it made none). */
export function takeEarlyStock(request: Request): EarlyStock | null {
  const early = handedOver.get(request);
  if (!early) return null;
  handedOver.delete(request);
  return { orderId: early.orderId, stock: early.stock };
}

/**
 * Gives back a reservation handed to the route that the route never took (a request that failed before its
 * handler ran), so it does not hold stock until it expires.
 */
export async function releaseUntaken(request: Request, env: Env): Promise<void> {
  const early = handedOver.get(request);
  if (!early) return;
  handedOver.delete(request);
  if (early.stock.ok) await releaseLines(env, early.orderId, early.lines, early.stock.places);
}

/** An error answer as data: the early step writes it out, the route throws it (`new ApiError(...)`). */
export type ErrorAnswer = { code: ErrorCode; message: string; details?: unknown; headers: Record<string, string> };

/**
 * What the stock's refusal answers; `"unknown_sku"` when the catalog must name the lines (the route prices
 * them for that). Data rather than an ApiError: an Error takes a stack trace, which the early step's refusals
 * (nine shoppers in ten of a sale) would pay for and never read.
 */
export function refusalError(refused: readonly StockRefusal[]): ErrorAnswer | "unknown_sku" {
  const decided = refusedAtCheckout(
    refused.map(({ line, result }) => ({
      sku: line.sku,
      requested: line.qty,
      available: result.level.available,
      // `key_seen` is answered by the route before this; should it get here, the first request is still running.
      reason: result.reason === "key_seen" ? "key_in_progress" : result.reason,
      replayed: result.reason === "insufficient" && result.replayed === true,
    })),
  );
  switch (decided.answer) {
    case "unknown_sku":
      return "unknown_sku";
    case "key_reused":
      return {
        code: "idempotency_key_reused",
        message: "This Idempotency-Key was used with a different request",
        headers: {},
      };
    case "key_in_progress":
      return {
        code: "idempotency_in_progress",
        message: "A request with this Idempotency-Key is still running",
        headers: {},
      };
    case "out_of_stock": {
      const { code, message, details } = decided.failure;
      return { code, message, details, headers: decided.replayed ? { [REPLAYED_HEADER]: "true" } : {} };
    }
  }
}

/** The path of an absolute URL, without parsing it (`new URL` showed in a refusal's profile). */
function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start < 0) return "/";
  let end = url.length;
  for (const stop of ["?", "#"]) {
    const at = url.indexOf(stop, start);
    if (at >= 0 && at < end) end = at;
  }
  return url.slice(start, end);
}

/** Whether the step may look at this request at all: only what the app's middleware would pass untouched. */
function isPlainGuestOrder(request: Request): boolean {
  if (request.method !== "POST" || pathOf(request.url) !== ORDERS_PATH) return false;
  const h = request.headers;
  if (h.has("cookie") || h.has("authorization")) return false;
  const length = Number(h.get("content-length"));
  if (!Number.isInteger(length) || length < 1 || length > MAX_JSON_BYTES) return false;
  const type = (h.get("content-type") ?? "").split(";")[0]?.trim() ?? "";
  return JSON_TYPE.test(type);
}

/**
 * The request's answer when the stock alone decides it, else the request for the app: the same one when the step
 * did not read it, or a copy carrying the body it read (and, when the stock took the line, the reservation).
 */
export async function answerOrderEarly(request: Request, env: Env): Promise<Request | Response> {
  if (!isPlainGuestOrder(request)) return request;
  const keyHeader = request.headers.get(IDEMPOTENCY_HEADER);
  if (keyHeader !== null && !isValidKey(keyHeader)) return request;
  const text = await request.text();
  const onward = () => new Request(request, { body: text });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return onward();
  }
  const parsed = v.safeParse(CreateOrderSchema, json);
  if (!parsed.success) return onward();
  const lines = mergeLines(parsed.output.items);
  const line = lines[0];
  if (lines.length !== 1 || !line || line.qty > MAX_QTY) return onward();

  let key: NamedKey | null = null;
  if (keyHeader !== null) {
    const scope = idempotencyScope(CREATE_OPERATION, ORDERS_PATH, ANONYMOUS_CALLER);
    // Both digests at once, the body's from the value parsed above: the route's middleware reuses them.
    const [id, requestHash] = await Promise.all([
      keyId(scope, keyHeader),
      parsedFingerprint("POST", ORDERS_PATH, json),
    ]);
    key = { key: keyHeader, scope, id, requestHash };
  }
  const orderId = newId("ord");
  const stockKey = key && { id: key.id, requestHash: key.requestHash };
  const stock = await reserveLines(env, orderId, lines, config(env).reservationTtlMs, stockKey);
  if (!stock.ok && (key === null || stock.remembered) && !stock.refused.some((r) => r.result.reason === "key_seen")) {
    const error = refusalError(stock.refused);
    if (error !== "unknown_sku") return errorAnswer(request, error);
  }
  const next = onward();
  handedOver.set(next, { orderId, stock, lines });
  if (key) nameKeyEarly(next, key);
  return next;
}

/** The error envelope with the headers the app's middleware would have added. */
async function errorAnswer(request: Request, error: ErrorAnswer): Promise<Response> {
  const headers: Record<string, string> = {
    ...(await securityHeaders()),
    [REQUEST_ID_HEADER]: requestIdFor(request),
    "content-type": "application/json",
    ...error.headers,
  };
  return new Response(JSON.stringify(errorBody(error.code, error.message, error.details)), {
    status: ERROR_STATUS[error.code],
    headers,
  });
}

let headerRecord: Record<string, string> | null = null;

/** The security headers as a plain record: spread into each answer, cheaper than a Headers object and its sets. */
async function securityHeaders(): Promise<Record<string, string>> {
  headerRecord ??= Object.fromEntries(await securityHeaderPairs());
  return headerRecord;
}
