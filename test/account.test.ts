import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../src/db/client";
import { customers, invoices, notifications, orderItems, orders } from "../src/db/schema";
import { encodeCursor } from "../src/lib/cursor";
import { signUp, type TestAccount, withCookie } from "./auth-helpers";
import { call, waitFor } from "./helpers";

const db = getDb(env.DB);
const address = {
  name: "Ada Lovelace",
  line1: "1 Analytical Row",
  city: "London",
  postalCode: "N1 9GU",
  country: "GB",
};
const get = (path: string, who: TestAccount) => call("GET", path, { headers: withCookie(who.sid) });

let invoiceNumber = 1000;

async function insertOrder(customerId: string | null, email: string, createdAt: number, skus = ["BR-001"]) {
  const id = `ord_${crypto.randomUUID()}`;
  await db.batch([
    db.insert(orders).values({
      id,
      customerId,
      email,
      status: "confirmed",
      version: 4,
      subtotalCents: 2500 * skus.length,
      shippingCents: 495,
      taxCents: 600,
      totalCents: 2500 * skus.length + 1095,
      currency: "EUR",
      shippingAddress: address,
      accessTokenHash: "secret-hash",
      ip: "203.0.113.9",
      riskScore: 12,
      riskReasons: ["velocity_email"],
      timeline: [{ version: 1, status: "reserved", at: createdAt }],
      createdAt,
      updatedAt: createdAt,
    }),
    db.insert(orderItems).values(
      skus.map((sku) => ({
        orderId: id,
        sku,
        name: `Bracelet ${sku}`,
        qty: 1,
        unitPriceCents: 2500,
        lineTotalCents: 2500,
      })),
    ),
  ]);
  return id;
}

async function insertInvoice(customerId: string | null, email: string, issuedAt: number) {
  const id = `inv_${crypto.randomUUID()}`;
  await db.insert(invoices).values({
    id,
    number: invoiceNumber++,
    customerId,
    email,
    lines: [{ description: "Monthly box", qty: 1, unitPriceCents: 1900, lineTotalCents: 1900 }],
    subtotalCents: 1900,
    taxCents: 380,
    totalCents: 2280,
    currency: "EUR",
    status: "paid",
    issuedAt,
  });
  return id;
}

async function insertNotification(audience: "customer" | "staff", customerId: string | null, createdAt: number) {
  const id = `ntf_${crypto.randomUUID()}`;
  await db.insert(notifications).values({
    id,
    audience,
    customerId,
    recipient: audience === "customer" ? "someone@example.com" : "staff",
    template: "order_confirmed",
    subject: "Your order",
    body: "Thanks",
    eventId: `evt_${crypto.randomUUID()}`,
    createdAt,
  });
  return id;
}

describe("profile", () => {
  it("shows the signed-in customer's profile", async () => {
    const user = await signUp({ name: "Ada" });
    const res = await get("/api/account/profile", user);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      profile: {
        id: user.id,
        email: user.email,
        name: "Ada",
        role: "customer",
        shippingAddress: null,
        createdAt: expect.any(Number),
      },
    });
  });

  it("saves a name and a shipping address, and forgets the address when sent null", async () => {
    const user = await signUp();
    const full = { ...address, line2: "Flat 2", region: "Greater London", phone: "+44 20 7946 0000" };
    const res = await call("PATCH", "/api/account/profile", {
      body: { name: " Ada L ", shippingAddress: full },
      headers: withCookie(user.sid),
    });
    expect(res.status).toBe(200);
    expect(res.body.profile).toMatchObject({ name: "Ada L", shippingAddress: full });
    const row = await db.select().from(customers).where(eq(customers.id, user.id)).get();
    expect(row).toMatchObject({ name: "Ada L", shippingAddress: full });

    const cleared = await call("PATCH", "/api/account/profile", {
      body: { shippingAddress: null },
      headers: withCookie(user.sid),
    });
    expect(cleared.body.profile).toMatchObject({ name: "Ada L", shippingAddress: null });
    expect((await db.select().from(customers).where(eq(customers.id, user.id)).get())?.shippingAddress).toBeNull();
  });

  it("refuses a bad country, an empty patch and fields the profile does not have, changing nothing", async () => {
    const user = await signUp({ name: "Before" });
    for (const body of [
      { shippingAddress: { ...address, country: "UK" } },
      { shippingAddress: { ...address, country: "XX" } },
      { shippingAddress: { ...address, postalCode: undefined } },
      {},
      { email: "new@example.com" },
      { role: "admin" },
      { name: "After", role: "admin" },
    ]) {
      const res = await call("PATCH", "/api/account/profile", { body, headers: withCookie(user.sid) });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
    }
    const row = await db.select().from(customers).where(eq(customers.id, user.id)).get();
    expect(row).toMatchObject({ name: "Before", role: "customer", email: user.email, shippingAddress: null });
  });

  it("answers every account endpoint with 401 when nobody is signed in", async () => {
    for (const path of ["/profile", "/orders", "/invoices", "/notifications"]) {
      const res = await call("GET", `/api/account${path}`);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("unauthorized");
    }
    expect((await call("PATCH", "/api/account/profile", { body: { name: "X" } })).status).toBe(401);
  });
});

