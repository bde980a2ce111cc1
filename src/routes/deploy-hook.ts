/**
 * POST /_deploy/purge: `npm run deploy` calls it right after `wrangler deploy` (scripts/deploy.mjs). Cached pages
 * (Workers Caching in production, keyed by URL in front of the Worker) still link the previous build's
 * content-hashed assets, which the deploy removed; this purges them at every location. It must run in the
 * Worker: Workers Caching's purge is scoped to the entrypoint that calls it, and zone purges do not reach it.
 *
 * The caller proves it is the deploy with the key that deploy gave this version (`--var DEPLOY_KEY:<random>`,
 * new every run). Without a key (local dev, tests that set none) the hook does not exist. Not part of the public
 * API (not under /api, not in the OpenAPI document): an operator's hook, documented in docs/catalog.md.
 */
import type { Context } from "hono";
import { Hono } from "hono";
import type { AppEnv } from "../http/app-env";
import { ApiError, errorResponse } from "../http/errors";
import { constantTimeEqual } from "../services/accounts/passwords";
import { CATALOG_TAG, PAGES_TAG, purgeTags } from "../services/catalog/catalog-cache";

/** What a deploy purges: every cached HTML page, and the listings (pages cached before `pages` existed too). */
export const DEPLOY_PURGE_TAGS = [PAGES_TAG, CATALOG_TAG];

/** DEPLOY_KEY is given by `wrangler deploy --var`, not declared in wrangler.toml: absent from the generated Env. */
const deployKey = (c: Context<AppEnv>): string | undefined =>
  (c.env as unknown as { DEPLOY_KEY?: string }).DEPLOY_KEY || undefined;

const bytes = (s: string) => new TextEncoder().encode(s);

export const deployHook = new Hono<AppEnv>().post("/_deploy/purge", async (c) => {
  const key = deployKey(c);
  if (!key) return errorResponse(c, new ApiError("not_found", "Not found"));
  const given = /^Bearer (.+)$/.exec(c.req.header("authorization") ?? "")?.[1] ?? "";
  if (!constantTimeEqual(bytes(given), bytes(key))) {
    return errorResponse(c, new ApiError("unauthorized", "Not this deploy's key"));
  }
  await purgeTags(c.env, DEPLOY_PURGE_TAGS, c.executionCtx as unknown as ExecutionContext);
  return c.json({ purged: DEPLOY_PURGE_TAGS });
});
