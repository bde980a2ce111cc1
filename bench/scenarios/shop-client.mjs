// The shopper's HTTP path against the shop, as a browser would walk it (create order, pay, follow it).
import { request } from "../http.mjs";
export const ADDRESS = {
  name: "Bench Shopper",
  line1: "1 Loop Street",
  city: "Localhost",
  postalCode: "12345",
  country: "FR",
};
export const FINAL = new Set(["confirmed", "cancelled", "payment_failed", "on_hold"]);

export async function createOrder(base, { sku, qty = 1, email, agent }) {
  const t0 = performance.now();
  const res = await request(`${base}/api/orders`, {
    agent,
    method: "POST",
    headers: { "content-type": "application/json", "idempotency-key": crypto.randomUUID() },
    body: JSON.stringify({ items: [{ sku, qty }], email, shippingAddress: ADDRESS }),
  });
  const body = await res.json().catch(() => null);
  const timing = Object.fromEntries(
    [...(res.headers.get("server-timing") ?? "").matchAll(/(\w+);dur=(\d+)/g)].map((m) => [m[1], Number(m[2])]),
  );
  return { status: res.status, body, ms: performance.now() - t0, code: body?.error?.code ?? null, timing };
}

export async function pay(base, order, token = "tok_visa") {
  const res = await request(`${base}/api/orders/${order.id}/pay`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${order.accessToken}`,
      "idempotency-key": crypto.randomUUID(),
    },
    body: JSON.stringify({ paymentMethod: { token } }),
  });
  await res.arrayBuffer();
  return res.status;
}

/** Follows the order over its live WebSocket until it settles; resolves with the final status. */
export function followUntilSettled(base, order, timeoutMs = 60_000) {
  return new Promise((resolve) => {
    const url = `${base.replace("http", "ws")}/api/orders/${order.id}/live?token=${encodeURIComponent(order.accessToken)}&since=0`;
    const ws = new WebSocket(url);
    const timer = setTimeout(() => {
      ws.close();
      resolve("timeout");
    }, timeoutMs);
    ws.onmessage = (e) => {
      const msg = JSON.parse(String(e.data));
      if (msg.type === "order" && FINAL.has(msg.status)) {
        clearTimeout(timer);
        ws.close();
        resolve(msg.status);
      }
    };
    ws.onerror = () => {
      clearTimeout(timer);
      resolve("ws_error");
    };
  });
}

export async function stockOf(base, sku) {
  const res = await request(`${base}/api/products/${sku}/stock`);
  return res.json();
}

/** Signs in a seeded account and returns the Cookie header value. */
export async function signIn(base, email, password) {
  const res = await request(`${base}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`login ${email} failed with ${res.status}`);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith("__Host-sid="));
  return cookie.split(";")[0];
}
