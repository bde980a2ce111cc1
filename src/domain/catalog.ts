/**
 * The public catalog's rules, without I/O: which query a shopper may ask (and its one normal form, which is
 * also the cache key), the sort allow-list, keyset cursors, the Product JSON, and strong ETags.
 */
import * as v from "valibot";
import { base64url } from "../lib/ids";

/** Sort orders a shopper may ask for; a leading `-` means descending. Each maps to one indexed column. */
export const SORTS = ["name", "-name", "price", "-price"] as const;
export type Sort = (typeof SORTS)[number];
export type SortField = "name" | "price";

export const DEFAULT_SORT: Sort = "name";
export const DEFAULT_LIMIT = 12;
export const MAX_LIMIT = 50;
/** Search words beyond this are ignored: every word costs four LIKE scans. */
export const MAX_SEARCH_TERMS = 6;

export function sortField(sort: Sort): SortField {
  return sort.endsWith("name") ? "name" : "price";
}

export function isDescending(sort: Sort): boolean {
  return sort.startsWith("-");
}

/** Where a page starts: strictly after (or before, for a previous page) the row with this sort key and SKU. */
export type Cursor = { sort: Sort; dir: "after" | "before"; key: string | number; sku: string };

const SKU = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const MAX_CURSOR_LENGTH = 512;

export function isSku(value: string): boolean {
  return SKU.test(value);
}

function utf8ToBase64url(text: string): string {
  return base64url(new TextEncoder().encode(text));
}

function base64urlToUtf8(text: string): string | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const bin = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
    return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(bin, (ch) => ch.charCodeAt(0)));
  } catch {
    return null;
  }
}

/** The opaque cursor: base64url of `[sort, "a"|"b", key, sku]`. */
export function encodeCursor(cursor: Cursor): string {
  return utf8ToBase64url(JSON.stringify([cursor.sort, cursor.dir === "after" ? "a" : "b", cursor.key, cursor.sku]));
}

/** Reads a cursor made by `encodeCursor` for the same sort; anything else (tampered, other sort) is null. */
export function decodeCursor(text: string, sort: Sort): Cursor | null {
  if (text.length === 0 || text.length > MAX_CURSOR_LENGTH) return null;
  const json = base64urlToUtf8(text);
  if (json === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) return null;
  const [cursorSort, dir, key, sku] = parsed as unknown[];
  if (cursorSort !== sort || (dir !== "a" && dir !== "b")) return null;
  if (typeof sku !== "string" || !isSku(sku)) return null;
  const keyOk =
    sortField(sort) === "price"
      ? typeof key === "number" && Number.isSafeInteger(key)
      : typeof key === "string" && key.length <= 200;
  if (!keyOk) return null;
  return { sort, dir: dir === "a" ? "after" : "before", key: key as string | number, sku };
}

/** Lowercase filter values as stored in `products.material` / `products.colour`. */
const Facet = v.pipe(
  v.string(),
  v.trim(),
  v.toLowerCase(),
  v.regex(/^[a-z0-9][a-z0-9 -]{0,39}$/, "Use a lowercase word of letters, digits, spaces or dashes (at most 40)"),
);
const Cents = v.pipe(
  v.string(),
  v.regex(/^\d{1,9}$/, "Give a whole number of cents from 0 to 999999999"),
  v.transform(Number),
);
const Limit = v.pipe(
  v.string(),
  v.regex(/^\d{1,3}$/, `Give a whole number from 1 to ${MAX_LIMIT}`),
  v.transform(Number),
  v.minValue(1, `Give a whole number from 1 to ${MAX_LIMIT}`),
  v.maxValue(MAX_LIMIT, `Give a whole number from 1 to ${MAX_LIMIT}`),
);
const Search = v.pipe(
  v.string(),
  v.maxLength(100, "Search for at most 100 characters"),
  v.transform((s) => s.trim().replace(/\s+/g, " ")),
);

/** The query parameters a catalog request may carry; anything else in the URL is ignored. */
export const QUERY_KEYS = ["q", "material", "colour", "minPrice", "maxPrice", "sort", "limit", "cursor"] as const;

