import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { PaymentsUnavailableError } from "../config";
import type { AppEnv } from "./app-env";

/** Every stable error code of the API and the status it is answered with (DESIGN.md, "Error codes"). */
export const ERROR_STATUS = {
  validation_failed: 400,
  malformed_json: 400,
  unauthorized: 401,
  invalid_credentials: 401,
  invalid_signature: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  out_of_stock: 409,
  invalid_state: 409,
  below_reserved: 409,
  conflict: 409,
  email_taken: 409,
  payment_declined: 409,
  idempotency_in_progress: 409,
  payload_too_large: 413,
  image_too_large: 413,
  unsupported_media_type: 415,
  unsupported_image: 415,
  idempotency_key_reused: 422,
  rate_limited: 429,
  internal_error: 500,
  payments_unavailable: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export type ErrorBody = { error: { code: ErrorCode; message: string; details?: unknown } };

/** An expected failure that becomes the error envelope. Throw it from routes; `onError` answers it. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message: string, details?: unknown, headers: Record<string, string> = {}) {
    super(message);
    this.code = code;
    this.details = details;
    this.headers = headers;
  }

  get status(): ContentfulStatusCode {
    return ERROR_STATUS[this.code];
  }
}

export function errorBody(code: ErrorCode, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

export function errorResponse(c: Context, err: ApiError): Response {
  for (const [name, value] of Object.entries(err.headers)) c.header(name, value);
  return c.json(errorBody(err.code, err.message, err.details), err.status);
}

/** The one place unknown errors become responses: logged with the request id, answered without details. */
export function onError(err: Error, c: Context<AppEnv>): Response {
  if (err instanceof ApiError) return errorResponse(c, err);
  if (err instanceof PaymentsUnavailableError) {
    console.error(JSON.stringify({ level: "error", requestId: c.get("requestId"), message: err.message }));
    return errorResponse(
      c,
      new ApiError("payments_unavailable", "This shop cannot take payments right now", { missing: err.missing }),
    );
  }
  if (err instanceof HTTPException) {
    if (err.status === 413) return errorResponse(c, new ApiError("payload_too_large", "The request body is too large"));
    if (err.status === 400 && /json/i.test(err.message)) {
      return errorResponse(c, new ApiError("malformed_json", "The request body is not valid JSON"));
    }
    if (err.status === 401) return errorResponse(c, new ApiError("unauthorized", "Sign in first"));
    if (err.status === 403) return errorResponse(c, new ApiError("forbidden", err.message || "Forbidden"));
    if (err.status < 500) return errorResponse(c, new ApiError("validation_failed", err.message || "Bad request"));
  }
  const requestId = c.get("requestId");
  console.error(JSON.stringify({ level: "error", requestId, message: err.message, stack: err.stack }));
  return c.json(errorBody("internal_error", "Something went wrong on our side", { requestId }), 500);
}
