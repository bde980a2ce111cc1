/**
 * Entry point: the Hono app for HTTP, the queue consumers of the event bus, the cron triggers, and the
 * Durable Object classes the runtime instantiates.
 */

import type { MiddlewareHandler } from "hono";
import { Hono } from "hono";
import { requestId } from "hono/request-id";
import { checkConfigOnce } from "./config";
import type { AppEnv } from "./http/app-env";
import { ApiError, errorResponse, onError } from "./http/errors";
import { jsonBodiesOnly, limitBody, sameOriginForCookies } from "./http/guards";
import { methodTable } from "./http/method-not-allowed";
import { newRequestId, REQUEST_ID_HEADER } from "./http/request-id";
import { securityHeaders } from "./http/security-headers";
import { loadSession } from "./http/session";
import { loadAssets } from "./pages/assets";
import { notFoundPage } from "./pages/not-found";
import { api } from "./routes/api";
import { appPages } from "./routes/app-pages";
import { deployHook } from "./routes/deploy-hook";
import { docs, docsPage } from "./routes/docs";
import { images } from "./routes/images";
import { answerOrderEarly, releaseUntaken } from "./routes/orders-early";
import { pages } from "./routes/pages";
import { unsubscribePage } from "./routes/unsubscribe";
import { fastCatalogHit, isCatalogRead, learnMiddlewareHeaders } from "./services/catalog/catalog-cache";
import { SUBSCRIBERS } from "./services/subscribers";
import { consumeDeadLetters, consumeEvents } from "./services/subscribers/event-consumer";
import { runScheduled } from "./services/workflows/scheduled";

export { OrderFlow } from "./durable/order-flow";
export { ProductStock } from "./durable/product-stock";
export { StaffFeed } from "./durable/staff-feed";

/** Routes whose body is raw bytes, not JSON: they read it with their own cap (src/http/raw-body.ts). */
const RAW_BODY_ROUTES: ReadonlySet<string> = new Set(["/api/admin/images"]);

/**
 * Runs `middleware` unless `skip` says so. hono/combine's `except` does the same with a router and a composed
 * chain built per request, which the flash sale's profile showed as a tenth of a refusal's CPU.
 */
function unless(
  skip: (c: Parameters<MiddlewareHandler<AppEnv>>[0]) => boolean,
  middleware: MiddlewareHandler<AppEnv>,
): MiddlewareHandler<AppEnv> {
  return (c, next) => (skip(c) ? next() : middleware(c, next));
}

/** Hono's "/x/*" also matches "/x" itself; these conditions keep that meaning. */
const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);

const jsonBody: MiddlewareHandler<AppEnv> = (c, next) =>
  limitBody(c, async () => {
    await jsonBodiesOnly(c, next);
  });

export const app = new Hono<AppEnv>()
  .use(requestId({ headerName: REQUEST_ID_HEADER, generator: (c) => newRequestId(c.req.header("cf-ray")) }))
  .use(securityHeaders)
  // No hono/csrf(): it takes a bodyless POST without Origin (logout from curl or any non-browser client) for a
  // text/plain form and refuses it. jsonBodiesOnly already refuses every form/text body (415) and
  // sameOriginForCookies checks Origin and Sec-Fetch-Site on cookie requests (403).
  // Image uploads are raw bytes with their own larger limit (src/routes/admin/images.ts); every other body is JSON.
  .use(
    "/api/*",
    unless((c) => RAW_BODY_ROUTES.has(c.req.path), jsonBody),
  )
  // Catalog reads and images are the same for everyone: no session lookup (and no D1 query) for them.
  .use(unless((c) => isCatalogRead(c) || under(c.req.path, "/images"), loadSession))
  .use("/api/*", sameOriginForCookies)
  // Pages link the bundle by its hashed names: read them once per isolate before the first page renders.
  .use(
    unless(
      (c) => under(c.req.path, "/api"),
      (c, next) => loadAssets(c.env.ASSETS).then(next),
    ),
  )
  .route("/api", api)
  .route("/api", docs)
  .route("/", images)
  .route("/", appPages)
  .route("/", docsPage)
  .route("/", deployHook)
  .route("/", unsubscribePage)
  .route("/", pages)
  .notFound((c) => {
    if (!/^\/api(\/|$)/.test(c.req.path)) return notFoundPage(c);
    const allowed = allowedMethods(c.req.path);
    if (allowed.length > 0) {
      return errorResponse(
        c,
        new ApiError(
          "method_not_allowed",
          `${c.req.method} is not allowed here`,
          { allowed },
          { Allow: allowed.join(", ") },
        ),
      );
    }
    return errorResponse(c, new ApiError("not_found", `No route for ${c.req.method} ${c.req.path}`));
  })
  .onError(onError);

/** The app's routes with their inputs and answers, for Hono's typed client in the browser (web/src/lib/api.ts). */
export type AppType = typeof app;

/** Which methods a path has, for 405 answers (computed from the routes above on first use). */
const allowedMethods = methodTable(app.routes);

export default {
  async fetch(request, env, ctx) {
    checkConfigOnce(env);
    const hit = fastCatalogHit(request);
    if (hit) return hit;
    const early = await answerOrderEarly(request, env);
    if (early instanceof Response) return early;
    const res = await app.fetch(early, env, ctx);
    if (early !== request) ctx.waitUntil(releaseUntaken(early, env));
    learnMiddlewareHeaders(request, res);
    return res;
  },
  async queue(batch, env) {
    checkConfigOnce(env);
    if (batch.queue.endsWith("-dlq")) await consumeDeadLetters(batch, env);
    else await consumeEvents(batch, env, SUBSCRIBERS);
  },
  async scheduled(controller, env, ctx) {
    ctx.waitUntil(runScheduled(controller.cron, env, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env>;