/** The catalog query's known fields (the OpenAPI document lists them; the schema below also drops the rest). */
export const CatalogQueryFields = v.object({
  q: v.optional(Search),
  material: v.optional(Facet),
  colour: v.optional(Facet),
  minPrice: v.optional(Cents),
  maxPrice: v.optional(Cents),
  sort: v.optional(v.picklist(SORTS, `Sort by one of ${SORTS.join(", ")}`), DEFAULT_SORT),
  limit: v.optional(Limit, String(DEFAULT_LIMIT)),
  cursor: v.optional(v.pipe(v.string(), v.maxLength(MAX_CURSOR_LENGTH, "The cursor is not valid"))),
});

/**
 * GET /api/products and GET / query: unknown parameters and empty values (a plain HTML form sends `q=`) are
 * dropped, values are checked, and the cursor is decoded against the requested sort.
 */
export const CatalogQuerySchema = v.pipe(
  v.record(v.string(), v.union([v.string(), v.array(v.string())])),
  v.transform((raw) => {
    const known: Record<string, string | string[]> = {};
    for (const key of QUERY_KEYS) {
      const value = raw[key];
      if (value !== undefined && value !== "") known[key] = value;
    }
    return known;
  }),
  CatalogQueryFields,
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const { cursor: rawCursor, q, ...rest } = dataset.value;
    const issueAt = (key: string, message: string) =>
      addIssue({
        message,
        path: [
          {
            type: "object",
            origin: "value",
            input: dataset.value,
            key,
            value: (dataset.value as Record<string, unknown>)[key],
          },
        ],
      });
    let cursor: Cursor | null = null;
    if (rawCursor !== undefined) {
      cursor = decodeCursor(rawCursor, rest.sort);
      if (!cursor) {
        issueAt("cursor", "The cursor is not valid for this sort; start again from the first page");
        return NEVER;
      }
    }
    if (rest.minPrice !== undefined && rest.maxPrice !== undefined && rest.minPrice > rest.maxPrice) {
      issueAt("maxPrice", "maxPrice must not be below minPrice");
      return NEVER;
    }
    return { ...rest, ...(q ? { q } : {}), cursor };
  }),
);

export type CatalogQuery = v.InferOutput<typeof CatalogQuerySchema>;
export type CatalogFilters = Omit<CatalogQuery, "cursor" | "limit" | "sort">;

/**
 * The normal form of a query as a URL search string (`""` or `"?…"`): known keys in alphabetical order,
 * defaults left out. Equivalent URLs give the same string, so they share one cache entry.
 */
