/**
 * /api/admin/overview and /api/admin/sales (staff and admins): the console's home figures, read from the sales
 * rollup the event consumers keep (src/services/subscribers/sales-rollup.ts), never from a scan of the orders. Days and hours
 * are the shop's calendar (SHOP_TIME_ZONE); money is minor units per currency.
 */
import { Hono } from "hono";
import * as v from "valibot";
import { config } from "../../config";
import { overviewData, salesRows } from "../../db/sales";
import { addDays, buildSeries, daysBetween, figuresOf, isLocalDay, localSlot, sumByCurrency } from "../../domain/sales";
import type { AppEnv } from "../../http/app-env";
import { doc } from "../../http/contract";
import { ApiError } from "../../http/errors";
import { requirePermission } from "../../http/session";
import { validate } from "../../http/validate";

/** The overview's period (chart, top products, average order value) and its renewals window. */
export const OVERVIEW_DAYS = 30;
export const RENEWALS_WITHIN_DAYS = 7;
/** The widest range one request may ask for, per interval. */
export const MAX_DAYS = { day: 366, hour: 31 } as const;

const Day = v.pipe(v.string(), v.check(isLocalDay, "Expected a date YYYY-MM-DD"));

export const SalesQuery = v.strictObject({
  /** First local day (inclusive). Default: 29 days before `to` by day, `to` itself by hour. */
  from: v.optional(Day),
  /** Last local day (inclusive). Default: today in the shop's time zone. */
  to: v.optional(Day),
  interval: v.optional(v.picklist(["hour", "day"]), "day"),
});

// Mounted at /api/admin itself, so the guard is per route (a bare use() would cover every admin path).
const canSeeSales = requirePermission("orders:manage");

/** Each route's contract for the OpenAPI document (docs/api.md), keyed by method and path. */
const spec = {
  "GET /overview": doc({
    tag: "admin",
    who: "staff",
    summary: "The console's home: today's sales against yesterday's same hours, orders to ship, holds, low stock",
    body: v.looseObject({}),
  }),
  "GET /sales": doc({
    tag: "admin",
    who: "staff",
    summary: "Sales per local day or hour (shop time zone), minor units per currency, zero-filled",
    body: v.looseObject({}),
  }),
};

export const adminSales = new Hono<AppEnv>()
  .get("/overview", spec["GET /overview"], canSeeSales, async (c) => {
    const cfg = config(c.env);
    const now = Date.now();
    const { day: today, hour } = localSlot(now, cfg.timeZone);
    const yesterday = addDays(today, -1);
    const data = await overviewData(c.env.DB, {
      today,
      yesterday,
      periodFrom: addDays(today, -(OVERVIEW_DAYS - 1)),
      renewalsBefore: now + RENEWALS_WITHIN_DAYS * 86_400_000,
      topLimit: 5,
    });
    const todays = sumByCurrency(data.recentHours.filter((r) => r.day === today));
    // Yesterday through the same local hour, so a morning is not compared with a whole day.
    const yesterdays = sumByCurrency(data.recentHours.filter((r) => r.day === yesterday && r.hour <= hour));
    const period = new Map(data.periodTotals.map((t) => [t.currency, t]));
    const currencies = [...new Set([cfg.currency, ...todays.keys(), ...yesterdays.keys(), ...period.keys()])];
    return c.json(
      {
        timeZone: cfg.timeZone,
        generatedAt: now,
        today,
        throughHour: hour,
        periodDays: OVERVIEW_DAYS,
        sales: currencies.map((currency) => ({
          currency,
          today: figuresOf(todays.get(currency)),
          yesterdaySameHours: figuresOf(yesterdays.get(currency)),
          period: figuresOf(period.get(currency)),
        })),
        topProducts: data.topProducts,
        toShip: { count: data.toShip },
        fraudReview: { count: data.onHold.count, oldestSince: data.onHold.oldestSince },
        lowStock: { count: data.lowStock },
        failedPayments: { count: data.failedPayments },
        renewalsDue: { count: data.renewalsDue, withinDays: RENEWALS_WITHIN_DAYS },
      },
      200,
    );
  })
  .get("/sales", spec["GET /sales"], canSeeSales, validate("query", SalesQuery), async (c) => {
    const cfg = config(c.env);
    const q = c.req.valid("query");
    const to = q.to ?? localSlot(Date.now(), cfg.timeZone).day;
    const from = q.from ?? (q.interval === "hour" ? to : addDays(to, -29));
    const span = daysBetween(from, to);
    if (span < 0) {
      throw new ApiError("validation_failed", "`from` must not be after `to`", [{ path: "from", message: "After to" }]);
    }
    if (span + 1 > MAX_DAYS[q.interval]) {
      throw new ApiError("validation_failed", `At most ${MAX_DAYS[q.interval]} days by ${q.interval}`, [
        { path: "from", message: "Range too wide" },
      ]);
    }
    const rows = await salesRows(c.env.DB, from, to, q.interval);
    return c.json(
      {
        timeZone: cfg.timeZone,
        interval: q.interval,
        from,
        to,
        series: buildSeries(rows, {
          from,
          to,
          interval: q.interval,
          timeZone: cfg.timeZone,
          shopCurrency: cfg.currency,
        }),
      },
      200,
    );
  });
