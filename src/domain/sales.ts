/**
 * Sales figures (the console's overview and GET /api/admin/sales): which bucket of the shop's local calendar an
 * event falls in, what each event adds to the rollup, and the zero-filled series a chart draws. Pure: the shop's
 * time zone is a parameter (wrangler.toml `SHOP_TIME_ZONE`), so "today" is the clerk's today, not UTC's.
 */
import type { EventEnvelope } from "./events";

/** A local calendar day, `YYYY-MM-DD`, in the shop's time zone. */
export type LocalDay = string;
/** One hour of the shop's local calendar. During the autumn DST change two real hours share one slot. */
export type LocalSlot = { day: LocalDay; hour: number };

/** What one event adds to its hour's figures. Money in minor units of `currency`. */
export type SalesFigures = { orders: number; grossCents: number; refundCents: number; cancellations: number };
export type SalesFact = SalesFigures & { eventId: string; currency: string; occurredAt: number };
export type ProductSale = { sku: string; qty: number; revenueCents: number };

export const SALES_EVENT_TYPES = ["OrderConfirmed", "OrderCancelled", "PaymentProcessed"] as const;

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when the runtime knows `timeZone` (an IANA name such as "Europe/Paris"). */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

function parts(ms: number, timeZone: string): { y: number; m: number; d: number; h: number; min: number } {
  const out = { y: 0, m: 0, d: 0, h: 0, min: 0 };
  for (const p of formatter(timeZone).formatToParts(ms)) {
    if (p.type === "year") out.y = Number(p.value);
    else if (p.type === "month") out.m = Number(p.value);
    else if (p.type === "day") out.d = Number(p.value);
    else if (p.type === "hour") out.h = Number(p.value) % 24;
    else if (p.type === "minute") out.min = Number(p.value);
  }
  return out;
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** The local day and hour `ms` falls in. */
export function localSlot(ms: number, timeZone: string): LocalSlot {
  const p = parts(ms, timeZone);
  return { day: `${pad(p.y, 4)}-${pad(p.m)}-${pad(p.d)}`, hour: p.h };
}

/** `day` moved by `n` calendar days. */
export function addDays(day: LocalDay, n: number): LocalDay {
  const m = DAY_RE.exec(day);
  if (!m) throw new Error(`not a day: ${day}`);
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + n));
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** Whole days from `from` to `to` (0 when equal). */
export function daysBetween(from: LocalDay, to: LocalDay): number {
  const a = DAY_RE.exec(from);
  const b = DAY_RE.exec(to);
  if (!a || !b) throw new Error("not a day");
  return Math.round(
    (Date.UTC(Number(b[1]), Number(b[2]) - 1, Number(b[3])) - Date.UTC(Number(a[1]), Number(a[2]) - 1, Number(a[3]))) /
      86_400_000,
  );
}

/** A real calendar date written `YYYY-MM-DD` (rejects 2026-02-30). */
export function isLocalDay(value: string): boolean {
  const m = DAY_RE.exec(value);
  return m !== null && addDays(value, 0) === value;
}

/** The instant the local `day` at `hour` starts in `timeZone` (the earlier one when a DST change repeats it). */
export function slotStart(day: LocalDay, hour: number, timeZone: string): number {
  const m = DAY_RE.exec(day);
  if (!m) throw new Error(`not a day: ${day}`);
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), hour);
  // The zone's offset at a guess, applied twice: the second pass corrects a guess on the other side of a change.
  const offsetAt = (ms: number) => {
    const p = parts(ms, timeZone);
    return Date.UTC(p.y, p.m - 1, p.d, p.h, p.min) - Math.floor(ms / 60_000) * 60_000;
  };
  const first = wall - offsetAt(wall);
  return wall - offsetAt(first);
}

/**
 * What an event adds to the sales rollup, or null for an event that does not move sales:
 * - OrderConfirmed is a sale (an order, its total) on the day it is confirmed, with its lines for top products;
 * - a refund (PaymentProcessed `refunded` of an order: full, partial, an amendment's difference or a cancellation's)
 *   counts against the day the money goes back;
 * - OrderCancelled of a paid order (money refunded) counts one cancellation that day; its money arrives as the refund.
 * Subscription charges are not shop sales here (the overview counts renewals separately).
 */
