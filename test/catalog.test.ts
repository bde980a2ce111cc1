import { beforeAll, describe, expect, it } from "vitest";
import { type Fixture, insertProducts } from "./catalog-fixtures";
import { call } from "./helpers";

// This file's D1 holds exactly these products (storage is isolated per test file).
const FIXTURES: Fixture[] = [
  { sku: "BR-001", name: "Sea Glass Drift", material: "glass", colour: "blue", priceCents: 3400, available: 25 },
  { sku: "BR-002", name: "Amber Ember", material: "amber", colour: "orange", priceCents: 5800, available: 12 },
  { sku: "BR-003", name: "Midnight Onyx", material: "stone", colour: "black", priceCents: 4500, available: 18 },
  { sku: "BR-004", name: "Rose Quartz Whisper", material: "stone", colour: "pink", priceCents: 4200, available: 3 },
  { sku: "BR-005", name: "Forest Jade", material: "stone", colour: "green", priceCents: 6200, available: 0 },
  { sku: "BR-006", name: "Copper Braid", material: "metal", colour: "copper", priceCents: 3900, available: 30 },
  { sku: "BR-007", name: "Silver Moon Chain", material: "metal", colour: "silver", priceCents: 7900, available: 6 },
  { sku: "BR-008", name: "Lavender Fields", material: "glass", colour: "purple", priceCents: 2900, available: 40 },
  { sku: "BR-009", name: "Desert Sunset", material: "wood", colour: "orange", priceCents: 2400, available: 35 },
  {
    sku: "BR-010",
    name: "Olive Grove",
    material: "wood",
    colour: "green",
    priceCents: 2400,
    available: 28,
    description: "Turned from branches pruned in a Cretan grove; 100% olive_wood.",
  },
  { sku: "BR-011", name: "Pearl Harbour", material: "pearl", colour: "white", priceCents: 8900, available: 1 },
  { sku: "BR-012", name: "Lapis Night Sky", material: "stone", colour: "blue", priceCents: 6900, available: 8 },
  { sku: "BR-013", name: "Cherry Leather Wrap", material: "leather", colour: "red", priceCents: 3200, available: 22 },
  { sku: "BR-014", name: "Tiger Eye Strength", material: "stone", colour: "brown", priceCents: 4800, available: 15 },
  { sku: "BR-090", name: "Retired Rope", material: "stone", colour: "grey", priceCents: 1000, active: false },
  { sku: "BR-091", name: "Hidden Hemp", material: "hemp", colour: "beige", priceCents: 1100, active: false },
];
const ACTIVE = FIXTURES.filter((f) => f.active !== false);
const byName = [...ACTIVE].sort((a, b) => (a.name < b.name ? -1 : 1)).map((f) => f.sku);
const byPrice = [...ACTIVE].sort((a, b) => a.priceCents - b.priceCents || (a.sku < b.sku ? -1 : 1)).map((f) => f.sku);

type Item = { sku: string; priceCents: number; name: string };
type Page = { items: Item[]; nextCursor: string | null; facets?: { materials: string[]; colours: string[] } };

const skus = (page: Page) => page.items.map((p) => p.sku);

