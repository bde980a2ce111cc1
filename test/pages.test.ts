import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { purgeTags } from "../src/services/catalog/catalog-cache";
import { type Fixture, insertProducts } from "./catalog-fixtures";
import { call } from "./helpers";

const FIXTURES: Fixture[] = [
  { sku: "PG-001", name: "Sea Glass Drift", material: "glass", colour: "blue", priceCents: 3400, available: 25 },
  { sku: "PG-002", name: "Midnight Onyx", material: "stone", colour: "black", priceCents: 4500, available: 2 },
  { sku: "PG-003", name: "Forest Jade", material: "stone", colour: "green", priceCents: 6200, available: 0 },
  { sku: "PG-004", name: "Copper Braid", material: "metal", colour: "copper", priceCents: 3900, available: 30 },
  { sku: "PG-005", name: "Lavender Fields", material: "glass", colour: "purple", priceCents: 2900, available: 40 },
  { sku: "PG-090", name: "Retired Rope", material: "hemp", colour: "beige", priceCents: 1000, active: false },
];

async function page(path: string, headers: Record<string, string> = {}) {
  const res = await call<string>("GET", path, { headers });
  return { ...res, html: String(res.body) };
}

/** The product names in the grid, in order. */
const gridNames = (html: string) => [...html.matchAll(/class="product-card-name">([^<]+)</g)].map((m) => m[1]);

beforeAll(async () => {
  await insertProducts(FIXTURES);
});

