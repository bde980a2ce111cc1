/**
 * Request guards for /api: body size, JSON-only bodies, and cross-site protection for cookie-authenticated
 * requests. Hono's csrf() checks Origin only for form content types, so JSON routes get their own check.
 */
import { bodyLimit } from "hono/body-limit";
import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./app-env";
import { ApiError } from "./errors";
import { SESSION_COOKIE } from "./session";

export const MAX_JSON_BYTES = 64 * 1024;

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

const isUpgradeRequest = (req: Request) => req.headers.get("upgrade")?.toLowerCase() === "websocket";
export const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;

export const limitBody = bodyLimit({
  maxSize: MAX_JSON_BYTES,
  onError: () => {
    throw new ApiError("payload_too_large", `Request bodies are limited to ${MAX_JSON_BYTES} bytes`);
  },
});

function hasBody(req: Request): boolean {
  const length = req.headers.get("content-length");
  if (length !== null) return length !== "0";
  return req.headers.has("transfer-encoding");
}

/** A state-changing request with a body must send JSON: forms and text/plain are refused with 415. */
export const jsonBodiesOnly = createMiddleware<AppEnv>(async (c, next) => {
  if (UNSAFE.has(c.req.method) && hasBody(c.req.raw)) {
    const type = (c.req.header("content-type") ?? "").split(";")[0]?.trim() ?? "";
    if (!JSON_TYPE.test(type)) throw new ApiError("unsupported_media_type", "Send the body as application/json");
  }
  await next();
});

/**
 * A state-changing request or a WebSocket upgrade that carries the session cookie must come from our own pages:
 * a cross-site or same-site `Sec-Fetch-Site` or a foreign `Origin` is refused with 403. Upgrades are GETs, but a
 * socket a cookie authenticates streams the account's data to whoever opened it (cross-site WebSocket hijacking),
 * and browsers do not apply CORS to WebSockets, so they get the same check on every route, present or future.
 * Requests without the cookie (guests with a bearer token or `?token=`, the payment gateway) have no ambient
 * authority to abuse. A request without Origin is not from a browser page, so it cannot be riding a victim's cookie.
 */
export const sameOriginForCookies = createMiddleware<AppEnv>(async (c, next) => {
  if ((UNSAFE.has(c.req.method) || isUpgradeRequest(c.req.raw)) && getCookie(c, SESSION_COOKIE)) {
    const site = c.req.header("sec-fetch-site");
    const origin = c.req.header("origin");
    const ownOrigin = new URL(c.req.url).origin;
    if ((site && site !== "same-origin" && site !== "none") || (origin && origin !== ownOrigin)) {
      throw new ApiError("forbidden", "Cross-site request refused");
    }
  }
  await next();
});
