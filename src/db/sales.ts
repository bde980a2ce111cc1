/**
 * Reads of the sales rollup and the overview's counts. Each is a handful of indexed reads over the rollup (a row
 * per local hour and currency, a row per day and SKU) or an index count, so their cost does not grow with the
 * number of orders ever placed.
 */
import type { LocalDay, SalesFigures, SalesRow } from "../domain/sales";

type RawFigures = { orders: number; gross_cents: number; refund_cents: number; cancellations: number };

const figures = (r: RawFigures): SalesFigures => ({
  orders: r.orders,
  grossCents: r.gross_cents,
  refundCents: r.refund_cents,
  cancellations: r.cancellations,
});

const FIGURES = "orders, gross_cents, refund_cents, cancellations";
const SUMS =
  "sum(orders) AS orders, sum(gross_cents) AS gross_cents, sum(refund_cents) AS refund_cents, sum(cancellations) AS cancellations";

/** Rollup rows between two local days (inclusive): per hour, or summed per day. */
export async function salesRows(db: D1Database, from: LocalDay, to: LocalDay, interval: "hour" | "day") {
  const sql =
    interval === "hour"
      ? `SELECT day, hour, currency, ${FIGURES} FROM sales_hourly WHERE day BETWEEN ?1 AND ?2`
      : `SELECT day, 0 AS hour, currency, ${SUMS} FROM sales_hourly WHERE day BETWEEN ?1 AND ?2 GROUP BY day, currency`;
  const { results } = await db
    .prepare(sql)
    .bind(from, to)
    .all<RawFigures & { day: string; hour: number; currency: string }>();
  return results.map((r): SalesRow => ({ day: r.day, hour: r.hour, currency: r.currency, ...figures(r) }));
}

export type TopProduct = { sku: string; name: string; currency: string; qty: number; revenueCents: number };

export type OverviewData = {
  /** Today's and yesterday's hours (for "today so far" against "yesterday through the same hour"). */
  recentHours: SalesRow[];
  periodTotals: (SalesFigures & { currency: string })[];
  topProducts: TopProduct[];
  toShip: number;
  onHold: { count: number; oldestSince: number | null };
  lowStock: number;
  failedPayments: number;
  renewalsDue: number;
};

/** The held orders' count and the oldest since, from `orders_status_updated_idx` alone (schema.ts says why). */
export const HELD_ORDERS_SQL = "SELECT count(*) AS n, min(updated_at) AS oldest FROM orders WHERE status = 'on_hold'";

/** Everything the overview shows, in one D1 round trip. */
export async function overviewData(
  db: D1Database,
  opts: { today: LocalDay; yesterday: LocalDay; periodFrom: LocalDay; renewalsBefore: number; topLimit: number },
): Promise<OverviewData> {
  const [hours, totals, top, toShip, onHold, low, failed, renewals] = await db.batch<Record<string, unknown>>([
    db
      .prepare(`SELECT day, hour, currency, ${FIGURES} FROM sales_hourly WHERE day IN (?1, ?2)`)
      .bind(opts.today, opts.yesterday),
    db
      .prepare(`SELECT currency, ${SUMS} FROM sales_hourly WHERE day BETWEEN ?1 AND ?2 GROUP BY currency`)
      .bind(opts.periodFrom, opts.today),
    db
      .prepare(
        `SELECT s.sku AS sku, coalesce(p.name, s.sku) AS name, s.currency AS currency, sum(s.qty) AS qty,
           sum(s.revenue_cents) AS revenue_cents
         FROM sales_products_daily s LEFT JOIN products p ON p.sku = s.sku
         WHERE s.day BETWEEN ?1 AND ?2 GROUP BY s.sku, s.currency ORDER BY revenue_cents DESC, qty DESC LIMIT ?3`,
      )
      .bind(opts.periodFrom, opts.today, opts.topLimit),
    db.prepare("SELECT count(*) AS n FROM orders WHERE status = 'confirmed'"),
    db.prepare(HELD_ORDERS_SQL),
    db.prepare("SELECT count(*) AS n FROM products WHERE active = 1 AND stock_available <= low_stock_threshold"),
    db.prepare("SELECT count(*) AS n FROM orders WHERE status = 'payment_failed'"),
    db
      .prepare(
        "SELECT count(*) AS n FROM subscriptions WHERE status IN ('active', 'past_due') AND current_period_end <= ?1",
      )
      .bind(opts.renewalsBefore),
  ]);
  const count = (r: D1Result<Record<string, unknown>> | undefined) => Number(r?.results[0]?.n ?? 0);
  const oldest = onHold?.results[0]?.oldest;
  return {
    recentHours: (hours?.results ?? []).map((r) => {
      const row = r as RawFigures & { day: string; hour: number; currency: string };
      return { day: row.day, hour: row.hour, currency: row.currency, ...figures(row) };
    }),
    periodTotals: (totals?.results ?? []).map((r) => {
      const row = r as RawFigures & { currency: string };
      return { currency: row.currency, ...figures(row) };
    }),
    topProducts: (top?.results ?? []).map((r) => {
      const row = r as { sku: string; name: string; currency: string; qty: number; revenue_cents: number };
      return { sku: row.sku, name: row.name, currency: row.currency, qty: row.qty, revenueCents: row.revenue_cents };
    }),
    toShip: count(toShip),
    onHold: { count: count(onHold), oldestSince: typeof oldest === "number" ? oldest : null },
    lowStock: count(low),
    failedPayments: count(failed),
    renewalsDue: count(renewals),
  };
}