async function list(query: string): Promise<Page> {
  const res = await call<Page>("GET", `/api/products${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** Follows nextCursor from `query` to the end, returning every SKU in order and the pages seen. */
async function walk(query: string): Promise<{ all: string[]; pages: Page[] }> {
  const pages: Page[] = [];
  let page = await list(query);
  pages.push(page);
  while (page.nextCursor) {
    const sep = query ? "&" : "?";
    page = await list(`${query}${sep}cursor=${page.nextCursor}`);
    pages.push(page);
    if (pages.length > 20) throw new Error("cursor never ended");
  }
  return { all: pages.flatMap(skus), pages };
}

beforeAll(async () => {
  await insertProducts(FIXTURES);
});

describe("GET /api/products", () => {
  it("lists the first 12 active products by name with a cursor for the rest and the facets on sale", async () => {
    const page = await list("");
    expect(skus(page)).toEqual(byName.slice(0, 12));
    expect(page.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(page.facets).toEqual({
      materials: ["amber", "glass", "leather", "metal", "pearl", "stone", "wood"],
      colours: ["black", "blue", "brown", "copper", "green", "orange", "pink", "purple", "red", "silver", "white"],
    });
  });

  it("returns each product in the public shape with available and lowStock from the snapshot", async () => {
    const page = await list("?material=stone&sort=price&limit=50");
    const rose = page.items.find((p) => p.sku === "BR-004");
    expect(rose).toEqual({
      sku: "BR-004",
      name: "Rose Quartz Whisper",
      description: "Rose Quartz Whisper, handmade.",
      material: "stone",
      colour: "pink",
      priceCents: 4200,
      currency: "EUR",
      imageUrl: "/images/BR-004.svg",
      available: 3,
      lowStock: true,
    });
    const jade = page.items.find((p) => p.sku === "BR-005") as unknown as { available: number; lowStock: boolean };
    expect(jade).toMatchObject({ available: 0, lowStock: false });
    const onyx = page.items.find((p) => p.sku === "BR-003") as unknown as { available: number; lowStock: boolean };
    expect(onyx).toMatchObject({ available: 18, lowStock: false });
  });

  it("pages through every active product with the cursor, once each, for every sort", async () => {
    const expected: Record<string, string[]> = {
      name: byName,
      "-name": [...byName].reverse(),
      price: byPrice,
      "-price": [...byPrice].reverse(),
    };
    for (const [sort, order] of Object.entries(expected)) {
      const { all, pages } = await walk(`?sort=${sort}&limit=5`);
      expect(all, sort).toEqual(order);
      expect(pages.map((p) => p.items.length)).toEqual([5, 5, 4]);
      expect(pages.at(-1)?.nextCursor).toBeNull();
      expect(pages[0]?.facets).toBeDefined();
      expect(pages[1]?.facets).toBeUndefined();
    }
  });

  it("breaks price ties by SKU so a page boundary between equal prices loses nothing", async () => {
    // BR-009 and BR-010 share the lowest active price.
    const first = await list("?sort=price&limit=1");
    expect(skus(first)).toEqual(["BR-009"]);
    const second = await list(`?sort=price&limit=1&cursor=${first.nextCursor}`);
    expect(skus(second)).toEqual(["BR-010"]);
    const down = await walk("?sort=-price&limit=13");
    expect(down.all.slice(-2)).toEqual(["BR-010", "BR-009"]);
  });

  it("ends with a null cursor when the last page is exactly full", async () => {
    // Five active stone bracelets: one exactly full page, or five pages of one.
    const single = await walk("?material=stone&limit=5");
    expect(single.pages.map((p) => p.items.length)).toEqual([5]);
    expect(single.pages[0]?.nextCursor).toBeNull();
    const ones = await walk("?material=stone&limit=1");
    expect(ones.pages.map((p) => p.items.length)).toEqual([1, 1, 1, 1, 1]);
    expect(ones.all).toEqual(single.all);
  });

  it("filters by material, by colour, by price range and by all of them together", async () => {
    expect(skus(await list("?material=glass"))).toEqual(["BR-008", "BR-001"]);
    expect(skus(await list("?colour=orange"))).toEqual(["BR-002", "BR-009"]);
    expect(skus(await list("?minPrice=6900&sort=price"))).toEqual(["BR-012", "BR-007", "BR-011"]);
    expect(skus(await list("?maxPrice=2900&sort=price"))).toEqual(["BR-009", "BR-010", "BR-008"]);
    expect(skus(await list("?minPrice=4200&maxPrice=4500&sort=price"))).toEqual(["BR-004", "BR-003"]);
    expect(skus(await list("?material=stone&colour=blue&maxPrice=7000"))).toEqual(["BR-012"]);
    expect(skus(await list("?material=plastic"))).toEqual([]);
  });

  it("matches filters in any letter case, since materials and colours are stored lowercase", async () => {
    expect(skus(await list("?material=Glass&colour=BLUE"))).toEqual(["BR-001"]);
  });

  it("searches names, descriptions, materials and colours with q, every word required", async () => {
    expect(skus(await list("?q=onyx"))).toEqual(["BR-003"]);
    expect(skus(await list("?q=cretan"))).toEqual(["BR-010"]);
    expect(skus(await list("?q=pearl"))).toEqual(["BR-011"]);
    expect(skus(await list("?q=purple"))).toEqual(["BR-008"]);
    expect(skus(await list("?q=stone%20blue"))).toEqual(["BR-012"]);
    expect(skus(await list("?q=%20%20leather%20%20"))).toEqual(["BR-013"]);
    expect(skus(await list("?q=nothing-like-this"))).toEqual([]);
  });

  it("treats % and _ in q as the characters, not as wildcards", async () => {
    expect(skus(await list("?q=100%25"))).toEqual(["BR-010"]);
    expect(skus(await list("?q=olive_wood"))).toEqual(["BR-010"]);
    expect(skus(await list("?q=_"))).toEqual(["BR-010"]);
  });

  it("never lists inactive products, not even when a filter or search names them", async () => {
    const { all } = await walk("?limit=50");
    expect(all).toHaveLength(ACTIVE.length);
    expect(all).not.toContain("BR-090");
    expect(skus(await list("?q=retired"))).toEqual([]);
    expect(skus(await list("?material=hemp"))).toEqual([]);
  });

  it.each([
    ["?sort=price_desc", "sort"],
    ["?sort=stock", "sort"],
    ["?limit=0", "limit"],
    ["?limit=51", "limit"],
    ["?limit=ten", "limit"],
    ["?limit=2.5", "limit"],
    ["?minPrice=-1", "minPrice"],
    ["?maxPrice=cheap", "maxPrice"],
    ["?minPrice=5000&maxPrice=1000", "maxPrice"],
    ["?material=st%25one", "material"],
    ["?cursor=not-a-cursor", "cursor"],
    ["?cursor=%%%", "cursor"],
    ["?material=glass&material=stone", "material"],
  ])("refuses %s with 400 validation_failed naming %s", async (query, field) => {
    const res = await call("GET", `/api/products${query}`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: { code: "validation_failed", message: expect.any(String), details: expect.any(Array) },
    });
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(field);
    expect(res.headers.get("x-cache")).toBeNull();
  });

  it("refuses a cursor handed out for another sort order", async () => {
    const byPricePage = await list("?sort=price&limit=2");
    const res = await call("GET", `/api/products?sort=name&cursor=${byPricePage.nextCursor}`);
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ path: "cursor", message: expect.stringContaining("cursor") }]);
  });

  it("refuses a tampered cursor whose sort key has the wrong type", async () => {
    const forged = btoa(JSON.stringify(["price", "a", "cheap", "BR-001"])).replace(/=+$/, "");
    const res = await call("GET", `/api/products?sort=price&cursor=${forged}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
  });
});

describe("GET /api/products/:sku", () => {
  it("answers an active product", async () => {
    const res = await call("GET", "/api/products/BR-011");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      sku: "BR-011",
      name: "Pearl Harbour",
      description: "Pearl Harbour, handmade.",
      material: "pearl",
      colour: "white",
      priceCents: 8900,
      currency: "EUR",
      imageUrl: "/images/BR-011.svg",
      available: 1,
      lowStock: true,
    });
  });

  it.each([
    ["an unknown SKU", "BR-404"],
    ["an inactive product", "BR-090"],
    ["a SKU with characters no SKU has", "BR%2F001"],
  ])("answers %s with 404 not_found in the error envelope", async (_, sku) => {
    const res = await call("GET", `/api/products/${sku}`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: "not_found", message: expect.any(String) } });
  });
});
