/**
 * Cookie sessions: the cookie holds a random token, D1 holds its SHA-256 (`sessions.id_hash`). The middleware
 * resolves the signed-in person on every request that carries the cookie, so a role change or a revoked
 * session takes effect on the next request.
 */
import { and, eq, gt } from "drizzle-orm";
import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { getDb } from "../db/client";
import { customers, type Role, sessions } from "../db/schema";
import { sha256Hex } from "../lib/ids";
import type { AppEnv } from "./app-env";
import { ApiError } from "./errors";

export const SESSION_COOKIE = "sid";

export const loadSession = createMiddleware<AppEnv>(async (c, next) => {
  c.set("user", null);
  c.set("sessionIdHash", null);
  const token = getCookie(c, SESSION_COOKIE);
  if (token && token.length <= 128) {
    const idHash = await sha256Hex(token);
    const row = await getDb(c.env.DB)
      .select({ id: customers.id, email: customers.email, name: customers.name, role: customers.role })
      .from(sessions)
      .innerJoin(customers, eq(customers.id, sessions.customerId))
      .where(and(eq(sessions.idHash, idHash), gt(sessions.expiresAt, Date.now()), eq(customers.active, true)))
      .get();
    if (row) {
      c.set("user", row);
      c.set("sessionIdHash", idHash);
    }
  }
  await next();
});

/** Lets through only signed-in people with one of `roles`: anonymous callers get 401, others 403. */
export const requireRole = (...roles: Role[]) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const user = c.get("user");
    if (!user) throw new ApiError("unauthorized", "Sign in first");
    if (!roles.includes(user.role)) throw new ApiError("forbidden", "You do not have access to this");
    await next();
  });

export const requireStaff = requireRole("staff", "admin");
export const requireAdmin = requireRole("admin");
export const requireCustomer = requireRole("customer", "staff", "admin");
