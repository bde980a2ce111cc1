import { Hono } from "hono";
import { isUpgrade, SESSION_TAG_HEADER } from "../../durable/kit/websocket";
import type { AppEnv } from "../../http/app-env";
import { doc } from "../../http/contract";
import { ApiError } from "../../http/errors";
import { upgradeFor } from "../../http/websocket";

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
  return upgradeFor(c, "feed", (sessionHeaders) => {
    const headers = new Headers(c.req.raw.headers);
    headers.set("x-staff-id", c.get("user")?.id ?? "unknown");
    headers.delete(SESSION_TAG_HEADER);
    for (const [name, value] of Object.entries(sessionHeaders)) headers.set(name, value);
    return c.env.STAFF_FEED.getByName("console").fetch(new Request(c.req.raw, { headers }));
  });
});
