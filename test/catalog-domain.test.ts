import * as v from "valibot";
import { describe, expect, it } from "vitest";
import {
  CatalogQuerySchema,
  type Cursor,
  canonicalSearch,
  DEFAULT_LIMIT,
  decodeCursor,
  encodeCursor,
  etagFor,
  etagMatches,
  isDescending,
  MAX_SEARCH_TERMS,
  type Product,
  productAlt,
  SORTS,
  searchPatterns,
  sortField,
  stockChangeIsVisible,
  toPage,
  toProduct,
} from "../src/domain/catalog";

const parse = (input: Record<string, string | string[]>) => v.safeParse(CatalogQuerySchema, input);
const ok = (input: Record<string, string | string[]>) => {
  const result = parse(input);
  if (!result.success) throw new Error(JSON.stringify(result.issues.map((i) => i.message)));
  return result.output;
};
const failingPaths = (input: Record<string, string | string[]>) => {
  const result = parse(input);
  return result.success ? [] : result.issues.map((i) => v.getDotPath(i));
};
const b64 = (value: unknown) =>
  btoa(JSON.stringify(value)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

describe("sort allow-list", () => {
  it.each([
    ["name", "name", false],
    ["-name", "name", true],
    ["price", "price", false],
    ["-price", "price", true],
  ] as const)("maps %s to the %s column, descending=%s", (sort, field, desc) => {
    expect(sortField(sort)).toBe(field);
    expect(isDescending(sort)).toBe(desc);
  });

  it("has exactly the four documented orders", () => {
    expect([...SORTS]).toEqual(["name", "-name", "price", "-price"]);
  });
});

describe("cursors", () => {
  const cursors: Cursor[] = [
    { sort: "name", dir: "after", key: "Amber Ember", sku: "BR-002" },
    { sort: "-name", dir: "before", key: "Çà et là ✨", sku: "BR-100" },
    { sort: "price", dir: "after", key: 0, sku: "BR-9" },
    { sort: "-price", dir: "before", key: 12500, sku: "br_x-1" },
  ];

  it.each(cursors)("reads back what it wrote for $sort/$dir", (cursor) => {
    const text = encodeCursor(cursor);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(text, cursor.sort)).toEqual(cursor);
  });

  it("refuses a cursor written for another sort", () => {
    const text = encodeCursor({ sort: "price", dir: "after", key: 100, sku: "BR-1" });
    expect(decodeCursor(text, "-price")).toBeNull();
    expect(decodeCursor(text, "name")).toBeNull();
  });

  it.each([
    ["empty", ""],
    ["not base64url", "abc+/="],
    ["not JSON", b64("x").slice(1)],
    ["too long", "A".repeat(600)],
    ["an object", b64({ sort: "price" })],
    ["three fields", b64(["price", "a", 100])],
    ["an unknown direction", b64(["price", "x", 100, "BR-1"])],
    ["a text key for price", b64(["price", "a", "100", "BR-1"])],
    ["a fractional price key", b64(["price", "a", 1.5, "BR-1"])],
    ["a number key for name", b64(["name", "a", 5, "BR-1"])],
    ["an over-long name key", b64(["name", "a", "n".repeat(201), "BR-1"])],
    ["a SKU with a slash", b64(["price", "a", 100, "BR/1"])],
    ["an empty SKU", b64(["price", "a", 100, ""])],
    ["invalid UTF-8", btoa("\xff\xfe").replace(/=+$/, "")],
  ])("refuses %s", (_, text) => {
    expect(decodeCursor(text, "price")).toBeNull();
    expect(decodeCursor(text, "name")).toBeNull();
  });
});

describe("CatalogQuerySchema", () => {
  it("fills in the defaults for an empty query", () => {
    expect(ok({})).toEqual({ sort: "name", limit: DEFAULT_LIMIT, cursor: null });
  });

  it("drops unknown parameters and the empty values a plain form sends", () => {
    expect(ok({ utm_source: "mail", q: "", material: "", colour: "", sort: "", limit: "", cursor: "" })).toEqual({
      sort: "name",
      limit: DEFAULT_LIMIT,
      cursor: null,
    });
  });

  it("lowercases material and colour, collapses spaces in q and drops a blank q", () => {
    expect(ok({ material: " Stone ", colour: "BLUE", q: "  sea   glass " })).toMatchObject({
      material: "stone",
      colour: "blue",
      q: "sea glass",
    });
    expect(ok({ q: "   " })).not.toHaveProperty("q");
  });

  it("reads prices and limit as whole numbers", () => {
    expect(ok({ minPrice: "0", maxPrice: "999999999", limit: "50" })).toMatchObject({
      minPrice: 0,
      maxPrice: 999999999,
      limit: 50,
    });
    expect(ok({ minPrice: "4500", maxPrice: "4500" })).toMatchObject({ minPrice: 4500, maxPrice: 4500 });
  });

  it("decodes the cursor against the requested sort", () => {
    const cursor: Cursor = { sort: "-price", dir: "after", key: 4200, sku: "BR-004" };
    expect(ok({ sort: "-price", cursor: encodeCursor(cursor) }).cursor).toEqual(cursor);
    expect(failingPaths({ sort: "price", cursor: encodeCursor(cursor) })).toEqual(["cursor"]);
  });

  it.each([
    [{ sort: "stock" }, "sort"],
    [{ sort: "-Price" }, "sort"],
    [{ limit: "0" }, "limit"],
    [{ limit: "51" }, "limit"],
    [{ limit: "1e1" }, "limit"],
    [{ limit: "-3" }, "limit"],
    [{ minPrice: "-1" }, "minPrice"],
    [{ minPrice: "1.50" }, "minPrice"],
    [{ maxPrice: "1000000000" }, "maxPrice"],
    [{ minPrice: "10", maxPrice: "9" }, "maxPrice"],
    [{ material: "stone%" }, "material"],
    [{ colour: "x".repeat(41) }, "colour"],
    [{ q: "q".repeat(101) }, "q"],
    [{ cursor: "nope" }, "cursor"],
    [{ cursor: "c".repeat(513) }, "cursor"],
    [{ material: ["glass", "stone"] }, "material"],
  ])("refuses %o at %s", (input, path) => {
    expect(failingPaths(input as Record<string, string>)).toContain(path);
  });
});

