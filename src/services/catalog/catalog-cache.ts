/**
 * The catalog's response cache. Public, per-user-free responses (the product JSON API and the storefront's
 * catalog and product pages) are stored in the Cache API under a normalised URL, with their Cache-Tags
 * recorded in D1 (`cache_tags`) so that a purge by tag can find and delete them. In production, where Workers
 * Caching sits in front of the Worker, its purge (`ctx.cache`, or `cache` from `cloudflare:workers` where no
 * ctx is at hand, as in the queue consumer) is called with the same tags and reaches every location; Miniflare
 * has neither, but it does have the Cache API, so the tag index is what makes purges work locally and in tests.
 *
 * Tags: `catalog` for everything that depends on which products exist (listings, facets, pages),
 * `product:<SKU>` for every response that shows that product (its detail and each listing page containing it),
 * and `pages` on every cached HTML page: they link the build's hashed assets, so a deploy purges them
 * (src/routes/deploy-hook.ts).
 */

import { cache as workersCache } from "cloudflare:workers";
import type { Context, TypedResponse } from "hono";
import type { JSONParsed } from "hono/utils/types";
import {
  bumpCacheGeneration,
  cacheGenerationQuery,
  currentCacheGeneration,
  deleteCacheTags,
  deleteCacheTagsBefore,
  recordCacheTags,
  urlsTagged,
} from "../../db/catalog-cache";
import { getDb } from "../../db/client";
import { etagFor, etagMatches } from "../../domain/catalog";
import type { AppEnv } from "../../http/app-env";
import { REQUEST_ID_HEADER, requestIdFor } from "../../http/request-id";
import { isApiPath } from "../../http/security-headers";
import { chunks } from "../../lib/chunks";

export const CATALOG_TAG = "catalog";
export const PAGES_TAG = "pages";
export const productTag = (sku: string): string => `product:${sku}`;

/** Browsers keep a copy 30 s; shared caches 5 min, and may serve it stale for 10 more while refetching. */
export const CATALOG_CACHE_CONTROL = "public, max-age=30, s-maxage=300, stale-while-revalidate=600";
/** How long a tag row outlives its cache entry before the cron prunes it (entries live `s-maxage`). */
const TAG_ROW_TTL_MS = 15 * 60_000;
const CACHE_NAME = "catalog";
/** D1 binds at most 100 parameters per statement. */
const ROWS_PER_INSERT = 30;
const TAGS_PER_QUERY = 90;

/** GET/HEAD of `/`, `/products/:sku`, `/api/products` and `/api/products/:sku`: the cached catalog reads. */
const CATALOG_READ = /^\/(?:api\/products(?:\/[^/]+)?|products\/[^/]+)?\/?$/;

/**
 * Whether a request is a catalog read. The Worker skips the session lookup for these: a cache hit then costs
 * no D1 query even for a signed-in shopper, and the handlers cannot put per-user data into shared entries.
 */
export function isCatalogRead(c: Context): boolean {
  return (c.req.method === "GET" || c.req.method === "HEAD") && CATALOG_READ.test(c.req.path);
}

/** A response that may be cached: it must not depend on who asked. */
export type Cacheable = { body: string; contentType: string; tags: string[] };

const JSON_TYPE = "application/json; charset=UTF-8";

type CacheMark = "HIT" | "MISS";

/**
 * A first level in the isolate's memory, in front of the Cache API: a hit there costs no I/O at all. Each
 * isolate keeps its own copies and a purge clears only those of the isolate running it, so an entry lives
 * `MEMORY_TTL_MS` at most: elsewhere a purged response can be answered for at most that long (the Cache API
 * level, and Workers Caching in production, are purged everywhere). Bounded in count, oldest dropped first.
 */
const MEMORY_TTL_MS = 2_000;
const MEMORY_MAX_ENTRIES = 256;
type MemoryEntry = { headers: Headers; body: string; tags: readonly string[]; expires: number };
const memory = new Map<string, MemoryEntry>();

function remember(key: string, headers: Headers, body: string, tags: readonly string[], now: number): void {
  memory.delete(key);
  if (memory.size >= MEMORY_MAX_ENTRIES) {
    const oldest = memory.keys().next().value;
    if (oldest !== undefined) memory.delete(oldest);
  }
  memory.set(key, { headers, body, tags, expires: now + MEMORY_TTL_MS });
}

function recall(key: string, now: number): MemoryEntry | undefined {
  const entry = memory.get(key);
  if (entry && entry.expires <= now) {
    memory.delete(key);
    return undefined;
  }
  return entry;
}

