import { Hono } from "hono";
import { isUpgrade } from "../../durable/websocket";
import type { AppEnv } from "../../http/app-env";
import { doc } from "../../http/contract";
import { ApiError } from "../../http/errors";
import { relayUpgrade } from "../../http/websocket";

/** Each route's contract for the OpenAPI document (docs/api.md), keyed by method and path. */
const spec = {
  "GET /": doc({
    tag: "admin",
    who: "staff",
    summary: "WebSocket: every domain event, for the console",
    websocket: true,
    errors: { 400: "Not a WebSocket upgrade" },
  }),
};

/** GET /api/admin/live: the staff console's WebSocket of domain events (held by the StaffFeed object). */
export const adminLive = new Hono<AppEnv>().get("/", spec["GET /"], async (c) => {
  if (!isUpgrade(c.req.raw)) {
    throw new ApiError("validation_failed", "Connect with a WebSocket upgrade");
  }
  const headers = new Headers(c.req.raw.headers);
  headers.set("x-staff-id", c.get("user")?.id ?? "unknown");
  return relayUpgrade(await c.env.STAFF_FEED.getByName("console").fetch(new Request(c.req.raw, { headers })));
});
