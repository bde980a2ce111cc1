/**
 * Entry point: the Hono app for HTTP, the queue consumers of the event bus, the cron triggers, and the
 * Durable Object classes the runtime instantiates.
 */
import { Hono } from "hono";
import { csrf } from "hono/csrf";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "./http/app-env";
import { ApiError, errorResponse, onError } from "./http/errors";
import { jsonBodiesOnly, limitBody, sameOriginForCookies } from "./http/guards";
import { loadSession } from "./http/session";
import { api } from "./routes/api";
import { appPages } from "./routes/app-pages";
import { consumeDeadLetters, consumeEvents } from "./services/event-consumer";
import { runScheduled } from "./services/scheduled";
import { SUBSCRIBERS } from "./services/subscribers";

export { OrderFlow } from "./durable/order-flow";
export { ProductStock } from "./durable/product-stock";
export { StaffFeed } from "./durable/staff-feed";

export const app = new Hono<AppEnv>()
  .use(requestId())
  .use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:"],
        connectSrc: ["'self'", "ws:", "wss:"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        baseUri: ["'self'"],
      },
      crossOriginEmbedderPolicy: false,
    }),
  )
  .use("/api/*", limitBody, jsonBodiesOnly, csrf())
  .use(loadSession)
  .use("/api/*", sameOriginForCookies)
  .route("/api", api)
  .route("/", appPages)
  .notFound((c) => errorResponse(c, new ApiError("not_found", `No route for ${c.req.method} ${c.req.path}`)))
  .onError(onError);

export default {
  fetch: app.fetch,
  async queue(batch, env) {
    if (batch.queue.endsWith("-dlq")) await consumeDeadLetters(batch, env);
    else await consumeEvents(batch, env, SUBSCRIBERS);
  },
  async scheduled(controller, env, ctx) {
    ctx.waitUntil(runScheduled(controller.cron, env, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env>;
