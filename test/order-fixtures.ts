/** Fixtures for the order suites: products in D1, signed-in people, orders placed through the API. */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { signWebhook, WEBHOOK_PATH, type WebhookBody } from "../src/adapters/payment-gateway";
import { requirePayments } from "../src/config";
import { getDb } from "../src/db/client";
import { customers, orders, products, type Role, sessions } from "../src/db/schema";
import { pendingAttempt } from "../src/domain/order/rules/pay";
import { newId, randomToken, sha256Hex } from "../src/lib/ids";
import { BASE, call, waitFor } from "./helpers";

export const ADDRESS = {
  name: "Ada Lovelace",
  line1: "1 Loom Street",
  city: "Berlin",
  postalCode: "10115",
  country: "DE",
};

/** A SKU no other test of the file uses. */
export const freshSku = () => `OF-${crypto.randomUUID().slice(0, 8).toUpperCase()}`;
export const freshEmail = () => `${crypto.randomUUID().slice(0, 12)}@example.com`;

/** Inserts an active product with `onHand` units; its ProductStock adopts them on first use. */
export async function product(opts: { priceCents?: number; onHand?: number; active?: boolean; name?: string } = {}) {
  const sku = freshSku();
  const now = Date.now();
  const onHand = opts.onHand ?? 10;
  await getDb(env.DB)
    .insert(products)
    .values({
      sku,
      name: opts.name ?? `Bracelet ${sku}`,
      material: "silver",
      colour: "blue",
      priceCents: opts.priceCents ?? 2_500,
      active: opts.active ?? true,
      stockOnHand: onHand,
      stockAvailable: onHand,
      createdAt: now,
      updatedAt: now,
    });
  return sku;
}

export const stockOf = (sku: string) => env.PRODUCT_STOCK.getByName(sku).snapshot(sku);

/** A signed-in person: the `cookie` header of a live session. */
export async function signedIn(role: Role = "customer", createdAt = Date.now() - 30 * 24 * 3600_000) {
  const id = newId("cus");
  const email = freshEmail();
  const token = randomToken(32);
  const db = getDb(env.DB);
  await db.insert(customers).values({
    id,
    email,
    name: role,
    role,
    passwordHash: "pbkdf2-sha256$1$x$y",
    createdAt,
    updatedAt: createdAt,
  });
  const now = Date.now();
  await db.insert(sessions).values({
    idHash: await sha256Hex(token),
    customerId: id,
    createdAt: now,
    expiresAt: now + 3600_000,
    lastSeenAt: now,
  });
  return { id, email, headers: { cookie: `__Host-sid=${token}` } };
}

export type Placed = { id: string; accessToken: string; auth: Record<string, string>; body: any };

