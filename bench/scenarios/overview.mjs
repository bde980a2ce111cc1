// Scenario 5: the console's overview with 100,000 orders in the shop. The orders and their sales facts (the rollup
// the event consumers keep, folded into hours and days by the triggers of migrations/0005) are written straight
// into D1 before the shop starts, spread over the last 90 days. Measured: GET /api/admin/overview and the two
// chart series at 10 connections, against the baseline's one D1 read (the floor for any answer that reads D1).
import { request } from "../http.mjs";
import { closedLoop, fmt } from "../lib.mjs";

const DAY = 86_400_000;

/**
 * SQL that puts `orders` orders (a status mix with holds, failed payments, orders to ship and cancellations) and
 * one sale fact per order, with one product line each, into the shop's D1. Local days are taken as UTC+1 here
 * (SQLite has no time zones); close enough for a load figure.
 */
export function overviewSeedSql(orders, now = Date.now()) {
  const step = Math.max(1, Math.floor((90 * DAY) / orders));
  const n = `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${orders - 1})`;
  const at = `(${now} - i * ${step})`;
  const localDay = `strftime('%Y-%m-%d', ${at} / 1000 + 3600, 'unixepoch')`;
  return [
    `${n} INSERT INTO orders (id, email, status, version, subtotal_cents, shipping_cents, tax_cents, total_cents, currency, shipping_address, access_token_hash, created_at, updated_at)
     SELECT 'bench_' || i, 'bench' || (i % 5000) || '@example.com',
       CASE WHEN i % 50 = 0 THEN 'on_hold' WHEN i % 40 = 0 THEN 'payment_failed' WHEN i % 10 = 0 THEN 'confirmed'
            WHEN i % 7 = 0 THEN 'cancelled' ELSE 'delivered' END,
       5, 4000, 495, 899, 5394, 'EUR', '{"name":"B","line1":"1","city":"P","postalCode":"1","country":"FR"}', 'x', ${at}, ${at}
     FROM n;`,
    `${n} INSERT INTO sales_facts (event_id, day, hour, currency, orders, gross_cents, refund_cents, cancellations, occurred_at)
     SELECT 'bench_evt_' || i, ${localDay}, CAST(strftime('%H', ${at} / 1000 + 3600, 'unixepoch') AS INTEGER), 'EUR',
       1, 5394, CASE WHEN i % 7 = 0 THEN 5394 ELSE 0 END, CASE WHEN i % 7 = 0 THEN 1 ELSE 0 END, ${at}
     FROM n;`,
    `${n} INSERT INTO sales_product_facts (event_id, sku, day, currency, qty, revenue_cents)
     SELECT 'bench_evt_' || i, 'BR-' || printf('%03d', i % 16 + 1), ${localDay}, 'EUR', 1 + i % 3, 4000 * (1 + i % 3)
     FROM n;`,
  ].join("\n");
}

export async function overview({ shop, baseline, cookie, orders, durationMs }) {
  const get = (path) => () => request(`${shop.base}${path}`, { headers: { cookie } });
  const check = await get("/api/admin/overview")();
  if (check.status !== 200) throw new Error(`GET /api/admin/overview answered ${check.status}`);
  const body = await check.json();
  const opts = { connections: 10, durationMs };
  const home = await closedLoop({ ...opts, request: get("/api/admin/overview") });
  const days = await closedLoop({ ...opts, request: get("/api/admin/sales?interval=day") });
  const hours = await closedLoop({ ...opts, request: get("/api/admin/sales?interval=hour") });
  const base = await closedLoop({ ...opts, request: () => request(`${baseline.base}/read`) });
  const row = (metric, r) => ({
    metric,
    "req/s": fmt(r.rps),
    "p50 ms": fmt(r.p50),
    "p99 ms": fmt(r.p99),
    "non-200": String(r.requests - (r.statuses[200] ?? 0) + r.errors),
    "x baseline": fmt(r.rps / base.rps, 2),
  });
  const eur = body.sales.find((s) => s.currency === "EUR");
  return {
    rows: [
      row(
        `GET /api/admin/overview (${orders.toLocaleString("en")} orders, ${eur?.period.orders ?? 0} in 30 days)`,
        home,
      ),
      row("GET /api/admin/sales?interval=day (30 days)", days),
      row("GET /api/admin/sales?interval=hour (today)", hours),
      row("baseline: one D1 read", base),
    ],
    raw: { home, days, hours, base },
  };
}
