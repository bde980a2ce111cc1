import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { describe, expect, inject, it } from "vitest";
import { newEvent } from "../src/adapters/event-bus";
import { getDb } from "../src/db/client";
import { backInStockRequests, notifications } from "../src/db/schema";
import { signUpForBackInStock } from "../src/services/catalog/back-in-stock";
import { notify } from "../src/services/notifications/notifications";
import { freshSku, insertProducts } from "./catalog-fixtures";
import { call, sessionFor, waitFor } from "./helpers";

const mailServer = inject("mailServerUrl");
const httpEnv = {
  ...env,
  EMAIL_PROVIDER: "resend",
  EMAIL_API_URL: mailServer,
  EMAIL_API_KEY: "re_test",
} as unknown as Env;
const sameOrigin = { origin: "http://localhost" };

async function received(to: string): Promise<{ seq: number }[]> {
  return (await fetch(`${mailServer}/requests?to=${encodeURIComponent(to)}`)).json();
}

async function soldOut(): Promise<string> {
  const sku = freshSku("BIS");
  await insertProducts([
    { sku, name: `Moonstone ${sku}`, material: "silver", colour: "blue", priceCents: 2500, available: 0 },
  ]);
  return sku;
}

const signUp = (sku: string, email: string, headers: Record<string, string> = {}) =>
  call("POST", `/api/products/${sku}/back-in-stock`, { body: { email }, headers });

async function waitingFor(sku: string) {
  const staff = await sessionFor("staff");
  const res = await call("GET", "/api/admin/back-in-stock", { headers: { cookie: staff.cookie } });
  return (res.body.items as { sku: string; waiting: number }[]).find((i) => i.sku === sku)?.waiting ?? 0;
}

describe("POST /api/products/:sku/back-in-stock", () => {
  it("takes a guest's and a signed-in customer's e-mail for a sold-out SKU, once per e-mail", async () => {
    const sku = await soldOut();
    const guest = await signUp(sku, "Guest@Example.com");
    expect(guest.status).toBe(201);
    expect(guest.body).toMatchObject({ sku, status: "waiting" });
    const again = await signUp(sku, "guest@example.com");
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(guest.body.id);

    const customer = await sessionFor("customer");
    const mine = await signUp(sku, customer.email, { cookie: customer.cookie, ...sameOrigin });
    expect(mine.status).toBe(201);
    const row = await getDb(env.DB)
      .select()
      .from(backInStockRequests)
      .where(eq(backInStockRequests.id, mine.body.id))
      .get();
    expect(row?.customerId).toBe(customer.id);
    expect(await waitingFor(sku)).toBe(2);
  });

  it("refuses an SKU in stock (409 invalid_state), an unknown SKU (404) and a bad e-mail (400)", async () => {
    const sku = freshSku("BIS");
    await insertProducts([{ sku, name: "In stock", material: "silver", colour: "red", priceCents: 100, available: 4 }]);
    const inStock = await signUp(sku, "a@example.com");
    expect(inStock.status).toBe(409);
    expect(inStock.body.error.code).toBe("invalid_state");
    expect((await signUp("NOPE-404", "a@example.com")).status).toBe(404);
    const bad = await signUp(await soldOut(), "not-an-email");
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("validation_failed");
  });
});

describe("telling waiting shoppers", () => {
  it("a staff restock tells each waiting shopper once by e-mail and closes the requests", async () => {
    const sku = await soldOut();
    const emails = [`w1-${crypto.randomUUID()}@example.com`, `w2-${crypto.randomUUID()}@example.com`];
    for (const e of emails) expect((await signUp(sku, e)).status).toBe(201);
    const staff = await sessionFor("staff");
    const res = await call("POST", `/api/admin/inventory/${sku}/adjustments`, {
      body: { delta: 5, reason: "restock" },
      headers: { cookie: staff.cookie, ...sameOrigin },
    });
    expect(res.status).toBe(200);

    // The restock's InventoryAdjusted goes through the queue to the notifications service.
    const db = getDb(env.DB);
    const sent = await waitFor("both shoppers told", async () => {
      const rows = await db
        .select()
        .from(notifications)
        .where(and(eq(notifications.template, "back_in_stock_available"), eq(notifications.status, "sent")));
      const mine = rows.filter((r) => emails.includes(r.recipient));
      return mine.length === 2 ? mine : undefined;
    });
    expect(sent.every((r) => r.subject.includes("is back in stock") && r.html?.includes(`/products/${sku}`))).toBe(
      true,
    );
    const requests = await db.select().from(backInStockRequests).where(eq(backInStockRequests.sku, sku));
    expect(requests.map((r) => r.status)).toEqual(["notified", "notified"]);
    expect(await waitingFor(sku)).toBe(0);
  });

  it("tells shoppers in sign-up order, and only those who waited when the stock came back", async () => {
    const sku = await soldOut();
    const t0 = Date.now();
    const emails = [0, 1, 2].map((i) => `order${i}-${crypto.randomUUID()}@example.com`);
    // Signed up in order 0, 1, 2 (one millisecond apart).
    for (const [i, email] of [...emails.entries()].reverse()) {
      await signUpForBackInStock(env, { sku, email, customerId: null }, t0 + i);
    }
    const back = newEvent(
      "InventoryAdjusted",
      `sku:${sku}`,
      {
        sku,
        reason: "restock",
        delta: 3,
        actor: "staff",
        orderId: null,
        before: { onHand: 0, reserved: 0, available: 0 },
        after: { onHand: 3, reserved: 0, available: 3 },
      },
      t0 + 5,
    );
    await notify(back, httpEnv);
    const seqs = await Promise.all(emails.map(async (e) => (await received(e)).map((r) => r.seq)));
    expect(seqs.every((s) => s.length === 1)).toBe(true);
    expect(seqs.flat()).toEqual([...seqs.flat()].sort((a, b) => a - b));

    // Someone who signs up later waits for the next time the SKU comes back.
    const late = `late-${crypto.randomUUID()}@example.com`;
    await signUpForBackInStock(env, { sku, email: late, customerId: null }, back.occurredAt + 1);
    await notify(back, httpEnv);
    expect(await received(late)).toEqual([]);
    // …and the event delivered again tells nobody twice.
    for (const e of emails) expect(await received(e)).toHaveLength(1);
  });
});
