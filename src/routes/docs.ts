/**
 * The API's own documentation: `GET /api/openapi.json` (HTTP) is generated from the routes themselves (each
 * declares itself with `doc()` and `validate()`, src/http/contract.ts; docs/api.md), `GET /api/asyncapi.json`
 * (domain events on the queue) from the events' schemas, and `/docs` is the interactive reference rendered from the
 * OpenAPI document (src/pages/api-reference.tsx). Documents are built once per isolate: the routes never change
 * while it runs.
 */
import { toJsonSchema } from "@valibot/to-json-schema";
import { Hono } from "hono";
import { generateSpecs } from "hono-openapi";
import type * as v from "valibot";
import { EVENT_SOURCES, EVENT_TYPES, EventDataSchemas } from "../domain/events";
import type { AppEnv } from "../http/app-env";
import { OPENAPI_OPTIONS } from "../http/contract";
import { ApiReference, type OpenApiDoc } from "../pages/api-reference";
import { renderPage } from "../pages/render";
import { api } from "./api";

/** The OpenAPI 3.1 document of every route under /api. */
export function buildOpenApi() {
  return generateSpecs(new Hono<AppEnv>().route("/api", api), OPENAPI_OPTIONS as never);
}

export function buildAsyncApi(): Record<string, unknown> {
  const messages: Record<string, unknown> = {};
  for (const type of EVENT_TYPES) {
    messages[type] = {
      name: type,
      title: type,
      summary: `Published by ${EVENT_SOURCES[type]}`,
      contentType: "application/json",
      payload: {
        type: "object",
        required: ["id", "type", "version", "occurredAt", "source", "subject", "data"],
        properties: {
          id: { type: "string" },
          type: { type: "string", const: type },
          version: { type: "integer" },
          occurredAt: { type: "integer", description: "ms since the epoch" },
          source: { type: "string", const: EVENT_SOURCES[type] },
          subject: { type: "string" },
          data: toJsonSchema(EventDataSchemas[type] as v.GenericSchema, { errorMode: "ignore" }),
        },
      },
    };
  }
  return {
    asyncapi: "3.0.0",
    info: {
      title: "Bracelet Shop domain events",
      version: "1.0.0",
      description: "Delivered at least once through the shop-events queue; consumers deduplicate by id.",
    },
    channels: {
      "shop-events": {
        address: "shop-events",
        messages: Object.fromEntries(EVENT_TYPES.map((t) => [t, { $ref: `#/components/messages/${t}` }])),
      },
    },
    operations: {
      publishEvents: { action: "send", channel: { $ref: "#/channels/shop-events" } },
    },
    components: { messages },
  };
}

let openapi: Promise<string> | null = null;
let asyncapi: string | null = null;

const JSON_DOC = { "content-type": "application/json", "cache-control": "public, max-age=300" };

/** Mounted on /api beside the resource routers (not inside them: the document is generated from them). */
export const docs = new Hono<AppEnv>()
  .get("/openapi.json", async (c) => {
    openapi ??= buildOpenApi().then((doc) => JSON.stringify(doc));
    return c.body(await openapi, 200, JSON_DOC);
  })
  .get("/asyncapi.json", (c) => {
    asyncapi ??= JSON.stringify(buildAsyncApi());
    return c.body(asyncapi, 200, JSON_DOC);
  });

/** GET /docs: the reference, server-rendered from the same document as /api/openapi.json. */
export const docsPage = new Hono<AppEnv>().get("/docs", async (c) => {
  openapi ??= buildOpenApi().then((doc) => JSON.stringify(doc));
  return renderPage(c, ApiReference({ doc: JSON.parse(await openapi) as OpenApiDoc }));
});