/** Places an order through POST /api/orders and returns its id and owner headers. */
export async function placeOrder(
  items: { sku: string; qty: number }[],
  opts: { email?: string; headers?: Record<string, string> } = {},
): Promise<Placed> {
  const res = await call("POST", "/api/orders", {
    body: { items, email: opts.email ?? freshEmail(), shippingAddress: ADDRESS },
    headers: opts.headers,
  });
  if (res.status !== 201) throw new Error(`order not placed: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    id: res.body.id,
    accessToken: res.body.accessToken,
    auth: { authorization: `Bearer ${res.body.accessToken}` },
    body: res.body,
  };
}

export const getOrder = (o: Placed) => call("GET", `/api/orders/${o.id}`, { headers: o.auth });
export const pay = (o: Placed, token: string, headers: Record<string, string> = {}) =>
  call("POST", `/api/orders/${o.id}/pay`, { body: { paymentMethod: { token } }, headers: { ...o.auth, ...headers } });

/** Waits until the order (read through the API as its owner) reaches `status`. */
export function waitForStatus(o: Placed, status: string, timeoutMs = 15_000) {
  return waitFor(
    `order ${o.id} to be ${status}`,
    async () => {
      const res = await getOrder(o);
      return res.body.status === status ? res.body : undefined;
    },
    timeoutMs,
  );
}

export const mirrorOf = (id: string) => getDb(env.DB).select().from(orders).where(eq(orders.id, id)).get();

/** POSTs a payment webhook signed with the shop's secret (or `secret`), at `t` seconds. */
export async function sendWebhook(
  body: WebhookBody,
  opts: { secret?: string; t?: number; signature?: string } = {},
): Promise<{ status: number; body: any }> {
  const raw = JSON.stringify(body);
  const t = opts.t ?? Math.floor(Date.now() / 1000);
  const signature = opts.signature ?? (await signWebhook(opts.secret ?? requirePayments(env).webhookSecret, raw, t));
  const res = await exports.default.fetch(
    new Request(`${BASE}${WEBHOOK_PATH}`, {
      method: "POST",
      headers: { "content-type": "application/json", "payment-signature": signature },
      body: raw,
    }),
  );
  return { status: res.status, body: await res.json() };
}

export function webhook(data: WebhookBody["data"], id = newId("evt_test")): WebhookBody {
  return { id, type: `payment.${data.status}`, created: Math.floor(Date.now() / 1000), data };
}

/** The gateway event ids (webhooks) the order's object has taken (`webhooks` in src/durable/order-flow/store.ts). */
export const webhooksTaken = (o: Placed) =>
  runInDurableObject(
    env.ORDER_FLOW.getByName(o.id),
    (_instance, state) => state.storage.kv.get<string[]>("webhooks") ?? [],
  );

/** Opens the order's live socket as a client and collects its messages. */
export async function openLive(o: Placed, query = "") {
  const sep = query ? "&" : "";
  const res = await exports.default.fetch(
    new Request(`${BASE}/api/orders/${o.id}/live?token=${encodeURIComponent(o.accessToken)}${sep}${query}`, {
      headers: { upgrade: "websocket" },
    }),
  );
  const ws = res.webSocket;
  if (!ws) throw new Error(`no socket: ${res.status} ${await res.text()}`);
  const messages: any[] = [];
  ws.addEventListener("message", (e) => {
    messages.push(JSON.parse(String(e.data)));
  });
  ws.accept();
  return {
    ws,
    messages,
    /** Waits until `count` messages arrived. */
    until: (count: number) =>
      waitFor(`${count} live messages`, async () => (messages.length >= count ? messages.slice() : undefined)),
  };
}

/** Every event in D1 about order `id` (its own, payment, fraud and invoice events), oldest first. */
export async function eventsOf(id: string): Promise<{ id: string; type: string; data: any }[]> {
  const { results } = await env.DB.prepare(
    "SELECT id, type, data FROM events WHERE json_extract(data, '$.orderId') = ? ORDER BY occurred_at, rowid",
  )
    .bind(id)
    .all<{ id: string; type: string; data: string }>();
  return results.map((r) => ({ ...r, data: JSON.parse(r.data) }));
}

/**
 * The order's events once its object has delivered what it holds: a payment outcome waiting for the payment's
 * other outcome is delivered with it or by the object's alarm (`awaitsOtherOutcome`), which this runs now.
 */
export async function deliveredEventsOf(id: string) {
  await runDurableObjectAlarm(env.ORDER_FLOW.getByName(id));
  return eventsOf(id);
}

/** The types of the order's events, stock movements left out. */
export const typesOf = async (id: string) =>
  (await eventsOf(id)).map((e) => e.type).filter((t) => t !== "InventoryAdjusted");

/**
 * Puts a reserved order in `payment_pending` with one card attempt whose outcome has not arrived, written
 * straight into its object's storage: a payment in flight with nothing racing the outcomes (or the lost
 * outcome, or the timeout) a test then applies itself. `deadline` is when the payment times out, `expiresAt`
 * when the reservation ends. Answers the attempt's payment id.
 */
export async function stallPayment(o: Placed, opts: { deadline: number; expiresAt: number }): Promise<string> {
  const paymentId = `pay_test${crypto.randomUUID().replaceAll("-", "")}`;
  await runInDurableObject(env.ORDER_FLOW.getByName(o.id), (instance, state) => {
    const now = Date.now();
    const kv = state.storage.kv;
    const start = { id: paymentId, seq: 1, token: "tok_visa", methodLabel: "tok_visa", currency: "EUR" };
    const attempt = pendingAttempt({ ...start, amountCents: o.body.totals.totalCents }, now);
    kv.put("attempts", [attempt]);
    kv.put("doc", {
      ...kv.get<object>("doc"),
      status: "payment_pending",
      paymentDeadline: opts.deadline,
      currentPaymentId: paymentId,
      attempts: 1,
      expiresAt: opts.expiresAt,
    });
    instance.reread();
  });
  return paymentId;
}
