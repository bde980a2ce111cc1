/**
 * Cookie sessions: the cookie holds a random token, D1 holds its SHA-256 (`sessions.id_hash`). The middleware
 * resolves the signed-in person on every request that carries the cookie and reads the role and the active
 * flag from `customers` each time, so a role change, a deactivation or a revoked session takes effect on the
 * next request.
 */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { getDb } from "../db/client";
import { signedInPerson } from "../db/sessions";
import { can, type Permission, type Role } from "../domain/accounts";
import { sha256Hex } from "../lib/ids";
import { SESSION_TOUCH_INTERVAL_MS, SESSION_TTL_MS, touchSession } from "../services/accounts/sessions";
import type { AppEnv, SessionUser } from "./app-env";
import { ApiError } from "./errors";

/** `__Host-`: the browser accepts it only with Secure, Path=/ and no Domain, so no sibling subdomain or plain-http
 * page can plant or overwrite it (session fixation). Browsers treat http://localhost as secure (docs/accounts.md). */
export const SESSION_COOKIE = "__Host-sid";

const COOKIE_OPTIONS = { httpOnly: true, secure: true, sameSite: "Lax", path: "/" } as const;

/**
 * A cookie the page's script may read, saying only "this browser has a session" (never who): the storefront
 * asks GET /api/me only when it is there, so a signed-out visit makes no request that answers 401 (and logs an
 * error in the browser's console). It is a hint, not a credential: the session cookie alone signs in.
 */
export const SESSION_HINT_COOKIE = "__Host-signed-in";
const HINT_OPTIONS = { ...COOKIE_OPTIONS, httpOnly: false } as const;

export const loadSession = createMiddleware<AppEnv>(async (c, next) => {
  c.set("user", null);
  c.set("sessionIdHash", null);
  const token = getCookie(c, SESSION_COOKIE);
  if (token && token.length <= 128) {
    const now = Date.now();
    const idHash = await sha256Hex(token);
    const db = getDb(c.env.DB);
    const row = await signedInPerson(db, idHash, now);
    if (row) {
      const { lastSeenAt, ...user } = row;
      c.set("user", user);
      c.set("sessionIdHash", idHash);
      if (now - lastSeenAt > SESSION_TOUCH_INTERVAL_MS) background(c, touchSession(db, idHash, now));
    }
  }
  await next();
  mendHint(c);
});

/**
 * Keeps the hint in step with the session the request came with, unless the route set or cleared it itself
 * (login, logout): a session begun before the hint existed gets it; an expired or revoked one (or none) loses
 * it, or every page would ask /api/me for a 401.
 */
function mendHint(c: Context<AppEnv>): void {
  if (c.res.headers.getSetCookie().some((line) => line.startsWith(`${SESSION_HINT_COOKIE}=`))) return;
  const hinted = getCookie(c, SESSION_HINT_COOKIE) !== undefined;
  const signedIn = c.get("user") !== null;
  if (signedIn && !hinted) setHint(c);
  else if (!signedIn && hinted) deleteCookie(c, SESSION_HINT_COOKIE, HINT_OPTIONS);
}

function background(c: Context<AppEnv>, work: Promise<unknown>): void {
  const logged = work.catch((err) =>
    console.error(JSON.stringify({ level: "warn", message: "session touch failed", error: String(err) })),
  );
  try {
    c.executionCtx.waitUntil(logged);
  } catch {
    // No execution context (a test calling app.request directly): the promise still runs.
  }
}

/** Gives the browser a fresh session cookie (HttpOnly, Secure, SameSite=Lax, 30 days). */
export function setSessionCookie(c: Context<AppEnv>, token: string): void {
  setCookie(c, SESSION_COOKIE, token, { ...COOKIE_OPTIONS, maxAge: Math.floor(SESSION_TTL_MS / 1000) });
  setHint(c);
}

function setHint(c: Context<AppEnv>): void {
  setCookie(c, SESSION_HINT_COOKIE, "1", { ...HINT_OPTIONS, maxAge: Math.floor(SESSION_TTL_MS / 1000) });
}

export function clearSessionCookie(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, COOKIE_OPTIONS);
  deleteCookie(c, SESSION_HINT_COOKIE, HINT_OPTIONS);
}

/** The signed-in person, or 401 for anonymous callers (for handlers behind a require* guard). */
export function currentUser(c: Context<AppEnv>): SessionUser {
  const user = c.get("user");
  if (!user) throw new ApiError("unauthorized", "Sign in first");
  return user;
}

/** Lets through only signed-in people with one of `roles`: anonymous callers get 401, others 403. */
export const requireRole = (...roles: Role[]) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const user = c.get("user");
    if (!user) throw new ApiError("unauthorized", "Sign in first");
    if (!roles.includes(user.role)) throw new ApiError("forbidden", "You do not have access to this");
    await next();
  });

/** Lets through signed-in people whose role grants `permission` (src/domain/accounts.ts ROLE_PERMISSIONS). */
export const requirePermission = (permission: Permission) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const user = c.get("user");
    if (!user) throw new ApiError("unauthorized", "Sign in first");
    if (!can(user.role, permission)) throw new ApiError("forbidden", "You do not have access to this");
    await next();
  });

export const requireStaff = requireRole("staff", "admin");
export const requireAdmin = requireRole("admin");
export const requireCustomer = requireRole("customer", "staff", "admin");
