import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { config } from "../src/config";
import { getDb } from "../src/db/client";
import { orders, products } from "../src/db/schema";
import { totalsFor } from "../src/domain/pricing";
import { call } from "./helpers";
import { ADDRESS, freshEmail, product } from "./order-fixtures";

describe("POST /api/checkout/quote", () => {
  it("prices the cart with subtotal, shipping, tax and total, lines of one SKU summed", async () => {
    const a = await product({ priceCents: 2_500 });
    const b = await product({ priceCents: 1_000 });
    const res = await call("POST", "/api/checkout/quote", {
      body: {
        items: [
          { sku: a, qty: 2 },
          { sku: b, qty: 1 },
          { sku: a, qty: 1 },
        ],
        shippingAddress: { country: "de" },
      },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.body.items).toEqual([
      { sku: a, name: `Bracelet ${a}`, qty: 3, unitPriceCents: 2_500, lineTotalCents: 7_500 },
      { sku: b, name: `Bracelet ${b}`, qty: 1, unitPriceCents: 1_000, lineTotalCents: 1_000 },
    ]);
    expect(res.body.totals).toEqual(totalsFor(8_500, config(env)));
    expect(res.body.country).toBe("DE");
  });

  it("is the total the order is then charged", async () => {
    const sku = await product({ priceCents: 14_500 });
    const items = [{ sku, qty: 1 }];
    const quote = await call("POST", "/api/checkout/quote", { body: { items, shippingAddress: { country: "FR" } } });
    const order = await call("POST", "/api/orders", {
      body: { items, email: freshEmail(), shippingAddress: ADDRESS, quotedTotalCents: quote.body.totals.totalCents },
    });
    expect(order.status).toBe(201);
    expect(order.body.totals).toEqual(quote.body.totals);
  });

  it("names unknown and inactive SKUs with 400 validation_failed", async () => {
    const inactive = await product({ active: false });
    const res = await call("POST", "/api/checkout/quote", {
      body: {
        items: [
          { sku: "NOPE-1", qty: 1 },
          { sku: inactive, qty: 1 },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    expect(res.body.error.details.map((d: { sku: string; reason: string }) => [d.sku, d.reason])).toEqual([
      ["NOPE-1", "unknown_sku"],
      [inactive, "inactive"],
    ]);
  });

  it("refuses an unknown country and quantities outside 1 to 99", async () => {
    const sku = await product();
    const badCountry = await call("POST", "/api/checkout/quote", {
      body: { items: [{ sku, qty: 1 }], shippingAddress: { country: "XX" } },
    });
    expect(badCountry.status).toBe(400);
    for (const qty of [0, 100]) {
      const res = await call("POST", "/api/checkout/quote", { body: { items: [{ sku, qty }] } });
      expect(res.status).toBe(400);
    }
  });
});

describe("an order placed with a quote that no longer holds", () => {
  it("is refused with 409 price_changed carrying the new quote, and nothing is made", async () => {
    const sku = await product({ priceCents: 3_000 });
    const items = [{ sku, qty: 2 }];
    const quote = await call("POST", "/api/checkout/quote", { body: { items } });
    await getDb(env.DB).update(products).set({ priceCents: 3_500 }).where(eq(products.sku, sku));
    const email = freshEmail();
    const res = await call("POST", "/api/orders", {
      body: { items, email, shippingAddress: ADDRESS, quotedTotalCents: quote.body.totals.totalCents },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("conflict");
    expect(res.body.error.details.reason).toBe("price_changed");
    expect(res.body.error.details.quote.totals).toEqual(totalsFor(7_000, config(env)));
    expect(await getDb(env.DB).select().from(orders).where(eq(orders.email, email))).toEqual([]);

    const again = await call("POST", "/api/orders", {
      body: {
        items,
        email,
        shippingAddress: ADDRESS,
        quotedTotalCents: res.body.error.details.quote.totals.totalCents,
      },
    });
    expect(again.status).toBe(201);
  });
});
