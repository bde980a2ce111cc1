// Scenario 1: N shoppers race for a SKU with U units through the real HTTP path (create + pay, then the order's
// live socket until it settles, as the order page follows it), then
// order creation and refusals in closed loops against the baseline's one-DO-call(-and-one-D1-write) floors.
// CPU is the shop's workerd processes' own (/proc), including the background work each request wakes.
import { request } from "../http.mjs";
import { closedLoop, fmt, measureCpu, percentile, progress } from "../lib.mjs";
import { ADDRESS, createOrder, followUntilSettled, pay, stockOf } from "./shop-client.mjs";

const pcts = (values) => [50, 99].map((p) => fmt(percentile(values, p), 0)).join(" / ");

export async function flashSale({ shop, baseline, shoppers, units, sku, bigSku, emptySku, durationMs }) {
  const before = await stockOf(shop.base, sku);
  const start = performance.now();
  const sale = await measureCpu(shop.child.pid, async () => {
    const outcomes = await Promise.all(
      Array.from({ length: shoppers }, async (_, i) => {
        const t0 = performance.now();
        const created = await createOrder(shop.base, { sku, email: `flash-${i}-${Date.now()}@bench.example` });
        if (created.status !== 201) return { createMs: created.ms, refused: created.code ?? String(created.status) };
        const order = created.body;
        // As the order page does: follow the order's live socket (opened before paying, replaying from 0).
        const settled = followUntilSettled(shop.base, order, 120_000);
        const paid = await pay(shop.base, order);
        if (paid !== 202) return { createMs: created.ms, refused: `pay_${paid}` };
        const status = await settled;
        return { createMs: created.ms, status, confirmMs: performance.now() - t0 };
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    return { outcomes, seconds };
  });
  const { outcomes, seconds } = sale.result;
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
  const answerMs = outcomes.map((o) => o.createMs);
  const winnerAnswerMs = outcomes.filter((o) => !o.refused).map((o) => o.createMs);
  const refusedAnswerMs = outcomes.filter((o) => o.refused).map((o) => o.createMs);
  const confirmMs = confirmed.map((o) => o.confirmMs);
  progress(`  flash: sale over in ${fmt(seconds)} s (${confirmed.length} confirmed); closed loops next`);

  const orderBody = (item) =>
    JSON.stringify({
      items: [item],
      email: `loop-${crypto.randomUUID()}@bench.example`,
      shippingAddress: ADDRESS,
    });
  const WARMUP = 20;
  const loop = (request) => closedLoop({ connections: 50, durationMs, warmup: WARMUP, request });
  // Order creation throughput, closed loop, against one DO call + one D1 write.
  const shopCreate = await measureCpu(shop.child.pid, () =>
    loop(() =>
      request(`${shop.base}/api/orders`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: orderBody({ sku: bigSku, qty: 1 }),
      }),
    ),
  );
  const baseCreate = await loop(() => request(`${baseline.base}/order`, { method: "POST" }));
  // Refusals (a SKU with no stock, with an Idempotency-Key as a browser sends), against one DO call alone.
  const shopRefuse = await measureCpu(shop.child.pid, () =>
    loop(() =>
      request(`${shop.base}/api/orders`, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": crypto.randomUUID() },
        body: orderBody({ sku: emptySku, qty: 1 }),
      }),
    ),
  );
  const baseRefuse = await loop(() => request(`${baseline.base}/take`, { method: "POST" }));
  // The warm-up requests ran inside the CPU window too.
  const refuseOk = (shopRefuse.result.statuses[409] ?? 0) + WARMUP;
  const createdOk = (shopCreate.result.statuses[201] ?? 0) + WARMUP;

  const rows = [
    { metric: "shoppers / units", shop: `${shoppers} / ${units}` },
    { metric: "orders confirmed", shop: confirmed.length },
    { metric: "units sold (ledger)", shop: sold },
    { metric: "OVERSOLD", shop: oversold },
    { metric: "refusals by code", shop: JSON.stringify(refusals) },
    { metric: "checkouts/s (confirmed / wall)", shop: fmt(confirmed.length / seconds) },
    { metric: "answered p50 / p99 ms, every shopper", shop: pcts(answerMs) },
    { metric: "answered p50 / p99 ms, winners (201)", shop: pcts(winnerAnswerMs) },
    { metric: "answered p50 / p99 ms, refused", shop: pcts(refusedAnswerMs) },
    { metric: "to confirmed p50 / p99 ms, winners", shop: pcts(confirmMs) },
    {
      metric: "CPU ms per confirmed checkout (whole sale / confirmed)",
      shop: fmt(sale.cpuMs / Math.max(1, confirmed.length), 0),
    },
    {
      metric: "order creation req/s, 50 conns",
      shop: fmt(shopCreate.result.rps),
      baseline: fmt(baseCreate.rps),
      ratio: fmt(shopCreate.result.rps / baseCreate.rps, 2),
    },
    {
      metric: "order creation p50 / p99 (ms)",
      shop: `${fmt(shopCreate.result.p50, 0)} / ${fmt(shopCreate.result.p99, 0)}`,
      baseline: `${fmt(baseCreate.p50, 0)} / ${fmt(baseCreate.p99, 0)}`,
    },
    {
      metric: "CPU ms per order created (closed loop)",
      shop: fmt(shopCreate.cpuMs / createdOk, 1),
    },
    {
      metric: "refusal req/s, 50 conns (vs one DO call)",
      shop: fmt(shopRefuse.result.rps),
      baseline: fmt(baseRefuse.rps),
      ratio: fmt(shopRefuse.result.rps / baseRefuse.rps, 2),
    },
    {
      metric: "refusal p50 / p99 (ms)",
      shop: `${fmt(shopRefuse.result.p50, 0)} / ${fmt(shopRefuse.result.p99, 0)}`,
      baseline: `${fmt(baseRefuse.p50, 0)} / ${fmt(baseRefuse.p99, 0)}`,
    },
    { metric: "CPU ms per refusal (closed loop)", shop: fmt(shopRefuse.cpuMs / refuseOk, 1) },
  ];
  return {
    rows,
    raw: {
      refusals,
      sold,
      oversold,
      confirmed: confirmed.length,
      seconds,
      saleCpuMs: sale.cpuMs,
      answerMs: { winners: winnerAnswerMs, refused: refusedAnswerMs, confirmed: confirmMs },
      ratios: {
        "order creation": shopCreate.result.rps / baseCreate.rps,
        refusal: shopRefuse.result.rps / baseRefuse.rps,
      },
      shopCreate: { ...shopCreate.result, cpuMs: shopCreate.cpuMs },
      baseCreate,
      shopRefuse: { ...shopRefuse.result, cpuMs: shopRefuse.cpuMs },
      baseRefuse,
    },
  };
}