function forget(tags: ReadonlySet<string>): void {
  for (const [key, entry] of memory) if (entry.tags.some((t) => tags.has(t))) memory.delete(key);
}

/**
 * Headers every response gets from the Worker's middleware (security headers), learned from a real one: one set
 * for the API's answers, one for pages, which carry another policy (src/http/security-headers.ts).
 */
const middlewareHeaders: { api: [string, string][] | null; page: [string, string][] | null } = {
  api: null,
  page: null,
};
const PER_RESPONSE = new Set(["x-request-id", "x-cache", "content-type", "cache-control", "cache-tag", "etag"]);

/** Whether an absolute URL's answer is the API's or a page's, its path read without parsing it (the hit path). */
function kindOf(url: string): "api" | "page" {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start < 0) return "page";
  const query = url.indexOf("?", start);
  return isApiPath(url.slice(start, query < 0 ? undefined : query)) ? "api" : "page";
}

/**
 * Learns the headers the middleware adds (secure headers and the like) from a catalog response that went the
 * whole way through the app, so the fast path answers with exactly the same set as the app would for that path.
 */
export function learnMiddlewareHeaders(request: Request, res: Response): void {
  if (!res.headers.has("x-cache")) return;
  const kind = kindOf(request.url);
  if (middlewareHeaders[kind]) return;
  middlewareHeaders[kind] = [...res.headers].filter(([name]) => !PER_RESPONSE.has(name) && name !== "content-length");
}

/**
 * The edge's own shortcut: a catalog read whose response is in this isolate's memory is answered before
 * routing and middleware run (Workers Caching does the same in production, before the Worker is even
 * invoked). Null when the request is not such a hit, or before the headers were learned.
 */
