import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { getDb } from "../src/db/client";
import { cacheTags, products } from "../src/db/schema";
import type { AppEnv } from "../src/http/app-env";
import { CATALOG_CACHE_CONTROL, pruneCacheTags, purgeTags, serveCached } from "../src/services/catalog/catalog-cache";
import { freshSku, insertProducts } from "./catalog-fixtures";
import { call } from "./helpers";

const db = getDb(env.DB);
/** A material no other test uses, so a listing filtered by it holds only this test's products. */
const freshMaterial = () => `m${crypto.randomUUID().slice(0, 8)}`;

async function setPrice(sku: string, priceCents: number) {
  await db.update(products).set({ priceCents }).where(eq(products.sku, sku));
}

describe("catalog cache", () => {
  it("answers a first request as a MISS and the repeat as a HIT with the same body, ETag and cache headers", async () => {
    const sku = freshSku();
    await insertProducts([{ sku, name: "Cached Cord", material: freshMaterial(), colour: "red", priceCents: 1500 }]);
    const miss = await call("GET", `/api/products/${sku}`);
    expect(miss.status).toBe(200);
    expect(miss.headers.get("x-cache")).toBe("MISS");
    expect(miss.headers.get("cache-control")).toBe(CATALOG_CACHE_CONTROL);
    expect(miss.headers.get("cache-tag")).toBe(`product:${sku}`);
    expect(miss.headers.get("etag")).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    const hit = await call("GET", `/api/products/${sku}`);
    expect(hit.status).toBe(200);
    expect(hit.headers.get("x-cache")).toBe("HIT");
    expect(hit.headers.get("etag")).toBe(miss.headers.get("etag"));
    expect(hit.headers.get("content-type")).toContain("application/json");
    expect(hit.body).toEqual(miss.body);
    const rows = await db
      .select()
      .from(cacheTags)
      .where(eq(cacheTags.tag, `product:${sku}`));
    expect(rows.map((r) => r.url)).toEqual([`http://localhost/api/products/${sku}`]);
  });

  it("answers a HIT without reading D1: a row changed after the MISS still shows the cached body", async () => {
    const sku = freshSku();
    const material = freshMaterial();
    await insertProducts([{ sku, name: "Stale Strand", material, colour: "blue", priceCents: 2000 }]);
    const listing = `/api/products?material=${material}`;
    expect((await call("GET", `/api/products/${sku}`)).headers.get("x-cache")).toBe("MISS");
    expect((await call("GET", listing)).headers.get("x-cache")).toBe("MISS");
    await db.delete(products).where(eq(products.sku, sku));
    const detail = await call("GET", `/api/products/${sku}`);
    expect(detail.headers.get("x-cache")).toBe("HIT");
    expect(detail.body.priceCents).toBe(2000);
    const list = await call("GET", listing);
    expect(list.headers.get("x-cache")).toBe("HIT");
    expect(list.body.items.map((p: { sku: string }) => p.sku)).toEqual([sku]);
  });

  it("answers 304 with an empty body to a matching If-None-Match, on a MISS and on a HIT", async () => {
    const sku = freshSku();
    await insertProducts([{ sku, name: "Etag Loop", material: freshMaterial(), colour: "green", priceCents: 900 }]);
    const first = await call("GET", `/api/products/${sku}`);
    const etag = first.headers.get("etag")!;
    const hit = await call("GET", `/api/products/${sku}`, { headers: { "if-none-match": etag } });
    expect(hit.status).toBe(304);
    expect(hit.body).toBeNull();
    expect(hit.headers.get("x-cache")).toBe("HIT");
    expect(hit.headers.get("etag")).toBe(etag);
    await purgeTags(env, [`product:${sku}`]);
    const miss = await call("GET", `/api/products/${sku}`, { headers: { "if-none-match": `"other", W/${etag}` } });
    expect(miss.status).toBe(304);
    expect(miss.body).toBeNull();
    expect(miss.headers.get("x-cache")).toBe("MISS");
    const stale = await call("GET", `/api/products/${sku}`, { headers: { "if-none-match": '"not-it"' } });
    expect(stale.status).toBe(200);
    expect(stale.body.sku).toBe(sku);
  });

  it("makes the detail and every listing containing a product MISS with fresh data after purging product:<sku>", async () => {
    const sku = freshSku();
    const other = freshSku();
    const material = freshMaterial();
    await insertProducts([
      { sku, name: "Purged Plait", material, colour: "gold", priceCents: 3000 },
      { sku: other, name: "Other Plait", material, colour: "silver", priceCents: 3100 },
    ]);
    const listing = `/api/products?material=${material}`;
    const otherListing = `/api/products?material=${material}&colour=silver`;
    await call("GET", `/api/products/${sku}`);
    const before = await call("GET", listing);
    // Sorted by name: "Other Plait" comes first.
    expect(before.headers.get("cache-tag")).toBe(`catalog,product:${other},product:${sku}`);
    await call("GET", otherListing);
    await setPrice(sku, 3500);
    await purgeTags(env, [`product:${sku}`]);

    const detail = await call("GET", `/api/products/${sku}`);
    expect(detail.headers.get("x-cache")).toBe("MISS");
    expect(detail.body.priceCents).toBe(3500);
    const list = await call("GET", listing);
    expect(list.headers.get("x-cache")).toBe("MISS");
    expect(list.body.items.find((p: { sku: string }) => p.sku === sku).priceCents).toBe(3500);
    expect(list.headers.get("etag")).not.toBe(before.headers.get("etag"));
    // A listing that does not show the product keeps its entry.
    expect((await call("GET", otherListing)).headers.get("x-cache")).toBe("HIT");
    // The purge forgot the purged URLs' rows; the rebuilt entries registered themselves again.
    const rows = await db
      .select()
      .from(cacheTags)
      .where(eq(cacheTags.tag, `product:${sku}`));
    expect(rows.map((r) => r.url).sort()).toEqual(
      [`http://localhost/api/products/${sku}`, `http://localhost${listing}`].sort(),
    );
  });

  it("shows a new product in an empty listing once the catalog tag is purged", async () => {
    const material = freshMaterial();
    const empty = await call("GET", `/api/products?material=${material}`);
    expect(empty.body.items).toEqual([]);
    expect(empty.headers.get("cache-tag")).toBe("catalog");
    const sku = freshSku();
    await insertProducts([{ sku, name: "Newcomer", material, colour: "white", priceCents: 1200 }]);
    expect((await call("GET", `/api/products?material=${material}`)).body.items).toEqual([]);
    await purgeTags(env, ["catalog", `product:${sku}`]);
    const after = await call("GET", `/api/products?material=${material}`);
    expect(after.headers.get("x-cache")).toBe("MISS");
    expect(after.body.items.map((p: { sku: string }) => p.sku)).toEqual([sku]);
  });

  it("shares one entry between equivalent URLs: parameter order, defaults, unknown parameters, filter case", async () => {
    const material = freshMaterial();
    await insertProducts([{ sku: freshSku(), name: "Normal Form", material, colour: "black", priceCents: 800 }]);
    const first = await call("GET", `/api/products?material=${material}&colour=black&sort=price`);
    expect(first.headers.get("x-cache")).toBe("MISS");
    const same = await call(
      "GET",
      `/api/products?utm_source=mail&sort=price&colour=BLACK&limit=12&q=&material=${material.toUpperCase()}`,
    );
    expect(same.headers.get("x-cache")).toBe("HIT");
    expect(same.body).toEqual(first.body);
    const rows = await db.select().from(cacheTags).where(eq(cacheTags.tag, "catalog"));
    expect(rows.map((r) => r.url)).toContain(
      `http://localhost/api/products?colour=black&material=${material}&sort=price`,
    );
  });

  it("does not cache a 404: a product added later is found without a purge", async () => {
    const sku = freshSku();
    const missing = await call("GET", `/api/products/${sku}`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("x-cache")).toBeNull();
    await insertProducts([{ sku, name: "Late Arrival", material: freshMaterial(), colour: "red", priceCents: 700 }]);
    const found = await call("GET", `/api/products/${sku}`);
    expect(found.status).toBe(200);
    expect(found.headers.get("x-cache")).toBe("MISS");
  });

  it("answers a HIT with this request's id, not the id of the request that filled the cache", async () => {
    const sku = freshSku();
    await insertProducts([{ sku, name: "Own Id", material: freshMaterial(), colour: "red", priceCents: 700 }]);
    const miss = await call("GET", `/api/products/${sku}`);
    const hit = await call("GET", `/api/products/${sku}`, { headers: { cookie: "__Host-sid=someone" } });
    expect(hit.headers.get("x-cache")).toBe("HIT");
    expect(hit.headers.get("x-request-id")).toBeTruthy();
    expect(hit.headers.get("x-request-id")).not.toBe(miss.headers.get("x-request-id"));
    expect(hit.headers.get("set-cookie")).toBeNull();
  });

  it("drops a response that was being built while a purge of its tags ran", async () => {
    const tag = `race:${crypto.randomUUID()}`;
    let version = 0;
    const app = new Hono<AppEnv>().get("/race", (c) =>
      serveCached(c, `http://localhost/race/${tag}`, async () => {
        version += 1;
        // The data is read, then a writer commits and purges before the entry is stored.
        if (version === 1) await purgeTags(env, [tag]);
        return { body: `v${version}`, contentType: "text/plain", tags: [tag] };
      }),
    );
    const first = await app.request("/race", {}, env);
    expect(first.headers.get("x-cache")).toBe("MISS");
    const second = await app.request("/race", {}, env);
    expect(second.headers.get("x-cache")).toBe("MISS");
    expect(await second.text()).toBe("v2");
    const third = await app.request("/race", {}, env);
    expect(third.headers.get("x-cache")).toBe("HIT");
    expect(await third.text()).toBe("v2");
  });

  it("prunes tag rows whose entries expired long ago and keeps recent ones", async () => {
    const now = Date.now();
    const old = `http://localhost/old/${crypto.randomUUID()}`;
    const recent = `http://localhost/recent/${crypto.randomUUID()}`;
    await db.insert(cacheTags).values([
      { tag: "prune-test", url: old, cachedAt: now - 60 * 60_000 },
      { tag: "prune-test", url: recent, cachedAt: now - 60_000 },
    ]);
    await pruneCacheTags(env, now);
    const rows = await db.select().from(cacheTags).where(eq(cacheTags.tag, "prune-test"));
    expect(rows.map((r) => r.url)).toEqual([recent]);
  });

  it("asks Workers Caching to purge the same tags when the context offers it", async () => {
    const purged: unknown[] = [];
    const ctx = { cache: { purge: async (o: unknown) => void purged.push(o) } } as unknown as ExecutionContext;
    await purgeTags(env, ["catalog", "product:BR-X", "catalog"], ctx);
    expect(purged).toEqual([{ tags: ["catalog", "product:BR-X"] }]);
  });
});