describe("own records only", () => {
  it("lists only the caller's orders, newest first, with their lines and without internal fields", async () => {
    const ada = await signUp();
    const bob = await signUp();
    const t = Date.now();
    const adaOld = await insertOrder(ada.id, ada.email, t - 3000);
    const adaNew = await insertOrder(ada.id, ada.email, t - 1000, ["BR-002", "BR-003"]);
    const bobs = await insertOrder(bob.id, bob.email, t - 2000);
    // A guest order placed with Ada's email is not hers to see: nothing proved she owns that address then.
    const guest = await insertOrder(null, ada.email, t);

    const res = await get("/api/account/orders", ada);
    expect(res.status).toBe(200);
    expect(res.body.orders.map((o: any) => o.id)).toEqual([adaNew, adaOld]);
    expect(res.body.nextCursor).toBeNull();
    const newest = res.body.orders[0];
    expect(newest).toMatchObject({
      status: "confirmed",
      version: 4,
      email: ada.email,
      shippingAddress: address,
      totals: { subtotalCents: 5000, shippingCents: 495, taxCents: 600, totalCents: 6095, currency: "EUR" },
      items: [
        { sku: "BR-002", name: "Bracelet BR-002", qty: 1, unitPriceCents: 2500, lineTotalCents: 2500 },
        { sku: "BR-003", name: "Bracelet BR-003", qty: 1, unitPriceCents: 2500, lineTotalCents: 2500 },
      ],
      timeline: [{ version: 1, status: "reserved", at: t - 1000 }],
    });
    for (const secret of ["accessTokenHash", "ip", "riskScore", "riskReasons", "customerId"]) {
      expect(newest).not.toHaveProperty(secret);
    }

    const bobsView = await get("/api/account/orders", bob);
    expect(bobsView.body.orders.map((o: any) => o.id)).toEqual([bobs]);
    expect(JSON.stringify(bobsView.body)).not.toContain(adaNew);
    expect(JSON.stringify(res.body)).not.toContain(guest);
  });

  it("pages through orders with an opaque cursor", async () => {
    const ada = await signUp();
    const t = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.unshift(await insertOrder(ada.id, ada.email, t - 10_000 + i));
    // Two orders in the same millisecond are ordered by id, so none is skipped or repeated.
    const tied = [await insertOrder(ada.id, ada.email, t - 20_000), await insertOrder(ada.id, ada.email, t - 20_000)];
    ids.push(...tied.sort().reverse());

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : "?limit=2";
      const res = await get(`/api/account/orders${query}`, ada);
      expect(res.status).toBe(200);
      expect(res.body.orders.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.orders.map((o: any) => o.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(ids);
    expect(pages).toBe(4);
  });

  it("refuses a cursor it did not hand out and an out-of-range limit with 400", async () => {
    const ada = await signUp();
    for (const query of ["?cursor=garbage", "?cursor=", "?limit=0", "?limit=51", "?limit=ten"]) {
      const res = await get(`/api/account/orders${query}`, ada);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
    }
    // A well-formed cursor only moves the window within the caller's own rows.
    const res = await get(`/api/account/orders?cursor=${encodeCursor({ at: Date.now() + 60_000, id: "zzz" })}`, ada);
    expect(res.body).toEqual({ orders: [], nextCursor: null });
  });

  it("lists only the caller's invoices", async () => {
    const ada = await signUp();
    const bob = await signUp();
    const t = Date.now();
    const adaFirst = await insertInvoice(ada.id, ada.email, t - 2000);
    const adaSecond = await insertInvoice(ada.id, ada.email, t - 1000);
    const bobs = await insertInvoice(bob.id, bob.email, t);
    await insertInvoice(null, ada.email, t);

    const res = await get("/api/account/invoices", ada);
    expect(res.status).toBe(200);
    expect(res.body.invoices.map((i: any) => i.id)).toEqual([adaSecond, adaFirst]);
    expect(res.body.invoices[0]).toMatchObject({
      email: ada.email,
      totalCents: 2280,
      currency: "EUR",
      status: "paid",
      lines: [{ description: "Monthly box", qty: 1, unitPriceCents: 1900, lineTotalCents: 1900 }],
    });
    expect((await get("/api/account/invoices", bob)).body.invoices.map((i: any) => i.id)).toEqual([bobs]);
  });

  it("lists only the caller's customer notifications, never staff alerts", async () => {
    const ada = await signUp();
    const bob = await signUp();
    // Signing up sends a real welcome through the bus; wait for Ada's so the list below is settled.
    const welcome = await waitFor("Ada's welcome message", async () => {
      const res = await get("/api/account/notifications", ada);
      return res.body.notifications.find((n: { template: string }) => n.template === "welcome");
    });
    const t = Date.now();
    const adas = await insertNotification("customer", ada.id, t - 1000);
    await insertNotification("staff", ada.id, t);
    await insertNotification("customer", bob.id, t);

    const res = await get("/api/account/notifications", ada);
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.notifications.map((n: { id: string }) => n.id).sort()).toEqual([adas, welcome.id].sort());
    expect(res.body.notifications.find((n: { id: string }) => n.id === adas)).toEqual({
      id: adas,
      channel: "email",
      template: "order_confirmed",
      recipient: "someone@example.com",
      subject: "Your order",
      body: "Thanks",
      html: null,
      status: "pending",
      createdAt: t - 1000,
    });
    expect(welcome.recipient).toBe(ada.email);
  });
});
