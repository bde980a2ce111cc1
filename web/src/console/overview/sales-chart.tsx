/**
 * The overview's sales chart, drawn with uPlot (small, dependency-free, canvas): net revenue as bars on the
 * left axis and orders as a line on the right, per day over the period or per hour today. uPlot needs the DOM,
 * so the chart is built in an effect (uPlot itself loaded then, a chunk of its own) and fed new data in place
 * when the live feed moves the figures.
 */
import { useEffect, useRef } from "preact/hooks";
import type uPlot from "uplot";
import { formatMoney } from "../../lib/api";
import type { SalesSeries } from "./types";

type Props = { series: SalesSeries | null; interval: "day" | "hour"; label: string };

function dataOf(series: SalesSeries | null): uPlot.AlignedData {
  const points = series?.points ?? [];
  return [points.map((p) => p.at / 1000), points.map((p) => p.netCents / 100), points.map((p) => p.orders)];
}

export function SalesChart({ series, interval, label }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const currency = series?.currency ?? "EUR";

  const latest = useRef(series);
  latest.current = series;

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    let chart: uPlot | null = null;
    let gone = false;
    const width = () => Math.max(280, el.clientWidth);
    const onResize = () => chart?.setSize({ width: width(), height: 240 });
    void import("uplot").then(({ default: UPlot }) => {
      if (gone) return;
      const opts: uPlot.Options = {
        width: width(),
        height: 240,
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, orders: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [
          {},
          { values: (_u, ticks) => ticks.map((t) => formatMoney(Math.round(t * 100), currency)), size: 70 },
          { scale: "orders", side: 1, grid: { show: false }, values: (_u, ticks) => ticks.map((t) => String(t)) },
        ],
        series: [
          { label: interval === "day" ? "Day" : "Hour" },
          {
            label: `Net sales (${currency})`,
            stroke: "#2f6f5e",
            fill: "rgba(47, 111, 94, 0.35)",
            paths: UPlot.paths.bars?.({ size: [0.7, 40] }),
            value: (_u, v) => (v == null ? "" : formatMoney(Math.round(v * 100), currency)),
          },
          { label: "Orders", scale: "orders", stroke: "#8a4b08", width: 2, points: { show: true } },
        ],
      };
      chart = new UPlot(opts, dataOf(latest.current), el);
      plot.current = chart;
      window.addEventListener("resize", onResize);
    });
    return () => {
      gone = true;
      window.removeEventListener("resize", onResize);
      chart?.destroy();
      plot.current = null;
    };
    // Rebuilt only when the axes change meaning; new figures go through setData below.
  }, [interval, currency]);

  useEffect(() => {
    plot.current?.setData(dataOf(series));
  }, [series]);

  const totals = series?.totals;
  return (
    <figure class="sales-chart" data-chart-interval={interval}>
      <div ref={host} role="img" aria-label={label} />
      <figcaption>
        {label}:{" "}
        <span data-chart-total>
          {totals ? `${formatMoney(totals.netCents, currency)} net, ${totals.orders} orders` : "loading…"}
        </span>
      </figcaption>
    </figure>
  );
}
