// Scenario 4: one shopper, 20 orders in a row, from POST /api/orders to the live socket saying "confirmed".
import { request } from "../http.mjs";
import { fmt, measureCpu, median, percentile } from "../lib.mjs";
import { createOrder, followUntilSettled, pay } from "./shop-client.mjs";

export async function checkoutLatency({ shop, baseline, sku, runs }) {
  const totals = [];
  const creates = [];
  const stages = { price: [], flow: [], stock: [], deliver: [] };
  const statuses = {};
  // One unmeasured checkout first, so the objects and code paths are warm.
  const warm = await createOrder(shop.base, { sku, email: `solo-warm-${Date.now()}@bench.example` });
  if (warm.status === 201) {
    const settled = followUntilSettled(shop.base, warm.body);
    await pay(shop.base, warm.body);
    await settled;
  }
  // CPU of the shop's workerd processes for the whole loop, including every consumer the orders wake.
  const { cpuMs } = await measureCpu(shop.child.pid, async () => {
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const created = await createOrder(shop.base, { sku, email: `solo-${i}-${Date.now()}@bench.example` });
      creates.push(created.ms);
      for (const [stage, list] of Object.entries(stages))
        if (created.timing?.[stage] !== undefined) list.push(created.timing[stage]);
      if (created.status !== 201) {
        statuses[created.code ?? created.status] = (statuses[created.code ?? created.status] ?? 0) + 1;
        continue;
      }
      const settled = followUntilSettled(shop.base, created.body);
      await pay(shop.base, created.body);
      const status = await settled;
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status === "confirmed") totals.push(performance.now() - t0);
    }
  });
  const base = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const res = await request(`${baseline.base}/order`, { method: "POST" });
    await res.arrayBuffer();
    base.push(performance.now() - t0);
  }
  return {
    raw: { cpuMs, confirmed: totals.length, cpuPerCheckout: cpuMs / Math.max(1, totals.length) },
    rows: [
      { metric: "outcomes", shop: JSON.stringify(statuses) },
      { metric: "POST → confirmed, median ms", shop: fmt(median(totals)), baseline: fmt(median(base)) },
      { metric: "POST → confirmed, p95 ms", shop: fmt(percentile(totals, 95)) },
      {
        metric: "CPU ms per confirmed checkout (create → pay → confirmed, with consumers)",
        shop: fmt(cpuMs / Math.max(1, totals.length), 1),
      },
      { metric: "order creation alone, median ms", shop: fmt(median(creates)), baseline: fmt(median(base)) },
      // The server's own account of a creation (Server-Timing, I/O waits): where the time goes.
      // Since issue 9 the route reserves before pricing; before, the reservation ran inside the OrderFlow.
      { metric: "  of which: ProductStock reservations", shop: fmt(median(stages.stock)) },
      { metric: "  of which: catalog price read (D1)", shop: fmt(median(stages.price)) },
      { metric: "  of which: OrderFlow object, total", shop: fmt(median(stages.flow)) },
      { metric: "    inside: D1 mirror + events + queue", shop: fmt(median(stages.deliver)) },
    ],
  };
}
