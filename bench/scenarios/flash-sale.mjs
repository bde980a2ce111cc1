// Scenario 1: N shoppers race for a SKU with U units through the real HTTP path (create + pay + settle),
// then order creation in a closed loop against the one-DO-call-one-D1-write baseline.
import { closedLoop, fmt, percentile } from "../lib.mjs";
import { createOrder, pay, pollUntilSettled, stockOf } from "./shop-client.mjs";

export async function flashSale({ shop, baseline, shoppers, units, sku, bigSku, durationMs }) {
  const before = await stockOf(shop.base, sku);
  const start = performance.now();
  const outcomes = await Promise.all(
    Array.from({ length: shoppers }, async (_, i) => {
      const t0 = performance.now();
      const created = await createOrder(shop.base, { sku, email: `flash-${i}-${Date.now()}@bench.example` });
      if (created.status !== 201) return { createMs: created.ms, refused: created.code ?? String(created.status) };
      const order = created.body;
      const paid = await pay(shop.base, order);
      if (paid !== 202) return { createMs: created.ms, refused: `pay_${paid}` };
      const status = await pollUntilSettled(shop.base, order);
      return { createMs: created.ms, status, confirmMs: performance.now() - t0 };
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  // Let trailing events (commits, expiries) land before reading the ledger.
  await new Promise((r) => setTimeout(r, 1500));
  const after = await stockOf(shop.base, sku);

  const confirmed = outcomes.filter((o) => o.status === "confirmed");
  const refusals = {};
  for (const o of outcomes) {
    const key = o.refused ?? (o.status === "confirmed" ? null : o.status);
    if (key) refusals[key] = (refusals[key] ?? 0) + 1;
  }
  const sold = before.onHand - after.onHand;
  const oversold = Math.max(0, sold - units, confirmed.length - units, -after.available);
  const createMs = outcomes.map((o) => o.createMs);
  const confirmMs = confirmed.map((o) => o.confirmMs);

  // Order creation throughput, closed loop, against the irreducible work of one DO call + one D1 write.
  const shopCreate = await closedLoop({
    connections: 50,
    durationMs,
    warmup: 20,
    request: () =>
      fetch(`${shop.base}/api/orders`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          items: [{ sku: bigSku, qty: 1 }],
          email: `loop-${crypto.randomUUID()}@bench.example`,
          shippingAddress: { name: "B", line1: "1 St", city: "X", postalCode: "1", country: "FR" },
        }),
      }),
  });
  const baseCreate = await closedLoop({
    connections: 50,
    durationMs,
    warmup: 20,
    request: () => fetch(`${baseline.base}/order`, { method: "POST" }),
  });

  const rows = [
    { metric: "shoppers / units", shop: `${shoppers} / ${units}` },
    { metric: "orders confirmed", shop: confirmed.length },
    { metric: "units sold (ledger)", shop: sold },
    { metric: "OVERSOLD", shop: oversold },
    { metric: "refusals by code", shop: JSON.stringify(refusals) },
    { metric: "checkouts/s (confirmed / wall)", shop: fmt(confirmed.length / seconds) },
    {
      metric: "create p50 / p95 / p99 (ms)",
      shop: [50, 95, 99].map((p) => fmt(percentile(createMs, p), 0)).join(" / "),
    },
    {
      metric: "to confirmed p50 / p95 / p99 (ms)",
      shop: [50, 95, 99].map((p) => fmt(percentile(confirmMs, p), 0)).join(" / "),
    },
    {
      metric: "order creation req/s, 50 conns",
      shop: fmt(shopCreate.rps),
      baseline: fmt(baseCreate.rps),
      ratio: fmt(shopCreate.rps / baseCreate.rps, 2),
    },
    {
      metric: "order creation p50 / p99 (ms)",
      shop: `${fmt(shopCreate.p50, 0)} / ${fmt(shopCreate.p99, 0)}`,
      baseline: `${fmt(baseCreate.p50, 0)} / ${fmt(baseCreate.p99, 0)}`,
      ratio: fmt(baseCreate.p50 / shopCreate.p50, 2),
    },
  ];
  return { rows, raw: { refusals, sold, oversold, confirmed: confirmed.length, shopCreate, baseCreate, seconds } };
}
