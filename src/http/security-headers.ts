/**
 * The security headers every response carries (hono's secureHeaders with the shop's policies), and the API's as a
 * list for answers made before the app's middleware runs (src/routes/orders-early.ts).
 *
 * Pages get the document policy; JSON answers under /api get the set OWASP's REST Security Cheat Sheet gives an API
 * (a CSP that allows nothing and no framing, nosniff, HSTS, no referrer, same-origin resources). The headers only a
 * document reads (opener policy, agent cluster, DNS prefetch, download options, XSS auditor) are left off answers no
 * browser renders: each header costs every answer (bench/README.md, "Round nine": 14 headers cost a refusal about a
 * fifth of its CPU here, 8 about a tenth).
 */
import type { MiddlewareHandler } from "hono";
import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";

/** The content security policy, the same on every page (/docs included): everything from our own origin. */
const DOCUMENT_HEADERS = {
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

/** An API answer is data: should a browser ever open one as a page, it may load nothing and be framed by no one. */
const API_HEADERS = {
  contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  xFrameOptions: "DENY",
  crossOriginEmbedderPolicy: false,
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
};

const documentHeaders = secureHeaders(DOCUMENT_HEADERS);
const apiHeaders = secureHeaders(API_HEADERS);

/** Whether `path` is the JSON API's (Hono's "/api/*" also matches "/api" itself). */
export const isApiPath = (path: string) => path === "/api" || path.startsWith("/api/");

export const securityHeaders: MiddlewareHandler = (c, next) =>
  isApiPath(c.req.path) ? apiHeaders(c, next) : documentHeaders(c, next);

let pairs: Promise<[string, string][]> | null = null;

/**
 * What `securityHeaders` adds to an API answer, read once per isolate from the middleware itself (so an early
 * answer can never drift from the app's): none of them depends on the request.
 */
export function securityHeaderPairs(): Promise<[string, string][]> {
  pairs ??= Promise.resolve(
    new Hono()
      .use(securityHeaders)
      .all("*", (c) => c.body(null))
      .request("/api/orders"),
  ).then((res) => [...res.headers]);
  return pairs;
}
