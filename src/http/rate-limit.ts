/**
 * Login and signup throttling (DESIGN.md: at most 10 a minute per email and 60 a minute per IP) with the
 * Workers Rate Limiting bindings declared in wrangler.toml. Their windows are fixed 60-second windows, so a
 * refused caller is told to come back after one full period.
 */
import type { Context } from "hono";
import type { AppEnv } from "./app-env";
import { clientIp } from "./client";
import { ApiError } from "./errors";

export const AUTH_LIMIT_PERIOD_SECONDS = 60;

/** Local tools without the address header share the "unknown" bucket. */
const ipKey = (c: Context<AppEnv>) => clientIp(c) ?? "unknown";

async function allowed(limiter: RateLimit, key: string): Promise<boolean> {
  try {
    return (await limiter.limit({ key })).success;
  } catch (err) {
    // A limiter outage must not lock every shopper out; the per-password PBKDF2 cost still bounds guessing.
    console.error(JSON.stringify({ level: "warn", message: "rate limiter unavailable", error: String(err) }));
    return true;
  }
}

/**
 * Counts one failed guest-token attempt on an order for the caller's IP; 429 rate_limited once over. Called for
 * a wrong token on an existing order and for any token on a missing one alike, so the refusal says nothing about
 * whether the order exists. A correct token is never counted.
 */
export async function limitOrderTokenMiss(c: Context<AppEnv>): Promise<void> {
  if (!(await allowed(c.env.ORDER_TOKEN_LIMITER, `ip:${ipKey(c)}`))) {
    throw new ApiError("rate_limited", "Too many wrong order links, try again in a minute", undefined, {
      "Retry-After": String(AUTH_LIMIT_PERIOD_SECONDS),
    });
  }
}

/** Counts one authentication attempt for the caller's IP and for `email`; 429 rate_limited once over. */
export async function limitAuthAttempt(c: Context<AppEnv>, email: string): Promise<void> {
  const ok =
    (await allowed(c.env.AUTH_IP_LIMITER, `ip:${ipKey(c)}`)) &&
    (await allowed(c.env.AUTH_EMAIL_LIMITER, `email:${email}`));
  if (!ok) {
    throw new ApiError("rate_limited", "Too many attempts, try again in a minute", undefined, {
      "Retry-After": String(AUTH_LIMIT_PERIOD_SECONDS),
    });
  }
}