describe("canonicalSearch", () => {
  it("gives equivalent queries one normal form: keys sorted, defaults left out", () => {
    const a = ok({ sort: "price", material: "Stone", limit: "12", utm: "x", colour: "blue" });
    const b = ok({ colour: "BLUE", material: "stone", sort: "price" });
    expect(canonicalSearch(a)).toBe("?colour=blue&material=stone&sort=price");
    expect(canonicalSearch(b)).toBe(canonicalSearch(a));
    expect(canonicalSearch(ok({}))).toBe("");
    expect(canonicalSearch(ok({ sort: "name", limit: "12" }))).toBe("");
  });

  it("keeps every non-default value, encoded", () => {
    const query = ok({ q: "sea & sky", minPrice: "100", maxPrice: "200", limit: "5", sort: "-name" });
    expect(canonicalSearch(query)).toBe("?limit=5&maxPrice=200&minPrice=100&q=sea+%26+sky&sort=-name");
  });

  it("puts the given cursor in place of the query's own", () => {
    const cursor: Cursor = { sort: "name", dir: "before", key: "Jade", sku: "BR-5" };
    const query = ok({ material: "stone" });
    expect(canonicalSearch(query, { cursor })).toBe(`?cursor=${encodeCursor(cursor)}&material=stone`);
    const withCursor = ok({ cursor: encodeCursor(cursor) });
    expect(canonicalSearch(withCursor, { cursor: null })).toBe("");
    expect(canonicalSearch(withCursor)).toBe(`?cursor=${encodeCursor(cursor)}`);
  });
});

describe("searchPatterns", () => {
  it("makes one contains-pattern per word", () => {
    expect(searchPatterns("sea glass")).toEqual(["%sea%", "%glass%"]);
    expect(searchPatterns(undefined)).toEqual([]);
    expect(searchPatterns("")).toEqual([]);
  });

  it("escapes LIKE wildcards and the escape character", () => {
    expect(searchPatterns("100% a_b c\\d")).toEqual(["%100\\%%", "%a\\_b%", "%c\\\\d%"]);
  });

  it(`uses at most ${MAX_SEARCH_TERMS} words`, () => {
    expect(searchPatterns("a b c d e f g h")).toHaveLength(MAX_SEARCH_TERMS);
  });
});

describe("toProduct", () => {
  const row = {
    sku: "BR-1",
    name: "One",
    description: "d",
    material: "glass",
    colour: "blue",
    priceCents: 100,
    currency: "EUR",
    imageUrl: "/images/BR-1.svg",
    lowStockThreshold: 3,
  };

  it.each([
    [0, false],
    [1, true],
    [3, true],
    [4, false],
  ])("with %i available and a threshold of 3, lowStock is %s", (stockAvailable, lowStock) => {
    expect(toProduct({ ...row, stockAvailable })).toMatchObject({ available: stockAvailable, lowStock });
  });

  it("never shows negative availability, and says a product without an image has none (pages draw a placeholder)", () => {
    expect(toProduct({ ...row, stockAvailable: -2, imageUrl: "" })).toEqual({
      sku: "BR-1",
      name: "One",
      description: "d",
      material: "glass",
      colour: "blue",
      priceCents: 100,
      currency: "EUR",
      imageUrl: "",
      available: 0,
      lowStock: false,
    });
  });
});