export function canonicalSearch(query: CatalogQuery, overrides: { cursor?: Cursor | null } = {}): string {
  const cursor = "cursor" in overrides ? overrides.cursor : query.cursor;
  const entries: [string, string | number | undefined][] = [
    ["colour", query.colour],
    ["cursor", cursor ? encodeCursor(cursor) : undefined],
    ["limit", query.limit === DEFAULT_LIMIT ? undefined : query.limit],
    ["material", query.material],
    ["maxPrice", query.maxPrice],
    ["minPrice", query.minPrice],
    ["q", query.q],
    ["sort", query.sort === DEFAULT_SORT ? undefined : query.sort],
  ];
  const params = new URLSearchParams();
  for (const [key, value] of entries) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** `q` as LIKE patterns: one per word, with `%`, `_` and `\` escaped (the query uses `ESCAPE '\'`). */
export function searchPatterns(q: string | undefined): string[] {
  if (!q) return [];
  return q
    .split(" ")
    .filter(Boolean)
    .slice(0, MAX_SEARCH_TERMS)
    .map((word) => `%${word.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`);
}

/** A product as the catalog shows it. `available` is the D1 snapshot the stock Durable Object keeps current. */
export type Product = {
  sku: string;
  name: string;
  description: string;
  material: string;
  colour: string;
  priceCents: number;
  currency: string;
  imageUrl: string;
  available: number;
  lowStock: boolean;
};

/** The columns a Product is built from. */
export type ProductRow = Omit<Product, "available" | "lowStock"> & {
  stockAvailable: number;
  lowStockThreshold: number;
};

export function isLowStock(available: number, threshold: number): boolean {
  return available > 0 && available <= threshold;
}

export function toProduct(row: ProductRow): Product {
  const available = Math.max(0, row.stockAvailable);
  return {
    sku: row.sku,
    name: row.name,
    description: row.description,
    material: row.material,
    colour: row.colour,
    priceCents: row.priceCents,
    currency: row.currency,
    // "" when the product has no image yet: pages draw a placeholder (web/src/lib/product-image.tsx).
    imageUrl: row.imageUrl,
    available,
    lowStock: isLowStock(available, row.lowStockThreshold),
  };
}

export type Facets = { materials: string[]; colours: string[] };

export type CatalogPage = {
  items: Product[];
  nextCursor: Cursor | null;
  /** For the storefront's "Previous" link; the JSON API does not publish it. */
  prevCursor: Cursor | null;
};

function keyOf(product: Product, sort: Sort): string | number {
  return sortField(sort) === "price" ? product.priceCents : product.name;
}

/**
 * Turns the rows of one keyset query into a page. The query fetched `limit + 1` rows in its scan direction
 * (reversed for a "before" cursor); the extra row only says whether more exist that way.
 */
export function toPage(scanned: Product[], query: Pick<CatalogQuery, "sort" | "limit" | "cursor">): CatalogPage {
  const { sort, limit, cursor } = query;
  const more = scanned.length > limit;
  const taken = scanned.slice(0, limit);
  const backwards = cursor?.dir === "before";
  const items = backwards ? taken.reverse() : taken;
  const first = items[0];
  const last = items.at(-1);
  const at = (dir: Cursor["dir"], p: Product): Cursor => ({ sort, dir, key: keyOf(p, sort), sku: p.sku });
  const hasNext = backwards ? cursor !== null : more;
  const hasPrev = backwards ? more : cursor !== null;
  return {
    items,
    nextCursor: hasNext && last ? at("after", last) : null,
    prevCursor: hasPrev && first ? at("before", first) : null,
  };
}

/** A strong ETag: the SHA-256 of the exact bytes, base64url. */
export async function etagFor(body: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body));
  return `"${base64url(new Uint8Array(digest))}"`;
}

/** Whether an `If-None-Match` header matches `etag` (weak comparison, as RFC 9110 asks for this header). */
export function etagMatches(ifNoneMatch: string | null | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = (tag: string) => tag.trim().replace(/^W\//, "");
  if (ifNoneMatch.trim() === "*") return true;
  return ifNoneMatch.split(",").some((tag) => bare(tag) === bare(etag));
}

/** Stock movements made by staff; every one of them is shown at once. */
const STAFF_STOCK_REASONS: ReadonlySet<string> = new Set(["restock", "damage", "correction", "return"]);

/**
 * Whether a stock movement changes what a cached catalog response tells a shopper enough to purge it: any staff
 * adjustment, a product selling out or coming back, or crossing its low-stock threshold. Ordinary reservations
 * in between leave the cached count as it was (bounded by the cache lifetime); the product page's live stock
 * socket shows the exact number, and the order itself is judged by the ProductStock object, never the cache.
 */
export function stockChangeIsVisible(
  reason: string,
  before: number,
  after: number,
  lowStockThreshold: number,
): boolean {
  if (STAFF_STOCK_REASONS.has(reason)) return true;
  if ((before === 0) !== (after === 0)) return true;
  return before <= lowStockThreshold !== after <= lowStockThreshold;
}

/** "a" or "an" before `word`, by its first sound as far as spelling tells (an orange, a blue, an amber). */
export function article(word: string): "a" | "an" {
  return /^[aeiou]/i.test(word.trim()) ? "an" : "a";
}

/** The alt text of a product's picture: "Amber Glow, an orange amber bracelet". */
export function productAlt(p: { name: string; colour: string; material: string }): string {
  return `${p.name}, ${article(p.colour)} ${p.colour} ${p.material} bracelet`;
}
