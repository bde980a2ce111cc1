import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BASE } from "./helpers";
import { placeOrder, product, signedIn } from "./order-fixtures";

const FOREIGN = "https://evil.example";

async function upgrade(path: string, headers: Record<string, string>) {
  const res = await exports.default.fetch(
    new Request(`${BASE}${path}`, { headers: { upgrade: "websocket", ...headers } }),
  );
  if (res.webSocket) {
    res.webSocket.accept();
    res.webSocket.close(1000, "done");
    return { status: res.status, body: null as any };
  }
  return { status: res.status, body: (await res.json()) as any };
}

describe("WebSocket upgrades authenticated by the session cookie", () => {
  it("refuses a customer's order socket opened from a foreign origin with 403 forbidden", async () => {
    const customer = await signedIn("customer");
    const o = await placeOrder([{ sku: await product(), qty: 1 }], { headers: customer.headers });
    const res = await upgrade(`/api/orders/${o.id}/live`, { ...customer.headers, origin: FOREIGN });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: { code: "forbidden" } });
  });

  it("refuses a cookie upgrade the browser marks cross-site or same-site, even without Origin", async () => {
    const customer = await signedIn("customer");
    const o = await placeOrder([{ sku: await product(), qty: 1 }], { headers: customer.headers });
    for (const site of ["cross-site", "same-site"]) {
      const res = await upgrade(`/api/orders/${o.id}/live`, { ...customer.headers, "sec-fetch-site": site });
      expect(res.status, site).toBe(403);
    }
  });

  it("accepts the customer's order socket from the shop's own origin", async () => {
    const customer = await signedIn("customer");
    const o = await placeOrder([{ sku: await product(), qty: 1 }], { headers: customer.headers });
    const res = await upgrade(`/api/orders/${o.id}/live`, {
      ...customer.headers,
      origin: BASE,
      "sec-fetch-site": "same-origin",
    });
    expect(res.status).toBe(101);
  });

  it("refuses the staff feed from a foreign origin and accepts it from the shop's own", async () => {
    const staff = await signedIn("staff");
    const foreign = await upgrade("/api/admin/live", { ...staff.headers, origin: FOREIGN });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatchObject({ error: { code: "forbidden" } });
    expect((await upgrade("/api/admin/live", { ...staff.headers, origin: BASE })).status).toBe(101);
  });

  it("still lets a guest link (token, no cookie) open the order socket from anywhere", async () => {
    const o = await placeOrder([{ sku: await product(), qty: 1 }]);
    const res = await upgrade(`/api/orders/${o.id}/live?token=${encodeURIComponent(o.accessToken)}`, {
      origin: FOREIGN,
    });
    expect(res.status).toBe(101);
  });
});