export function salesFactOf(
  event: EventEnvelope,
  shopCurrency: string,
): { fact: SalesFact; products: ProductSale[] } | null {
  const base = { eventId: event.id, occurredAt: event.occurredAt, orders: 0, grossCents: 0, refundCents: 0 };
  switch (event.type) {
    case "OrderConfirmed": {
      const d = event.data;
      const bySku = new Map<string, ProductSale>();
      for (const item of d.items) {
        const line = bySku.get(item.sku) ?? { sku: item.sku, qty: 0, revenueCents: 0 };
        line.qty += item.qty;
        line.revenueCents += item.qty * item.unitPriceCents;
        bySku.set(item.sku, line);
      }
      return {
        fact: { ...base, currency: d.currency, orders: 1, grossCents: d.totalCents, cancellations: 0 },
        products: [...bySku.values()],
      };
    }
    case "PaymentProcessed": {
      const d = event.data;
      if (d.status !== "refunded" || !d.orderId || d.amountCents <= 0) return null;
      return { fact: { ...base, currency: d.currency, refundCents: d.amountCents, cancellations: 0 }, products: [] };
    }
    case "OrderCancelled": {
      if (event.data.refundedCents <= 0) return null;
      // The event has no currency (the refund that carries the money does): counted in the shop's currency.
      return { fact: { ...base, currency: shopCurrency, cancellations: 1 }, products: [] };
    }
    default:
      return null;
  }
}

export type SalesRow = SalesFigures & { day: LocalDay; hour: number; currency: string };
export type SalesPoint = SalesFigures & {
  /** Local label: `YYYY-MM-DD` for days, `YYYY-MM-DDTHH` for hours. */
  bucket: string;
  /** The bucket's first instant (ms), for a chart's time axis. */
  at: number;
  netCents: number;
  averageOrderCents: number;
};
export type SalesSeries = { currency: string; points: SalesPoint[]; totals: Omit<SalesPoint, "bucket" | "at"> };
export type Interval = "hour" | "day";

const ZERO: SalesFigures = { orders: 0, grossCents: 0, refundCents: 0, cancellations: 0 };

function withDerived(f: SalesFigures): SalesFigures & { netCents: number; averageOrderCents: number } {
  return {
    ...f,
    netCents: f.grossCents - f.refundCents,
    averageOrderCents: f.orders > 0 ? Math.round(f.grossCents / f.orders) : 0,
  };
}

function add(a: SalesFigures, b: SalesFigures): SalesFigures {
  return {
    orders: a.orders + b.orders,
    grossCents: a.grossCents + b.grossCents,
    refundCents: a.refundCents + b.refundCents,
    cancellations: a.cancellations + b.cancellations,
  };
}

/** Sums rollup rows into one figure per currency (rows may be hours or days). */
export function sumByCurrency(rows: readonly (SalesFigures & { currency: string })[]): Map<string, SalesFigures> {
  const out = new Map<string, SalesFigures>();
  for (const r of rows) out.set(r.currency, add(out.get(r.currency) ?? ZERO, r));
  return out;
}

/**
 * One zero-filled series per currency over [from, to] (local days, inclusive). Every currency seen gets every
 * bucket; with no sales at all the shop's own currency still gets a flat series, so a chart always has an axis.
 */
export function buildSeries(
  rows: readonly SalesRow[],
  opts: { from: LocalDay; to: LocalDay; interval: Interval; timeZone: string; shopCurrency: string },
): SalesSeries[] {
  const buckets: { bucket: string; at: number }[] = [];
  const span = daysBetween(opts.from, opts.to);
  for (let i = 0; i <= span; i++) {
    const day = addDays(opts.from, i);
    if (opts.interval === "day") buckets.push({ bucket: day, at: slotStart(day, 0, opts.timeZone) });
    else
      for (let h = 0; h < 24; h++) buckets.push({ bucket: `${day}T${pad(h)}`, at: slotStart(day, h, opts.timeZone) });
  }
  const byCurrency = new Map<string, Map<string, SalesFigures>>();
  for (const r of rows) {
    const key = opts.interval === "day" ? r.day : `${r.day}T${pad(r.hour)}`;
    const map = byCurrency.get(r.currency) ?? new Map<string, SalesFigures>();
    map.set(key, add(map.get(key) ?? ZERO, r));
    byCurrency.set(r.currency, map);
  }
  if (byCurrency.size === 0) byCurrency.set(opts.shopCurrency, new Map());
  return [...byCurrency.entries()]
    .sort(([a], [b]) => (a === opts.shopCurrency ? -1 : b === opts.shopCurrency ? 1 : a.localeCompare(b)))
    .map(([currency, map]) => {
      let total = ZERO;
      const points = buckets.map(({ bucket, at }) => {
        const f = map.get(bucket) ?? ZERO;
        total = add(total, f);
        return { bucket, at, ...withDerived(f) };
      });
      return { currency, points, totals: withDerived(total) };
    });
}

/** The figures with net and average added (for the overview's cards). */
export function figuresOf(f: SalesFigures | undefined): ReturnType<typeof withDerived> {
  return withDerived(f ?? ZERO);
}
