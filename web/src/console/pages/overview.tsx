/**
 * Overview, the page /admin opens on: today's sales and orders against yesterday through the same hour, average
 * order value, and the queues a clerk works through (to ship, fraud review, low stock, failed payments, renewals
 * due), each card a link to its list already filtered; a chart of the period by day or of today by hour, and the
 * top products. Live without polling: an event on the staff feed that can move a figure refetches the figures
 * (the rollup is written before the feed hears of the event).
 */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { client, formatMoney, formatTime, read } from "../../lib/api";
import { SalesChart } from "../overview/sales-chart";
import type { Figures, Overview, SalesAnswer } from "../overview/types";
import { CONSOLE_BASE, linkClick } from "../router";
import { useFeed } from "../use-feed";

/** Events that can move a figure on this page. */
const MOVES_FIGURES = [
  "OrderPlaced",
  "OrderConfirmed",
  "OrderCancelled",
  "OrderShipped",
  "OrderAmended",
  "PaymentProcessed",
  "FraudCheckCompleted",
  "InventoryAdjusted",
  "LowStock",
  "OutOfStock",
  "UserSubscriptionStarted",
  "UserSubscriptionCancelled",
  "SubscriptionPaymentDue",
] as const;

type Card = { key: string; label: string; value: string; detail?: string; href: string; tone?: "warn" };

function change(now: number, before: number): string {
  if (before === 0) return now === 0 ? "same as yesterday" : "none by this hour yesterday";
  const pct = Math.round(((now - before) / Math.abs(before)) * 100);
  return `${pct >= 0 ? "+" : ""}${pct}% vs yesterday`;
}

function waited(since: number | null, now: number): string {
  if (since === null) return "nothing waiting";
  const minutes = Math.max(0, Math.round((now - since) / 60_000));
  if (minutes < 60) return `oldest waiting ${minutes} min`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `oldest waiting ${hours} h` : `oldest waiting ${Math.round(hours / 24)} days`;
}

function cardsOf(o: Overview): Card[] {
  const main = o.sales[0];
  const currency = main?.currency ?? "EUR";
  const today: Figures | undefined = main?.today;
  const yesterday: Figures | undefined = main?.yesterdaySameHours;
  const todayOrders = `${CONSOLE_BASE}/orders?from=${o.today}&to=${o.today}`;
  return [
    {
      key: "sales-today",
      label: "Sales today",
      value: formatMoney(today?.netCents ?? 0, currency),
      detail: change(today?.netCents ?? 0, yesterday?.netCents ?? 0),
      href: todayOrders,
    },
    {
      key: "orders-today",
      label: "Orders today",
      value: String(today?.orders ?? 0),
      detail: change(today?.orders ?? 0, yesterday?.orders ?? 0),
      href: todayOrders,
    },
    {
      key: "average-order",
      label: "Average order",
      value: formatMoney(main?.period.averageOrderCents ?? 0, currency),
      detail: `over ${o.periodDays} days`,
      href: `${CONSOLE_BASE}/orders`,
    },
    {
      key: "to-ship",
      label: "Orders to ship",
      value: String(o.toShip.count),
      href: `${CONSOLE_BASE}/orders?status=confirmed`,
    },
    {
      key: "fraud-review",
      label: "Waiting for fraud review",
      value: String(o.fraudReview.count),
      detail: waited(o.fraudReview.oldestSince, o.generatedAt),
      href: `${CONSOLE_BASE}/fraud`,
      tone: o.fraudReview.count > 0 ? "warn" : undefined,
    },
    {
      key: "low-stock",
      label: "Low-stock SKUs",
      value: String(o.lowStock.count),
      href: `${CONSOLE_BASE}/inventory?low=1`,
      tone: o.lowStock.count > 0 ? "warn" : undefined,
    },
    {
      key: "failed-payments",
      label: "Failed payments",
      value: String(o.failedPayments.count),
      detail: "orders waiting for a new card",
      href: `${CONSOLE_BASE}/orders?status=payment_failed`,
    },
    {
      key: "renewals-due",
      label: "Renewals due",
      value: String(o.renewalsDue.count),
      detail: `within ${o.renewalsDue.withinDays} days`,
      href: `${CONSOLE_BASE}/subscriptions?due=${o.renewalsDue.withinDays}`,
    },
  ];
}

