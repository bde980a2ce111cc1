// Scenario 2: the catalog API and a product page at 50 connections, against a static response.
import { request } from "../http.mjs";
import { closedLoop, fmt } from "../lib.mjs";

export async function catalog({ shop, baseline, durationMs }) {
  const api = await closedLoop({ connections: 50, durationMs, request: () => request(`${shop.base}/api/products`) });
  const page = await closedLoop({
    connections: 50,
    durationMs,
    request: () => request(`${shop.base}/products/BR-001`),
  });
  const base = await closedLoop({ connections: 50, durationMs, request: () => request(`${baseline.base}/static`) });
  // The floor on the shop's own configuration: a file served by the assets layer, no Worker code at all.
  const asset = await closedLoop({
    connections: 50,
    durationMs,
    request: () => request(`${shop.base}/images/BR-001.svg`),
  });
  const row = (metric, r) => ({
    metric,
    "req/s": fmt(r.rps),
    "p50 ms": fmt(r.p50),
    "p99 ms": fmt(r.p99),
    "cache hits": `${fmt(r.hitRatio * 100)}%`,
    "x baseline": fmt(r.rps / base.rps, 2),
  });
  return {
    rows: [
      row("GET /api/products", api),
      row("GET /products/BR-001 (HTML)", page),
      { ...row("baseline: static response", base), "cache hits": "n/a" },
      { ...row("shop config: static asset, no Worker code", asset), "cache hits": "n/a" },
    ],
    raw: { api, page, base, asset },
  };
}