describe("toPage", () => {
  const product = (n: number): Product => ({
    sku: `BR-${n}`,
    name: `Name ${n}`,
    description: "",
    material: "glass",
    colour: "blue",
    priceCents: n * 100,
    currency: "EUR",
    imageUrl: "",
    available: 1,
    lowStock: true,
  });
  const rows = (...ns: number[]) => ns.map(product);
  const after: Cursor = { sort: "price", dir: "after", key: 100, sku: "BR-1" };
  const before: Cursor = { sort: "price", dir: "before", key: 500, sku: "BR-5" };

  it("first page with more rows: a next cursor at its last item, no previous", () => {
    const page = toPage(rows(1, 2, 3), { sort: "price", limit: 2, cursor: null });
    expect(page.items.map((p) => p.sku)).toEqual(["BR-1", "BR-2"]);
    expect(page.nextCursor).toEqual({ sort: "price", dir: "after", key: 200, sku: "BR-2" });
    expect(page.prevCursor).toBeNull();
  });

  it("first and only page: no cursors", () => {
    const page = toPage(rows(1, 2), { sort: "price", limit: 2, cursor: null });
    expect(page).toMatchObject({ nextCursor: null, prevCursor: null });
  });

  it("a page after a cursor has a previous cursor at its first item", () => {
    const page = toPage(rows(2, 3, 4), { sort: "price", limit: 2, cursor: after });
    expect(page.items.map((p) => p.sku)).toEqual(["BR-2", "BR-3"]);
    expect(page.nextCursor).toEqual({ sort: "price", dir: "after", key: 300, sku: "BR-3" });
    expect(page.prevCursor).toEqual({ sort: "price", dir: "before", key: 200, sku: "BR-2" });
  });

  it("the last page after a cursor has no next cursor", () => {
    const page = toPage(rows(2), { sort: "price", limit: 2, cursor: after });
    expect(page.nextCursor).toBeNull();
    expect(page.prevCursor).toEqual({ sort: "price", dir: "before", key: 200, sku: "BR-2" });
  });

  it("a page before a cursor turns the scanned rows round and keeps a next cursor", () => {
    const page = toPage(rows(4, 3, 2), { sort: "price", limit: 2, cursor: before });
    expect(page.items.map((p) => p.sku)).toEqual(["BR-3", "BR-4"]);
    expect(page.nextCursor).toEqual({ sort: "price", dir: "after", key: 400, sku: "BR-4" });
    expect(page.prevCursor).toEqual({ sort: "price", dir: "before", key: 300, sku: "BR-3" });
  });

  it("the first page reached backwards has no previous cursor", () => {
    const page = toPage(rows(2, 1), { sort: "name", limit: 2, cursor: { ...before, sort: "name", key: "Name 3" } });
    expect(page.items.map((p) => p.sku)).toEqual(["BR-1", "BR-2"]);
    expect(page.prevCursor).toBeNull();
    expect(page.nextCursor).toEqual({ sort: "name", dir: "after", key: "Name 2", sku: "BR-2" });
  });

  it("an empty page has no cursors", () => {
    expect(toPage([], { sort: "price", limit: 5, cursor: after })).toEqual({
      items: [],
      nextCursor: null,
      prevCursor: null,
    });
  });
});

describe("ETags", () => {
  it("are strong, stable for the same bytes and different for different bytes", async () => {
    const a = await etagFor('{"a":1}');
    expect(a).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(await etagFor('{"a":1}')).toBe(a);
    expect(await etagFor('{"a":2}')).not.toBe(a);
  });

  it.each([
    ['"x"', true],
    ['W/"x"', true],
    ['"y", "x"', true],
    ["*", true],
    ['"y"', false],
    ["", false],
    [null, false],
  ])('If-None-Match %s matches "x": %s', (header, expected) => {
    expect(etagMatches(header, '"x"')).toBe(expected);
  });
});

describe("which stock movements the cached catalog must show at once", () => {
  it("shows every staff adjustment", () => {
    for (const reason of ["restock", "damage", "correction", "return"]) {
      expect(stockChangeIsVisible(reason, 20, 21, 3)).toBe(true);
    }
  });

  it("shows selling out, coming back and crossing the low-stock threshold, not ordinary reservations", () => {
    expect(stockChangeIsVisible("reserve", 1, 0, 3)).toBe(true);
    expect(stockChangeIsVisible("release", 0, 1, 3)).toBe(true);
    expect(stockChangeIsVisible("reserve", 4, 3, 3)).toBe(true);
    expect(stockChangeIsVisible("expire", 3, 4, 3)).toBe(true);
    expect(stockChangeIsVisible("reserve", 20, 19, 3)).toBe(false);
    expect(stockChangeIsVisible("commit", 19, 19, 3)).toBe(false);
    expect(stockChangeIsVisible("reserve", 3, 2, 3)).toBe(false);
  });
});

describe("productAlt", () => {
  it("uses 'an' before a vowel: an orange amber bracelet, a blue silver bracelet", () => {
    expect(productAlt({ name: "Amber Glow", colour: "orange", material: "amber" })).toBe(
      "Amber Glow, an orange amber bracelet",
    );
    expect(productAlt({ name: "Sea", colour: "blue", material: "silver" })).toBe("Sea, a blue silver bracelet");
  });
});
