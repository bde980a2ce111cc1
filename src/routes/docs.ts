/**
 * The API's own documentation: `GET /api/openapi.json` (HTTP) is generated from the routes themselves (each
 * declares itself with `doc()` and `validate()`, src/http/contract.ts; docs/api.md), `GET /api/asyncapi.json`
 * (domain events on the queue) from the events' schemas, and `/docs` is Scalar's interactive reference over the
 * OpenAPI document. Documents are built once per isolate: the routes never change while it runs.
 */
import { Scalar } from "@scalar/hono-api-reference";
import { toJsonSchema } from "@valibot/to-json-schema";
import { Hono } from "hono";
import { generateSpecs } from "hono-openapi";
import type * as v from "valibot";
import { EVENT_SOURCES, EVENT_TYPES, EventDataSchemas } from "../domain/events";
import type { AppEnv } from "../http/app-env";
import { OPENAPI_OPTIONS } from "../http/contract";
import { api } from "./api";

/** Where the build puts Scalar's standalone script (vite.config.ts copies it from node_modules). */
export const SCALAR_SCRIPT = "/assets/scalar/standalone.js";

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

/**
 * GET /docs: Scalar's reference, its script from our own assets. The page starts it with one inline script,
 * allowed by this response's nonce (src/worker.ts gives /docs a CSP with one); fonts stay local.
 */
export const docsPage = new Hono<AppEnv>().get(
  "/docs",
  // Scalar's page names no language (WCAG 3.1.1, axe html-has-lang): the reference is in English.
  async (c, next) => {
    await next();
    const html = (await c.res.text()).replace("<html>", '<html lang="en">');
    c.res = new Response(html, c.res);
  },
  Scalar<AppEnv>((c) => ({
    url: "/api/openapi.json",
    pageTitle: "Bracelet Shop API",
    cdn: SCALAR_SCRIPT,
    nonce: c.get("secureHeadersNonce"),
    withDefaultFonts: false,
    hideClientButton: true,
    telemetry: false,
    // The AI agent and anything else that calls other hosts: the page talks to this origin only.
    agent: { disabled: true },
  })),
);