export function fastCatalogHit(request: Request): Response | null {
  if (request.method !== "GET" && request.method !== "HEAD") return null;
  const entry = recall(request.url, Date.now());
  if (!entry) return null;
  const learned = middlewareHeaders[kindOf(request.url)];
  if (!learned) return null;
  const headers = new Headers(learned);
  for (const name of STORED_HEADERS) {
    const value = entry.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  headers.set("x-cache", "HIT");
  headers.set(REQUEST_ID_HEADER, requestIdFor(request));
  const etag = entry.headers.get("etag");
  if (etag && etagMatches(request.headers.get("if-none-match") ?? undefined, etag)) {
    headers.delete("content-type");
    return new Response(null, { status: 304, headers });
  }
  return new Response(request.method === "HEAD" ? null : entry.body, { status: 200, headers });
}

/** Only these stored headers are answered; everything per-request (request id, security headers) is added fresh. */
const STORED_HEADERS = ["content-type", "cache-control", "cache-tag", "etag"] as const;

function answer(c: Context<AppEnv>, stored: Headers, body: ReadableStream | string, mark: CacheMark): Response {
  const headers: Record<string, string> = { "x-cache": mark };
  for (const name of STORED_HEADERS) {
    const value = stored.get(name);
    if (value !== null) headers[name] = value;
  }
  const etag = stored.get("etag");
  if (etag && etagMatches(c.req.header("if-none-match"), etag)) {
    delete headers["content-type"];
    return c.body(null, 304, headers);
  }
  // c.body (not `new Response`) keeps the headers earlier middleware prepared, such as X-Request-Id.
  return typeof body === "string" ? c.body(body, 200, headers) : c.body(body, 200, headers);
}

/**
 * Answers from the catalog cache under `key` (a normalised absolute URL), or builds the response, stores it
 * with its tags and answers it. A hit touches no D1. `build` may return a Response (a 404, say) instead: that
 * is answered as it is and not cached.
 */
export async function serveCached(
  c: Context<AppEnv>,
  key: string,
  build: () => Promise<Cacheable | Response>,
): Promise<Response> {
  const now = Date.now();
  // The raw URL is remembered too, so the Worker's fast path (fastCatalogHit) finds the entry without routing.
  const raw = c.req.url;
  const near = recall(key, now);
  if (near) {
    if (raw !== key) remember(raw, near.headers, near.body, near.tags, now);
    return answer(c, near.headers, near.body, "HIT");
  }
  const cache = await caches.open(CACHE_NAME);
  const hit = await cache.match(key);
  if (hit) {
    const body = await hit.text();
    const tags = (hit.headers.get("cache-tag") ?? "").split(",").filter(Boolean);
    remember(key, hit.headers, body, tags, now);
    if (raw !== key) remember(raw, hit.headers, body, tags, now);
    return answer(c, hit.headers, body, "HIT");
  }

  const db = getDb(c.env.DB);
  // A purge that runs between this read and the tag rows below bumps the generation: the entry is then
  // dropped rather than kept with the data the purge meant to replace.
  const before = await currentCacheGeneration(db);
  const built = await build();
  if (built instanceof Response) return built;

  const tags = [...new Set(built.tags)];
  const headers = new Headers({
    "content-type": built.contentType,
    "cache-control": CATALOG_CACHE_CONTROL,
    "cache-tag": tags.join(","),
    etag: await etagFor(built.body),
  });
  await cache.put(key, new Response(built.body, { headers }));
  const inserts = chunks(tags, ROWS_PER_INSERT).map((part) => recordCacheTags(db, part, key, now));
  const results = await db.batch([cacheGenerationQuery(db), ...inserts]);
  const after = results[0][0]?.value ?? 0;
  if (after !== before) await cache.delete(key);
  else {
    remember(key, headers, built.body, tags, now);
    if (raw !== key) remember(raw, headers, built.body, tags, now);
  }
  return answer(c, headers, built.body, "MISS");
}

/**
 * `serveCached` for a JSON answer: `build` gives the value and its tags. The answer is typed as that value, so
 * the browser's typed client (hc) reads the same type the handler built (a hit replays the same JSON).
 */
export function serveCachedJson<T>(
  c: Context<AppEnv>,
  key: string,
  build: () => Promise<{ value: T; tags: string[] }>,
): Promise<Response & TypedResponse<JSONParsed<T>, 200, "json">> {
  const answer = serveCached(c, key, async () => {
    const { value, tags } = await build();
    return { body: JSON.stringify(value), contentType: JSON_TYPE, tags };
  });
  return answer as Promise<Response & TypedResponse<JSONParsed<T>, 200, "json">>;
}

/**
 * Deletes every cached response carrying one of `tags`, here and (in production) at the edge. Call it after
 * the D1 change that makes those responses stale has committed.
 */
export async function purgeTags(env: Env, tags: string[], ctx?: ExecutionContext): Promise<void> {
  const unique = [...new Set(tags)];
  if (unique.length === 0) return;
  const db = getDb(env.DB);
  const bump = bumpCacheGeneration(db);
  const parts = chunks(unique, TAGS_PER_QUERY);
  // One atomic batch: bump the generation, collect the URLs, forget them. A response being built meanwhile
  // either registered its tags before this batch (and is deleted below) or sees the new generation.
  const [, ...results] = await db.batch([
    bump,
    ...parts.map((part) => urlsTagged(db, part)),
    ...parts.map((part) => deleteCacheTags(db, part)),
  ]);
  // After the batch: a response built before the purge has remembered itself by now, and goes too.
  forget(new Set(unique));
  const found = results.slice(0, parts.length) as { url: string }[][];
  const urls = [...new Set(found.flat().map((row) => row.url))];
  if (urls.length > 0) {
    const cache = await caches.open(CACHE_NAME);
    await Promise.all(urls.map((url) => cache.delete(url)));
  }
  await purgeEveryLocation(unique, ctx);
}

/**
 * Workers Caching's purge (production, `[cache] enabled = true`): global, reaching every location. It is
 * scoped to the entrypoint that calls it, so it must run in the default export's handlers (fetch, queue,
 * scheduled: all of ours do), never in a Durable Object. Handlers with a ctx use `ctx.cache`; code without one
 * (the queue consumer's subscribers) uses the `cache` of `cloudflare:workers`, the same API. Miniflare has
 * neither (undefined), so local dev and tests rely on the Cache API and the tag index above.
 */
async function purgeEveryLocation(tags: string[], ctx?: ExecutionContext): Promise<void> {
  const purger: CacheContext | undefined = ctx?.cache ?? (workersCache as CacheContext | undefined);
  if (typeof purger?.purge !== "function") return;
  const result = await purger.purge({ tags });
  if (result && !result.success) {
    // Entries then live out their s-maxage (5 min) at the edge; the local layers above are already purged.
    console.error(JSON.stringify({ level: "error", message: "edge cache purge failed", tags, errors: result.errors }));
  }
}

/** Drops tag rows whose cache entries have long expired. Run by the cron sweep. */
export async function pruneCacheTags(env: Env, now = Date.now()): Promise<void> {
  const db = getDb(env.DB);
  await deleteCacheTagsBefore(db, now - TAG_ROW_TTL_MS);
}
