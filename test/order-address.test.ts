import { describe, expect, it } from "vitest";
import { call } from "./helpers";
import { ADDRESS, freshEmail, product } from "./order-fixtures";

describe("order shipping address", () => {
  it("normalises the country's case and accepts the phone inside the address", async () => {
    const sku = await product();
    const res = await call("POST", "/api/orders", {
      body: {
        items: [{ sku, qty: 1 }],
        email: freshEmail(),
        shippingAddress: { ...ADDRESS, country: "fr", phone: "+33 1 23 45 67 89" },
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.shippingAddress.country).toBe("FR");
    expect(res.body.phone).toBe("+33 1 23 45 67 89");
  });

  it("refuses a country code that is not assigned, reserving nothing", async () => {
    const sku = await product({ onHand: 3 });
    const res = await call("POST", "/api/orders", {
      body: { items: [{ sku, qty: 1 }], email: freshEmail(), shippingAddress: { ...ADDRESS, country: "XX" } },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: "shippingAddress.country" })]),
    );
    const stock = await call("GET", `/api/products/${sku}/stock`);
    expect(stock.body).toMatchObject({ reserved: 0, available: 3 });
  });
});

describe("order creation timing", () => {
  it("says where the time went in a Server-Timing header", async () => {
    const sku = await product();
    const res = await call("POST", "/api/orders", {
      body: { items: [{ sku, qty: 1 }], email: freshEmail(), shippingAddress: ADDRESS },
    });
    expect(res.status).toBe(201);
    const timing = res.headers.get("server-timing") ?? "";
    for (const stage of ["price", "flow", "stock", "deliver"]) expect(timing).toMatch(new RegExp(`${stage};dur=\\d+`));
  });
});