export function OverviewPage(_: { path: string[] }) {
  const [overview, setOverview] = useState<Overview | null>(null);
  const [interval, setChartInterval] = useState<"day" | "hour">("day");
  const [sales, setSales] = useState<SalesAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);

  const load = useCallback(async () => {
    try {
      const [o, s] = await Promise.all([
        read(client.api.admin.overview.$get()),
        read(client.api.admin.sales.$get({ query: { interval } })),
      ]);
      setOverview(o);
      setSales(s);
      setVersion((v) => v + 1);
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [interval]);

  useEffect(() => {
    void load();
  }, [load]);

  // A burst of events (a checkout emits several) becomes one refetch; a steady stream (a flash sale) one every
  // 150 ms at most, never none: the timer is not pushed back by later events.
  useFeed(MOVES_FIGURES, () => {
    if (pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = null;
      void load();
    }, 150);
  });
  useEffect(() => () => (pending.current ? clearTimeout(pending.current) : undefined), []);

  const series = sales?.series[0] ?? null;
  return (
    <section class="overview" aria-labelledby="overview-title" data-overview-version={version || undefined}>
      <h1 id="overview-title">Overview</h1>
      {overview ? (
        <p class="muted">
          Today is {overview.today} ({overview.timeZone}); figures as of {formatTime(overview.generatedAt)}.
        </p>
      ) : null}
      {error ? <p class="error-text">{error}</p> : null}
      {overview ? (
        <ul class="overview-cards">
          {cardsOf(overview).map((card) => (
            <li key={card.key} data-card={card.key} class={card.tone === "warn" ? "warn" : undefined}>
              <a href={card.href} onClick={linkClick}>
                <span class="card-label">{card.label}</span>
                <strong class="card-value" data-value>
                  {card.value}
                </strong>
                {card.detail ? <span class="card-detail">{card.detail}</span> : null}
              </a>
            </li>
          ))}
        </ul>
      ) : (
        <p aria-busy="true">Loading the figures…</p>
      )}
      <div class="overview-columns">
        <div>
          <fieldset class="toolbar chart-period">
            <legend class="visually-hidden">Chart period</legend>
            <button
              type="button"
              class="secondary"
              aria-pressed={interval === "day"}
              onClick={() => setChartInterval("day")}
            >
              30 days
            </button>
            <button
              type="button"
              class="secondary"
              aria-pressed={interval === "hour"}
              onClick={() => setChartInterval("hour")}
            >
              Today by hour
            </button>
          </fieldset>
          <SalesChart
            series={series}
            interval={interval}
            label={
              interval === "day" ? "Net sales and orders per day, last 30 days" : "Net sales and orders per hour, today"
            }
          />
        </div>
        <div>
          <h2>Top products, {overview?.periodDays ?? 30} days</h2>
          {overview && overview.topProducts.length === 0 ? <p class="muted">No sales yet.</p> : null}
          <table class="data top-products">
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col" class="num">
                  Sold
                </th>
                <th scope="col" class="num">
                  Revenue
                </th>
              </tr>
            </thead>
            <tbody>
              {(overview?.topProducts ?? []).map((p) => (
                <tr key={`${p.sku}-${p.currency}`} data-sku={p.sku}>
                  <th scope="row">
                    <a href={`${CONSOLE_BASE}/inventory?q=${encodeURIComponent(p.sku)}`} onClick={linkClick}>
                      {p.name}
                    </a>{" "}
                    <span class="muted">{p.sku}</span>
                  </th>
                  <td class="num">{p.qty}</td>
                  <td class="num">{formatMoney(p.revenueCents, p.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}
