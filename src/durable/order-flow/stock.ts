/**
 * Carries out an order rule's stock steps on the ProductStock objects of the SKUs, all at once. Every step
 * answers (done, refused with the SKU's availability, or threw); which answer means what is the rule's business.
 */
import type { StockAnswer, StockStep } from "../../domain/order/types";
import { stockStub } from "../../services/stock/stock";

export async function runStockSteps(
  env: Env,
  orderId: string,
  steps: readonly StockStep[],
  places: Readonly<Record<string, string>> = {},
): Promise<StockAnswer[]> {
  return Promise.all(
    steps.map((s) =>
      // A sharded SKU's line is held by the shard the checkout reserved it on (the order's stockPlaces).
      stockStep(env, orderId, { ...s, sku: places[s.sku] ?? s.sku }).catch(
        (error): StockAnswer => ({ ok: "threw", error }),
      ),
    ),
  );
}

const answer = (r: { ok: boolean; reason?: string; level: { available: number } }): StockAnswer =>
  r.ok
    ? { ok: true }
    : { ok: false, reason: r.reason === "unknown_sku" ? "unknown_sku" : "insufficient", available: r.level.available };

async function stockStep(env: Env, orderId: string, step: StockStep): Promise<StockAnswer> {
  const stock = stockStub(env, step.sku);
  switch (step.op) {
    case "reserve":
      return answer(await stock.reserve(step.sku, orderId, step.qty, step.ttlMs));
    case "hold":
      if ((await stock.extend(step.sku, orderId, step.until)).ok) return { ok: true };
      return answer(await stock.reserve(step.sku, orderId, step.qty, step.ttlMs));
    case "commit": {
      if ((await stock.commit(step.sku, orderId)).ok) return { ok: true };
      const again = await stock.reserve(step.sku, orderId, step.qty, step.ttlMs);
      if (!again.ok) return answer(again);
      const committed = await stock.commit(step.sku, orderId);
      return committed.ok ? { ok: true } : { ok: false, reason: "lost", available: committed.level.available };
    }
    case "resize":
      return answer(await stock.resize(step.sku, orderId, step.qty));
    case "release":
      await stock.release(step.sku, orderId, step.reason);
      return { ok: true };
  }
}
