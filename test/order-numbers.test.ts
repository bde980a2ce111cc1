import { describe, expect, it } from "vitest";
import { formatOrderNumber, parseOrderNumber } from "../src/domain/order-numbers";
import { call, waitFor } from "./helpers";
import { ADDRESS, freshEmail, getOrder, mirrorOf, pay, placeOrder, product, signedIn } from "./order-fixtures";

describe("order number text", () => {
  it("is written #1001 and read back with or without the #, spaces around allowed", () => {
    expect(formatOrderNumber(1001)).toBe("#1001");
    expect(formatOrderNumber(null)).toBe("");
    expect(parseOrderNumber("#1001")).toBe(1001);
    expect(parseOrderNumber(" 1001 ")).toBe(1001);
    expect(parseOrderNumber("# 1001")).toBe(1001);
    expect(parseOrderNumber("1001a")).toBeNull();
    expect(parseOrderNumber("ada@example.com")).toBeNull();
  });
});

describe("order numbers", () => {
  it("gives each new order the next number, in its view, its mirror row and the staff list", async () => {
    const sku = await product();
    const a = await placeOrder([{ sku, qty: 1 }]);
    const b = await placeOrder([{ sku, qty: 1 }]);
    expect(a.body.number).toBeGreaterThanOrEqual(1001);
    expect(b.body.number).toBe(a.body.number + 1);
    expect((await getOrder(b)).body.number).toBe(b.body.number);
    expect((await mirrorOf(b.id))?.number).toBe(b.body.number);
  });
});

describe("GET /api/admin/orders?q=", () => {
  it("finds an order by number with or without #, by email or by shipping name, in any case", async () => {
    const sku = await product();
    const tag = crypto.randomUUID().slice(0, 8);
    const email = `Grace.${tag}@Example.com`;
    const res = await call("POST", "/api/orders", {
      body: { items: [{ sku, qty: 1 }], email, shippingAddress: { ...ADDRESS, name: `Grace Hopper ${tag}` } },
    });
    expect(res.status).toBe(201);
    const other = await placeOrder([{ sku, qty: 1 }], { email: freshEmail() });
    const staff = await signedIn("staff");
    const search = async (q: string) => {
      const found = await call("GET", `/api/admin/orders?q=${encodeURIComponent(q)}`, { headers: staff.headers });
      expect(found.status).toBe(200);
      return found.body.orders.map((o: { id: string }) => o.id);
    };
    for (const q of [`#${res.body.number}`, String(res.body.number), `grace.${tag.toUpperCase()}`, `hopper ${tag}`]) {
      const ids = await search(q);
      expect(ids, q).toContain(res.body.id);
      expect(ids, q).not.toContain(other.id);
    }
    const listed = await call("GET", `/api/admin/orders?q=${res.body.number}`, { headers: staff.headers });
    expect(listed.body.orders[0]).toMatchObject({ number: res.body.number, name: `Grace Hopper ${tag}` });
    expect(await search("%")).not.toContain(res.body.id);
  });

  it("is for staff only", async () => {
    const customer = await signedIn();
    expect((await call("GET", "/api/admin/orders?q=1001", { headers: customer.headers })).status).toBe(403);
  });
});

describe("the account's orders and invoices", () => {
  it("name each order by its number and each invoice by its order, in shopper wording", async () => {
    const sku = await product();
    const customer = await signedIn();
    const o = await placeOrder([{ sku, qty: 1 }], { headers: customer.headers });
    expect((await pay(o, "4000 0000 0000 9235")).status).toBe(202);
    const listed = await waitFor("the held order in the account", async () => {
      const res = await call("GET", "/api/account/orders", { headers: customer.headers });
      const row = res.body.orders.find((r: { id: string }) => r.id === o.id);
      return row?.status === "on_hold" ? row : undefined;
    });
    expect(listed.number).toBe(o.body.number);
    expect(JSON.stringify(listed.timeline)).not.toMatch(/risk|score/i);

    const staff = await signedIn("staff");
    expect((await call("POST", `/api/admin/orders/${o.id}/approve`, { headers: staff.headers, body: {} })).status).toBe(
      200,
    );
    const invoice = await waitFor("the order's invoice in the account", async () => {
      const res = await call("GET", "/api/account/invoices", { headers: customer.headers });
      return res.body.invoices.find((i: { orderId: string }) => i.orderId === o.id);
    });
    expect(invoice).toMatchObject({ orderId: o.id, orderNumber: o.body.number });
  });
});
