import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { isLocalAddress } from "../src/http/client";
import { app } from "../src/worker";
import { ADDRESS, freshEmail, mirrorOf, product, waitForStatus } from "./order-fixtures";

/** Straight into the app: a request's `cf` does not survive the loopback service binding. */
async function placeFrom(ip: string, country: string, sku: string) {
  const res = await app.fetch(
    new Request("http://localhost/api/orders", {
      method: "POST",
      headers: { "content-type": "application/json", "cf-connecting-ip": ip },
      body: JSON.stringify({ items: [{ sku, qty: 1 }], email: freshEmail(), shippingAddress: ADDRESS }),
      cf: { country },
    }),
    env,
    createExecutionContext(),
  );
  const body = (await res.json()) as { id: string; accessToken: string };
  const order = {
    id: body.id,
    accessToken: body.accessToken,
    auth: { authorization: `Bearer ${body.accessToken}` },
    body,
  };
  // The fraud check judges the payment request, so it comes from the same place.
  const paid = await app.fetch(
    new Request(`http://localhost/api/orders/${order.id}/pay`, {
      method: "POST",
      headers: { "content-type": "application/json", "cf-connecting-ip": ip, ...order.auth },
      body: JSON.stringify({ paymentMethod: { token: "tok_visa" } }),
      cf: { country },
    }),
    env,
    createExecutionContext(),
  );
  if (paid.status !== 202) throw new Error(`pay answered ${paid.status}`);
  return order;
}

describe("where a request comes from", () => {
  it("knows loopback, private and link-local addresses are not a location", () => {
    for (const ip of ["127.0.0.1", "::1", "10.1.2.3", "192.168.0.9", "172.20.1.1", "169.254.1.1", "fd12:3456::1"]) {
      expect(isLocalAddress(ip), ip).toBe(true);
    }
    for (const ip of ["8.8.8.8", "172.32.0.1", "2a00:1450::1"]) expect(isLocalAddress(ip), ip).toBe(false);
  });

  it("ignores the placeholder country of a local request in the fraud check", async () => {
    const sku = await product();
    const order = await placeFrom("127.0.0.1", "US", sku);
    await waitForStatus(order, "confirmed");
    expect((await mirrorOf(order.id))?.riskReasons ?? []).not.toContain("country_mismatch");
  });

  it("counts a country mismatch for a public address", async () => {
    const sku = await product();
    const order = await placeFrom("203.0.113.7", "US", sku);
    const mirror = await waitForStatus(order, "confirmed").then(() => mirrorOf(order.id));
    expect(JSON.stringify(mirror?.riskReasons)).toContain("country_mismatch");
  });
});