describe("storefront pages", () => {
  it("renders the catalog with every active product's name, price and availability", async () => {
    const res = await page("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.html.startsWith("<!doctype html>")).toBe(true);
    expect(gridNames(res.html)).toEqual([
      "Copper Braid",
      "Forest Jade",
      "Lavender Fields",
      "Midnight Onyx",
      "Sea Glass Drift",
    ]);
    expect(res.html).toContain("€34.00");
    expect(res.html).toContain("€62.00");
    expect(res.html).toContain("2 left");
    expect(res.html).toContain("Sold out");
    expect(res.html).toContain('href="/products/PG-002"');
    expect(res.html).toContain('src="/images/PG-002.svg"');
    expect(res.html).not.toContain("Retired Rope");
    expect(res.html).toMatch(/<form[^>]*method="get"[^>]*action="\/"/);
  });

  it("reflects the search, filters and sort in the results and in the form", async () => {
    const res = await page("/?q=&material=stone&sort=-price");
    expect(res.status).toBe(200);
    expect(gridNames(res.html)).toEqual(["Forest Jade", "Midnight Onyx"]);
    expect(res.html).toContain('<option value="stone" selected>stone</option>');
    expect(res.html).toContain('<option value="-price" selected>');
    expect(res.html).toContain('href="/">Clear filters</a>');
    const search = await page("/?q=lavender");
    expect(gridNames(search.html)).toEqual(["Lavender Fields"]);
    expect(search.html).toMatch(/<input type="search" name="q" value="lavender"/);
    const colour = await page("/?colour=copper");
    expect(gridNames(colour.html)).toEqual(["Copper Braid"]);
    expect(colour.html).toContain('<option value="copper" selected>copper</option>');
  });

  it("says so when nothing matches", async () => {
    const res = await page("/?q=unobtainium");
    expect(res.status).toBe(200);
    expect(gridNames(res.html)).toEqual([]);
    expect(res.html).toContain("No bracelets match");
  });

  it("links to the next page and back again, keeping the filters", async () => {
    const first = await page("/?limit=2");
    expect(gridNames(first.html)).toEqual(["Copper Braid", "Forest Jade"]);
    expect(first.html).not.toContain('rel="prev"');
    const next = first.html.match(/rel="next" href="([^"]+)"/)?.[1]?.replaceAll("&amp;", "&");
    expect(next).toMatch(/^\/\?cursor=[\w-]+&limit=2$/);
    const second = await page(next!);
    expect(gridNames(second.html)).toEqual(["Lavender Fields", "Midnight Onyx"]);
    const prev = second.html.match(/rel="prev" href="([^"]+)"/)?.[1]?.replaceAll("&amp;", "&");
    const back = await page(prev!);
    expect(gridNames(back.html)).toEqual(["Copper Braid", "Forest Jade"]);
    expect(back.html).not.toContain('rel="prev"');
    const filtered = await page("/?material=glass&limit=1");
    expect(filtered.html).toMatch(/rel="next" href="\/\?cursor=[\w-]+&amp;limit=1&amp;material=glass"/);
  });

  it("answers a search it cannot read with a 400 page naming the parameter", async () => {
    const res = await page("/?sort=bogus");
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.html).toContain("<strong>sort</strong>");
  });

  it("renders a product page with its details, availability and the add-to-cart island", async () => {
    const res = await page("/products/PG-002");
    expect(res.status).toBe(200);
    expect(res.html).toContain("<h1>Midnight Onyx</h1>");
    expect(res.html).toContain("€45.00");
    expect(res.html).toContain("Midnight Onyx, handmade.");
    expect(res.html).toContain("<dd>stone</dd>");
    expect(res.html).toContain("<dd>black</dd>");
    expect(res.html).toContain('alt="Midnight Onyx, a black stone bracelet"');
    expect(res.html).toContain('data-island="LiveStock"');
    expect(res.html).toContain("2 left");
    expect(res.html).toContain('data-island="AddToCart"');
    expect(res.html).toMatch(/<button type="submit" disabled[^>]*>Add to cart<\/button>/);
  });

  it("shows a sold-out product with a disabled Sold out button", async () => {
    const res = await page("/products/PG-003");
    expect(res.status).toBe(200);
    expect(res.html).toMatch(/<button type="submit" disabled[^>]*>Sold out<\/button>/);
  });

  it.each([
    ["an unknown product", "/products/PG-404"],
    ["an inactive product", "/products/PG-090"],
    ["an unknown page", "/no/such/page"],
  ])("answers %s with an HTML 404 page", async (_, path) => {
    const res = await page(path);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.html).toContain("<h1>Not found</h1>");
    expect(res.headers.get("x-cache")).toBeNull();
  });

  it("keeps the JSON 404 envelope for unknown API paths", async () => {
    const res = await call("GET", "/api/no-such-thing");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: "not_found", message: expect.any(String) } });
  });

  it("caches catalog and product pages with the catalog tags and refreshes them on a purge", async () => {
    const miss = await page("/products/PG-004");
    expect(miss.headers.get("x-cache")).toBe("MISS");
    expect(miss.headers.get("cache-tag")).toBe("pages,product:PG-004");
    const hit = await page("/products/PG-004", { "if-none-match": miss.headers.get("etag")! });
    expect(hit.status).toBe(304);
    expect(hit.headers.get("x-cache")).toBe("HIT");
    const list = await page("/?material=metal");
    expect(list.headers.get("cache-tag")).toBe("pages,catalog,product:PG-004");
    expect((await page("/?material=metal")).headers.get("x-cache")).toBe("HIT");
    await purgeTags(env, ["product:PG-004"]);
    expect((await page("/products/PG-004")).headers.get("x-cache")).toBe("MISS");
    expect((await page("/?material=metal")).headers.get("x-cache")).toBe("MISS");
  });

  it("renders the same anonymous header for a signed-in cookie, and never a per-user link", async () => {
    const res = await page("/?colour=purple", { cookie: "__Host-sid=whoever" });
    expect(res.status).toBe(200);
    expect(res.html).toContain('data-island="AccountMenu"');
    expect(res.html).toContain('href="/account/login"');
    expect(res.html).not.toContain('href="/account"');
    expect(res.html).not.toContain('href="/admin"');
  });

  it("serves the cart page as a shell the cart island fills in the browser", async () => {
    const res = await page("/cart");
    expect(res.status).toBe(200);
    expect(res.html).toContain("<h1>Your cart</h1>");
    expect(res.html).toMatch(/data-island="CartView"[^>]*data-client-only="1"/);
    expect(res.headers.get("x-cache")).toBeNull();
  });
});
