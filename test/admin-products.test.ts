import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../src/db/client";
import { products } from "../src/db/schema";
import { accountWithSession, type TestAccount, withCookie } from "./auth-helpers";
import { call } from "./helpers";

const db = getDb(env.DB);

const newSku = () => `T-${crypto.randomUUID().slice(0, 8).toUpperCase()}`;
const bracelet = (sku: string) => ({
  sku,
  name: "Tide Line",
  description: "Sea glass on waxed cord",
  material: "glass",
  colour: "teal",
  priceCents: 3400,
  initialStock: 7,
});
const create = (admin: TestAccount, body: unknown) =>
  call("POST", "/api/admin/products", { body, headers: withCookie(admin.sid) });
const patch = (admin: TestAccount, sku: string, body: unknown) =>
  call("PATCH", `/api/admin/products/${sku}`, { body, headers: withCookie(admin.sid) });
const row = (sku: string) => db.select().from(products).where(eq(products.sku, sku)).get();

describe("admin products", () => {
  it("creates a product with its opening stock in the snapshot columns", async () => {
    const admin = await accountWithSession("admin");
    const sku = newSku();
    const res = await create(admin, bracelet(sku));
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      sku,
      name: "Tide Line",
      description: "Sea glass on waxed cord",
      material: "glass",
      colour: "teal",
      priceCents: 3400,
      currency: "EUR",
      imageUrl: "",
      active: true,
      lowStockThreshold: 3,
      stockOnHand: 7,
      stockReserved: 0,
      stockAvailable: 7,
      createdAt: expect.any(Number),
      updatedAt: expect.any(Number),
    });
    expect(await row(sku)).toEqual(res.body);
  });

  it("creates an inactive product that the admin list shows and the public catalog does not", async () => {
    const admin = await accountWithSession("admin");
    const sku = newSku();
    const res = await create(admin, {
      ...bracelet(sku),
      active: false,
      imageUrl: "/images/BR-001.svg",
      lowStockThreshold: 5,
      currency: "EUR",
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ active: false, imageUrl: "/images/BR-001.svg", lowStockThreshold: 5 });

    const list = await call("GET", "/api/admin/products", { headers: withCookie(admin.sid) });
    expect(list.status).toBe(200);
    expect(list.body.products.find((p: any) => p.sku === sku)).toMatchObject({ active: false, stockOnHand: 7 });
    const skus = list.body.products.map((p: any) => p.sku);
    expect(skus).toEqual([...skus].sort());
    expect((await call("GET", `/api/products/${sku}`)).status).toBe(404);
  });

  it("refuses a second product with the same SKU with 409 conflict and keeps the first", async () => {
    const admin = await accountWithSession("admin");
    const sku = newSku();
    expect((await create(admin, bracelet(sku))).status).toBe(201);
    const again = await create(admin, { ...bracelet(sku), name: "Impostor", priceCents: 1 });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ error: { code: "conflict", message: expect.any(String), details: { sku } } });
    expect(await row(sku)).toMatchObject({ name: "Tide Line", priceCents: 3400 });
  });

  it("refuses invalid products with 400 validation_failed naming the field, and stores nothing", async () => {
    const admin = await accountWithSession("admin");
    const sku = newSku();
    const cases: [Record<string, unknown>, string][] = [
      [{ sku: "br-001" }, "sku"],
      [{ sku: "AB" }, "sku"],
      [{ sku: "A".repeat(33) }, "sku"],
      [{ sku: "BR 001" }, "sku"],
      [{ priceCents: -100 }, "priceCents"],
      [{ priceCents: 0 }, "priceCents"],
      [{ priceCents: 12.5 }, "priceCents"],
      [{ priceCents: 10_000_001 }, "priceCents"],
      [{ priceCents: "3400" }, "priceCents"],
      [{ initialStock: -1 }, "initialStock"],
      [{ initialStock: 100_001 }, "initialStock"],
      [{ name: "" }, "name"],
      [{ imageUrl: "javascript:alert(1)" }, "imageUrl"],
      [{ imageUrl: "//evil.example/x.png" }, "imageUrl"],
      [{ currency: "usd" }, "currency"],
      [{ currency: "USD" }, "currency"],
      [{ stockReserved: 3 }, "stockReserved"],
      [{ onHand: 3 }, "onHand"],
    ];
    for (const [override, path] of cases) {
      const res = await create(admin, { ...bracelet(sku), ...override });
      expect({ override, status: res.status, code: res.body.error?.code }).toEqual({
        override,
        status: 400,
        code: "validation_failed",
      });
      expect(res.body.error.details.map((d: any) => d.path)).toContain(path);
    }
    const { description: _, ...withoutDescription } = bracelet(sku);
    expect((await create(admin, withoutDescription)).status).toBe(400);
    expect(await row(sku)).toBeUndefined();
  });

  it("edits name, price, activity and threshold and answers with the product", async () => {
    const admin = await accountWithSession("admin");
    const sku = newSku();
    const created = await create(admin, bracelet(sku));
    const res = await patch(admin, sku, {
      name: "Tide Line II",
      priceCents: 3900,
      active: false,
      lowStockThreshold: 1,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      sku,
      name: "Tide Line II",
      priceCents: 3900,
      active: false,
      lowStockThreshold: 1,
    });
    expect(res.body.updatedAt).toBeGreaterThanOrEqual(created.body.updatedAt);
    expect(await row(sku)).toEqual(res.body);
  });

  it("refuses stock edits, unknown fields, bad values and empty patches, changing nothing", async () => {
    const admin = await accountWithSession("admin");
    const sku = newSku();
    const before = (await create(admin, bracelet(sku))).body;
    for (const body of [
      {},
      { stockOnHand: 100 },
      { initialStock: 100 },
      { sku: "OTHER-1" },
      { priceCents: -1 },
      { active: "yes" },
      { name: "Fine", colour: "" },
    ]) {
      const res = await patch(admin, sku, body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
    }
    expect(await row(sku)).toEqual(before);
  });

  it("answers an edit of an unknown SKU with 404 not_found", async () => {
    const admin = await accountWithSession("admin");
    const res = await patch(admin, "NOPE-404", { name: "Ghost" });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
    expect(await row("NOPE-404")).toBeUndefined();
  });

  it("purges the cached catalog responses when a product is edited", async () => {
    const admin = await accountWithSession("admin");
    const sku = newSku();
    const token = `tide${sku.slice(2).toLowerCase()}`;
    expect((await create(admin, { ...bracelet(sku), description: `Sea glass ${token}` })).status).toBe(201);

    const first = await call("GET", `/api/products/${sku}`);
    expect(first.status).toBe(200);
    expect(first.body.priceCents).toBe(3400);
    expect((await call("GET", `/api/products/${sku}`)).headers.get("x-cache")).toBe("HIT");
    const listed = async () => {
      const res = await call("GET", `/api/products?q=${token}`);
      expect(res.status).toBe(200);
      return { cache: res.headers.get("x-cache"), items: res.body.items };
    };
    expect((await listed()).items.map((p: any) => p.sku)).toEqual([sku]);
    expect((await listed()).cache).toBe("HIT");

    expect((await patch(admin, sku, { priceCents: 4100, name: "Tide Line Deluxe" })).status).toBe(200);

    const after = await call("GET", `/api/products/${sku}`);
    expect(after.headers.get("x-cache")).toBe("MISS");
    expect(after.body).toMatchObject({ sku, priceCents: 4100, name: "Tide Line Deluxe" });
    const list = await listed();
    expect(list.cache).toBe("MISS");
    expect(list.items).toEqual([expect.objectContaining({ sku, priceCents: 4100 })]);

    expect((await patch(admin, sku, { active: false })).status).toBe(200);
    expect((await call("GET", `/api/products/${sku}`)).status).toBe(404);
    expect((await listed()).items).toEqual([]);
  });

  it("purges the catalog listing when a product is created", async () => {
    const admin = await accountWithSession("admin");
    const sku = newSku();
    const token = `fresh${sku.slice(2).toLowerCase()}`;
    await call("GET", `/api/products?q=${token}`);
    const cached = await call("GET", `/api/products?q=${token}`);
    expect(cached.headers.get("x-cache")).toBe("HIT");
    expect(cached.body.items).toEqual([]);

    expect((await create(admin, { ...bracelet(sku), name: `Fresh ${token}` })).status).toBe(201);
    const res = await call("GET", `/api/products?q=${token}`);
    expect(res.headers.get("x-cache")).toBe("MISS");
    expect(res.body.items.map((p: any) => p.sku)).toEqual([sku]);
  });
});
