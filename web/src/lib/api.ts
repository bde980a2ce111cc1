/**
 * The browser's client for /api. `client` is Hono's typed client over the Worker's own routes (`AppType`):
 * paths, inputs and answers come from the handlers, so the browser declares no API types of its own.
 * `read(client.api.me.$get())` answers the typed body of a success, or throws the error envelope as an
 * ApiFailure with its stable code. Cookies ride along (same origin); a guest's order token goes in
 * `bearer(token)`. Path parameters are sent as given: wrap them in `encodeURIComponent`.
 */

import { type ClientResponse, hc, type InferResponseType } from "hono/client";
import type { SuccessStatusCode } from "hono/utils/http-status";
import type { AppType } from "../../../src/worker";
export class ApiFailure extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: unknown;
  /** Seconds from a `Retry-After` header (429 rate_limited), when the server sent one. */
  readonly retryAfter: number | null;

  constructor(status: number, code: string, message: string, details?: unknown, retryAfter: number | null = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter;
  }
}

export const client = hc<AppType>("/", {
  headers: { accept: "application/json" },
  init: { credentials: "same-origin" },
});

/** The request options of a call with a guest's order token (none for a signed-in owner or staff). */
export function bearer(token: string | null | undefined, headers: Record<string, string> = {}) {
  return { headers: token ? { ...headers, authorization: `Bearer ${token}` } : headers };
}

/** POSTs raw bytes (a file the user picked) and answers the JSON reply, or throws its ApiFailure. */
export async function sendBytes<T>(path: string, body: Blob, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, {
    method: "POST",
    headers: { accept: "application/json" },
    body,
    credentials: "same-origin",
    signal,
  });
  return answer<T>(res);
}

/** What a typed call answers when it succeeds (the error envelope becomes an ApiFailure). */
export type Answer<R> =
  R extends ClientResponse<infer T, infer S, infer F>
    ? S extends SuccessStatusCode
      ? F extends "json"
        ? T
        : undefined
      : never
    : never;

/** Awaits a typed client call and answers its body, or throws the ApiFailure of its error envelope. */
export async function read<R extends ClientResponse<unknown, number, string>>(call: Promise<R>): Promise<Answer<R>> {
  // hc's response is the fetch Response; its type here is the one the Worker's types declare.
  return answer<Answer<R>>((await call) as unknown as Response);
}

/** What the typed call `F` answers when it succeeds: `AnswerOf<typeof client.api.me.$get>`. */
// biome-ignore lint/suspicious/noExplicitAny: any call of the typed client
export type AnswerOf<F extends (...args: any[]) => Promise<unknown>> = Answer<Awaited<ReturnType<F>>>;

/** Whether this browser holds a session: the server's readable hint cookie (src/http/session.ts). */
export function hasSessionHint(): boolean {
  return typeof document !== "undefined" && document.cookie.split("; ").includes("__Host-signed-in=1");
}

/**
 * GET /api/me, asked only when the browser holds a session: without the hint it answers as the server would
 * (an ApiFailure 401) without a request, so signed-out pages log no failed request.
 */
export function fetchMe(signal?: AbortSignal) {
  if (!hasSessionHint()) return Promise.reject(new ApiFailure(401, "unauthorized", "Sign in first"));
  return read(client.api.me.$get({}, { init: { signal } }));
}

/** The signed-in person, as GET /api/me answers. */
export type User = InferResponseType<typeof client.api.me.$get>["user"];

async function answer<T>(res: Response): Promise<T> {
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiFailure(res.status, "internal_error", "The server sent something unexpected");
  }
  if (!res.ok) {
    const err = (parsed as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
    const retryAfter = Number.parseInt(res.headers.get("retry-after") ?? "", 10);
    throw new ApiFailure(
      res.status,
      err?.code ?? "internal_error",
      err?.message ?? res.statusText,
      err?.details,
      Number.isFinite(retryAfter) ? retryAfter : null,
    );
  }
  return parsed as T;
}

/** Formats integer minor units for display. */
export function formatMoney(cents: number, currency = "EUR"): string {
  return new Intl.NumberFormat("en-IE", { style: "currency", currency }).format(cents / 100);
}

export function formatTime(ms: number): string {
  return new Date(ms).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" });
}
