import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { parsedFingerprint, requestFingerprint } from "../src/http/idempotency";
import { answerOrderEarly, releaseUntaken } from "../src/routes/orders-early";
import { app } from "../src/worker";
import { ADDRESS, freshEmail, product, signedIn, stockOf } from "./order-fixtures";

const orderBody = (items: unknown, email = freshEmail()) => ({ items, email, shippingAddress: ADDRESS });

/** A guest's order request as a browser or the bench sends it: JSON with its length. */
function orderRequest(body: unknown, headers: Record<string, string> = {}, raw?: string): Request {
  const text = raw ?? JSON.stringify(body);
  return new Request("http://localhost/api/orders", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "content-length": String(new TextEncoder().encode(text).length),
      ...headers,
    },
    body: text,
  });
}

/** The app's own answer: routing, every middleware, the route (no early step). */
async function viaApp(request: Request): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(request, env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

async function early(request: Request): Promise<Response> {
  const answer = await answerOrderEarly(request, env);
  if (!(answer instanceof Response)) throw new Error("the early step did not answer");
  return answer;
}

/** Status, body and every header but the request id (and Date), to compare two answers. */
async function shapeOf(res: Response) {
  const headers = [...res.headers].filter(([name]) => !["x-request-id", "date"].includes(name));
  return {
    status: res.status,
    body: (await res.json()) as { error: { code: string } },
    headers: Object.fromEntries(headers),
  };
}

const newKey = () => crypto.randomUUID();

describe("a guest's single-line order, answered before routing", () => {
  it("refuses out of stock with the app's own status, body and headers", async () => {
    const sku = await product({ onHand: 1 });
    const body = orderBody([{ sku, qty: 3 }]);
    const fast = await early(orderRequest(body, { "idempotency-key": newKey() }));
    const slow = await viaApp(orderRequest(body, { "idempotency-key": newKey() }));
    const [a, b] = [await shapeOf(fast), await shapeOf(slow)];
    expect(a).toEqual(b);
    expect(a.status).toBe(409);
    expect(a.body.error).toMatchObject({ code: "out_of_stock", details: [{ sku, requested: 3, available: 1 }] });
    expect(a.headers["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(fast.headers.get("x-request-id")).toBeTruthy();
    // Without a key too.
    expect(await shapeOf(await early(orderRequest(body)))).toEqual(await shapeOf(await viaApp(orderRequest(body))));
  });

  it("keeps the route's key scope: a refusal made early replays through the app, and the other way round", async () => {
    const sku = await product({ onHand: 0 });
    const body = orderBody([{ sku, qty: 1 }]);
    const earlyKey = newKey();
    const appKey = newKey();
    const first = await shapeOf(await early(orderRequest(body, { "idempotency-key": earlyKey })));
    const firstViaApp = await shapeOf(await viaApp(orderRequest(body, { "idempotency-key": appKey })));
    await env.PRODUCT_STOCK.getByName(sku).adjust(sku, 5, "restock", "test");
    for (const [key, replayed] of [
      [earlyKey, await viaApp(orderRequest(body, { "idempotency-key": earlyKey }))],
      [appKey, await early(orderRequest(body, { "idempotency-key": appKey }))],
    ] as const) {
      const shape = await shapeOf(replayed);
      expect(shape.status, key).toBe(409);
      expect(shape.body).toEqual(first.body);
      expect(shape.headers["idempotent-replayed"]).toBe("true");
    }
    expect(firstViaApp.body).toEqual(first.body);
    // The same key with another body is 422, early or not.
    const other = orderBody([{ sku, qty: 2 }], body.email);
    const reusedEarly = await shapeOf(await early(orderRequest(other, { "idempotency-key": earlyKey })));
    const reusedViaApp = await shapeOf(await viaApp(orderRequest(other, { "idempotency-key": appKey })));
    expect(reusedEarly).toEqual(reusedViaApp);
    expect(reusedEarly.body.error.code).toBe("idempotency_key_reused");
    expect(await stockOf(sku)).toMatchObject({ reserved: 0, available: 5 });
  });

  it("echoes a valid X-Request-Id the client sent, as the app's middleware does", async () => {
    const sku = await product({ onHand: 0 });
    const body = orderBody([{ sku, qty: 1 }]);
    const res = await early(orderRequest(body, { "x-request-id": "trace-42" }));
    expect(res.headers.get("x-request-id")).toBe("trace-42");
    const bad = await early(orderRequest(body, { "x-request-id": "not valid!" }));
    expect(bad.headers.get("x-request-id")).not.toBe("not valid!");
  });

  it("reads the path of a URL with a query or a fragment as the router does", async () => {
    const sku = await product({ onHand: 0 });
    const body = orderBody([{ sku, qty: 1 }]);
    for (const url of ["http://localhost/api/orders?via=ad", "http://localhost:8787/api/orders#top"]) {
      const request = new Request(url, {
        method: "POST",
        headers: orderRequest(body).headers,
        body: JSON.stringify(body),
      });
      expect((await early(request)).status).toBe(409);
    }
  });

  it("hands the stock it took to the route, which creates the order with it and takes no more", async () => {
    const sku = await product({ onHand: 3 });
    const onward = await answerOrderEarly(orderRequest(orderBody([{ sku, qty: 2 }])), env);
    expect(onward).toBeInstanceOf(Request);
    expect(await stockOf(sku)).toMatchObject({ reserved: 2, available: 1 });
    const res = await viaApp(onward as Request);
    expect(res.status).toBe(201);
    const order = (await res.json()) as { id: string; items: { sku: string; qty: number }[] };
    expect(order.items).toMatchObject([{ sku, qty: 2 }]);
    expect(await stockOf(sku)).toMatchObject({ reserved: 2, available: 1 });
    const ledger = await env.PRODUCT_STOCK.getByName(sku).ledger(sku);
    expect(ledger?.reservations).toEqual([expect.objectContaining({ orderId: order.id, qty: 2 })]);
    // Taken by the route: nothing left to give back.
    await releaseUntaken(onward as Request, env);
    expect(await stockOf(sku)).toMatchObject({ reserved: 2 });
  });

  it("gives back stock it took for a request the route never took", async () => {
    const sku = await product({ onHand: 3 });
    const onward = await answerOrderEarly(orderRequest(orderBody([{ sku, qty: 1 }])), env);
    expect(await stockOf(sku)).toMatchObject({ reserved: 1 });
    await releaseUntaken(onward as Request, env);
    expect(await stockOf(sku)).toMatchObject({ reserved: 0, available: 3 });
  });

  it("places an order through the front door as before, with its key kept for a retry", async () => {
    const sku = await product({ onHand: 2 });
    const body = orderBody([{ sku, qty: 1 }]);
    const key = newKey();
    const send = () => exports.default.fetch(orderRequest(body, { "idempotency-key": key }));
    const first = await send();
    expect(first.status).toBe(201);
    const placed = (await first.json()) as { id: string };
    const again = await send();
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(((await again.json()) as { id: string }).id).toBe(placed.id);
    expect(await stockOf(sku)).toMatchObject({ reserved: 1, available: 1 });
  });

  it("names the key once for the route: a retry with the body's keys in another order replays the order", async () => {
    const sku = await product({ onHand: 2 });
    const body = orderBody([{ sku, qty: 1 }]);
    const key = newKey();
    const first = await exports.default.fetch(orderRequest(body, { "idempotency-key": key }));
    expect(first.status).toBe(201);
    const placed = (await first.json()) as { id: string };
    const { shippingAddress, email, items } = body;
    const reordered = { shippingAddress: Object.fromEntries(Object.entries(shippingAddress).reverse()), email, items };
    const again = await exports.default.fetch(orderRequest(reordered, { "idempotency-key": key }));
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(((await again.json()) as { id: string }).id).toBe(placed.id);
    const other = await exports.default.fetch(
      orderRequest(orderBody([{ sku, qty: 2 }], email), { "idempotency-key": key }),
    );
    expect(other.status).toBe(422);
    expect(await stockOf(sku)).toMatchObject({ reserved: 1, available: 1 });
  });

  it("fingerprints a parsed body as the middleware fingerprints its text", async () => {
    const text = JSON.stringify({ b: [{ y: 1, x: { q: null, p: "é" } }], a: "1" });
    expect(await parsedFingerprint("POST", "/api/orders", JSON.parse(text))).toBe(
      await requestFingerprint("POST", "/api/orders", text),
    );
  });
});

describe("order requests the early step leaves to the app", () => {
  const refusedSku = () => product({ onHand: 0 });

  it("passes on, unread, a request with a cookie, a bearer token, another type, no length or a bad key", async () => {
    const sku = await refusedSku();
    const body = orderBody([{ sku, qty: 1 }]);
    const text = JSON.stringify(body);
    const cases: Request[] = [
      orderRequest(body, { cookie: "sid=whatever" }),
      orderRequest(body, { authorization: "Bearer abc" }),
      orderRequest(body, { "content-type": "text/plain" }),
      new Request("http://localhost/api/orders", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: text,
      }),
      orderRequest(body, { "idempotency-key": "has spaces" }),
      orderRequest(body, { "content-length": String(64 * 1024 + 1) }, text),
      new Request("http://localhost/api/orders/", { method: "PUT", body: text }),
      new Request("http://localhost/api/orders/", { method: "POST", headers: orderRequest(body).headers, body: text }),
      new Request("http://localhost/api/ordersx", { method: "POST", headers: orderRequest(body).headers, body: text }),
      new Request("http://localhost/x/api/orders", { method: "POST", headers: orderRequest(body).headers, body: text }),
    ];
    for (const request of cases) {
      const answer = await answerOrderEarly(request, env);
      expect(answer).toBe(request);
      expect(request.bodyUsed).toBe(false);
    }
  });

  it("passes on what the route's validation or catalog answers, asking the stock for nothing it keeps", async () => {
    const sku = await product({ onHand: 5 });
    const cases = [
      { raw: "{not json" },
      { body: orderBody([{ sku, qty: 0 }]) },
      { body: orderBody([{ sku, qty: 1, priceCents: 1 }]) },
      {
        body: orderBody([
          { sku, qty: 60 },
          { sku, qty: 60 },
        ]),
      },
      {
        body: orderBody([
          { sku, qty: 1 },
          { sku: `${sku}-OTHER`, qty: 1 },
        ]),
      },
      { body: orderBody([{ sku: "NO-SUCH-SKU-EARLY", qty: 1 }]) },
    ];
    for (const c of cases) {
      const request = orderRequest(c.body, {}, c.raw);
      const onward = await answerOrderEarly(request, env);
      expect(onward).toBeInstanceOf(Request);
      expect(await viaApp(onward as Request).then((r) => r.status)).toBe(400);
    }
    expect(await stockOf(sku)).toMatchObject({ reserved: 0, available: 5 });
  });

  it("leaves a signed-in customer's order to the app, which places it as theirs", async () => {
    const sku = await product({ onHand: 1 });
    const customer = await signedIn();
    const request = orderRequest(orderBody([{ sku, qty: 1 }], customer.email), customer.headers);
    expect(await answerOrderEarly(request, env)).toBe(request);
    const res = await exports.default.fetch(request);
    expect(res.status).toBe(201);
    expect(((await res.json()) as { customerId: string }).customerId).toBe(customer.id);
  });
});
