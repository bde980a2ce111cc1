import { describe, expect, it } from "vitest";
import { call } from "./helpers";

const ORDER_ID = "ord_AbCdEfGhIjKlMnOpQrStUv";

describe("shopper app shells", () => {
  it("serves the checkout shell, never cached, with the checkout island rendered in the browser", async () => {
    const res = await call("GET", "/checkout");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(String(res.body)).toContain('data-island="CheckoutApp"');
    expect(String(res.body)).toContain('data-client-only="1"');
  });

  it("serves the order page shell with the order id, never cached and never leaking the token as a referrer", async () => {
    const res = await call("GET", `/orders/${ORDER_ID}?token=secret-token`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    const html = String(res.body);
    expect(html).toContain('data-island="OrderApp"');
    expect(html).toContain(`{&quot;orderId&quot;:&quot;${ORDER_ID}&quot;}`);
    // The token stays in the address bar: the server never writes it into the document.
    expect(html).not.toContain("secret-token");
  });

  it("serves the invoice page shell the same way", async () => {
    const res = await call("GET", `/orders/${ORDER_ID}/invoice?token=secret-token`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    const html = String(res.body);
    expect(html).toContain('data-island="InvoiceApp"');
    expect(html).toContain(`{&quot;orderId&quot;:&quot;${ORDER_ID}&quot;}`);
    expect(html).not.toContain("secret-token");
  });

  it("answers the HTML 404 page, without an island, for a path that cannot be an order id", async () => {
    for (const path of ["/orders/nope", "/orders/nope/invoice", "/orders/ord_short"]) {
      const res = await call("GET", path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type")).toContain("text/html");
      expect(String(res.body)).not.toContain('data-island="OrderApp"');
      expect(String(res.body)).not.toContain('data-island="InvoiceApp"');
    }
  });
});
