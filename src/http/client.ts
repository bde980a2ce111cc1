/**
 * Where a request comes from, as Cloudflare's edge reports it: `CF-Connecting-IP` and `request.cf.country`.
 * Local tools (wrangler dev, tests) send no address or a loopback one, and Miniflare fills `cf` with
 * placeholder data, so a country is only believed for a public address.
 */
import type { Context } from "hono";
import type { AppEnv } from "./app-env";

export function clientIp(c: Context<AppEnv>): string | null {
  return c.req.header("cf-connecting-ip")?.trim() || null;
}

/** Loopback, private (RFC 1918), link-local and unique-local addresses: never a shopper's real location. */
export function isLocalAddress(ip: string): boolean {
  return (
    ip === "::1" ||
    ip === "localhost" ||
    /^127\./.test(ip) ||
    /^10\./.test(ip) ||
    /^192\.168\./.test(ip) ||
    /^172\.(1[6-9]|2\d|3[01])\./.test(ip) ||
    /^169\.254\./.test(ip) ||
    /^f[cd][0-9a-f]{2}:/i.test(ip) ||
    /^fe80:/i.test(ip)
  );
}

/** The caller's country (ISO alpha-2) when the edge knows it for a public address, else null. */
export function clientCountry(c: Context<AppEnv>): string | null {
  const ip = clientIp(c);
  if (!ip || isLocalAddress(ip)) return null;
  const country = (c.req.raw.cf as { country?: unknown } | undefined)?.country;
  return typeof country === "string" && /^[A-Z]{2}$/.test(country) ? country : null;
}
