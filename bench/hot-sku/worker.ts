/**
 * The hot-SKU bench Worker (see wrangler.toml here): the shop's own ProductStock and checkout routing.
 * - POST /shards?sku=&count=: the SKU's shard count, as the admin route sets it.
 * - POST /reserve?sku=&order=: one unit reserved exactly as a checkout does (reserveLine), answering where.
 * - GET /level?sku=: the SKU's published level (the parent's aggregate, as the product page sees it).
 */
import { stockStub } from "../../src/services/stock/stock";
import { reserveLine } from "../../src/services/stock/stock-shards";

export { ProductStock } from "../../src/durable/product-stock";

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const sku = url.searchParams.get("sku") ?? "";
    if (request.method === "POST" && url.pathname === "/shards") {
      return Response.json(await stockStub(env, sku).setShards(sku, Number(url.searchParams.get("count"))));
    }
    if (request.method === "POST" && url.pathname === "/reserve") {
      const placed = await reserveLine(env, sku, url.searchParams.get("order") ?? crypto.randomUUID(), 1, 900_000);
      return Response.json({ ok: placed.result.ok, place: placed.place });
    }
    if (url.pathname === "/level") return Response.json(await stockStub(env, sku).snapshot(sku));
    return new Response("not found", { status: 404 });
  },
} satisfies ExportedHandler<Env>;
