/**
 * The catalog cache's index in D1 (src/services/catalog/catalog-cache.ts): `cache_tags` maps each Cache-Tag to
 * the cached URLs carrying it, and `cache_generation` counts purges, so a response built across a purge is
 * dropped. Statements that go into the service's D1 batches are returned unawaited.
 */
import { eq, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "./client";
import { cacheGeneration, cacheTags } from "./schema";

/** The query for the purge generation (rows `{ value }`, none before the first purge), for a batch or `.get()`. */
export function cacheGenerationQuery(db: Db) {
  return db.select({ value: cacheGeneration.value }).from(cacheGeneration).where(eq(cacheGeneration.id, 1));
}

/** The purge generation now (0 before the first purge). */
export async function currentCacheGeneration(db: Db): Promise<number> {
  return (await cacheGenerationQuery(db).get())?.value ?? 0;
}

/** The statement that records `url` under each of `tags` as cached at `now`, to put in a D1 batch. */
export function recordCacheTags(db: Db, tags: readonly string[], url: string, now: number) {
  return db
    .insert(cacheTags)
    .values(tags.map((tag) => ({ tag, url, cachedAt: now })))
    .onConflictDoUpdate({ target: [cacheTags.tag, cacheTags.url], set: { cachedAt: now } });
}

/** The statement that bumps the purge generation, to put in a D1 batch. */
export function bumpCacheGeneration(db: Db) {
  return db
    .insert(cacheGeneration)
    .values({ id: 1, value: 1 })
    .onConflictDoUpdate({ target: cacheGeneration.id, set: { value: sql`${cacheGeneration.value} + 1` } });
}

/** The query for the distinct URLs cached under any of `tags`, to put in a D1 batch. */
export function urlsTagged(db: Db, tags: string[]) {
  return db.selectDistinct({ url: cacheTags.url }).from(cacheTags).where(inArray(cacheTags.tag, tags));
}

/** The statement that deletes the tag rows of `tags`, to put in a D1 batch. */
export function deleteCacheTags(db: Db, tags: string[]) {
  return db.delete(cacheTags).where(inArray(cacheTags.tag, tags));
}

/** Deletes the tag rows cached before `before`. */
export async function deleteCacheTagsBefore(db: Db, before: number): Promise<void> {
  await db.delete(cacheTags).where(lt(cacheTags.cachedAt, before));
}
