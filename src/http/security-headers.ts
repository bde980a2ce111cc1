/**
 * The security headers every response carries (hono's secureHeaders with the shop's policy), and the same
 * headers as a list for answers made before the app's middleware runs (src/routes/orders-early.ts).
 */
import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";

/** The content security policy, the same on every page (/docs included): everything from our own origin. */
const SECURITY_HEADERS = {
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", "data:"],
    connectSrc: ["'self'", "ws:", "wss:"],
    frameAncestors: ["'none'"],
    formAction: ["'self'"],
    baseUri: ["'self'"],
  },
  crossOriginEmbedderPolicy: false,
};

export const securityHeaders = secureHeaders(SECURITY_HEADERS);

let pairs: Promise<[string, string][]> | null = null;

/**
 * What `securityHeaders` adds to a response, read once per isolate from the middleware itself (so an early
 * answer can never drift from the app's): none of them depends on the request.
 */
export function securityHeaderPairs(): Promise<[string, string][]> {
  pairs ??= Promise.resolve(
    new Hono()
      .use(securityHeaders)
      .all("*", (c) => c.body(null))
      .request("/"),
  ).then((res) => [...res.headers]);
  return pairs;
}
