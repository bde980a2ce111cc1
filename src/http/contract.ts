/**
 * One contract source: each route declares itself where it is defined, and `GET /api/openapi.json` is generated
 * from the routes (src/routes/docs.ts). A route adds `doc({...})` before its validators and handler:
 *
 *   .post("/:id/pay", doc({ tag: "orders", who: "owner", summary: "…", ok: 202, body: PayAccepted }), idempotent(…),
 *         validate("json", PaySchema), async (c) => …)
 *
 * Request bodies and queries are documented by `validate(...)` itself; `idempotent(...)` adds its header. How to
 * declare a new route: docs/api.md.
 */
import type { StandardSchemaV1 } from "@standard-schema/spec";
import { toJsonSchema } from "@valibot/to-json-schema";
import { type DescribeRouteOptions, describeRoute, resolver, uniqueSymbol } from "hono-openapi";
import type { OpenAPIV3_1 } from "openapi-types";
import type * as v from "valibot";
import { ERROR_STATUS } from "./errors";

/** Who may call a route. Each has its own failure statuses and sentence in the document. */
export type Who = "anyone" | "owner" | "customer" | "staff" | "admin" | "gateway";

export const WHO: Record<Who, { text: string; errors: Record<number, string> }> = {
  anyone: { text: "Anyone.", errors: {} },
  owner: {
    text: "The customer who placed it (session cookie) or a guest with `Authorization: Bearer <accessToken>`; staff. Others get 404.",
    errors: { 404: "No such order, or not yours" },
  },
  customer: { text: "A signed-in person (session cookie `__Host-sid`).", errors: { 401: "Not signed in" } },
  staff: {
    text: "Staff or admin; 401 anonymous, 403 customers.",
    errors: { 401: "Not signed in", 403: "Not staff" },
  },
  admin: { text: "Admin only; 401 anonymous, 403 others.", errors: { 401: "Not signed in", 403: "Not an admin" } },
  gateway: { text: "The payment gateway, HMAC-signed.", errors: { 401: "invalid_signature" } },
};

/** The error envelope every failure is answered with (DESIGN.md, "Error codes"). */
export const ErrorEnvelope: OpenAPIV3_1.SchemaObject = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string", enum: Object.keys(ERROR_STATUS) },
        message: { type: "string" },
        details: {},
      },
    },
  },
};

export const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

export type RouteDoc = {
  tag: string;
  who: Who;
  summary: string;
  /** The success status; 200 unless said. 101 for a WebSocket upgrade. */
  ok?: number;
  /** The success body's schema (valibot). Omit for 204 and WebSocket routes. */
  body?: StandardSchemaV1;
  /** Extra failure statuses this route answers, beyond those of `who` and validation. */
  errors?: Record<number, string>;
  /** The JSON body of a route that parses it by hand (not through `validate("json", …)`). */
  request?: StandardSchemaV1;
  /** A raw (non-JSON) request body: the media types it may be and what it is (an image upload). */
  binary?: { types: readonly string[]; description: string };
  /**
   * Query parameters a route reads by hand, by name with a description; or the object schema of a query whose
   * validator's own input is not an object (the catalog's takes any record and keeps the known keys).
   */
  query?: Record<string, string> | v.ObjectSchema<v.ObjectEntries, undefined>;
  websocket?: true;
};

/** The route's declaration for the OpenAPI document: put it first in the route's handlers. */
export function doc(d: RouteDoc) {
  const ok = d.ok ?? (d.websocket ? 101 : 200);
  const responses: DescribeRouteOptions["responses"] = {
    [ok]: {
      description: d.websocket ? "Switching protocols" : ok === 204 ? "No content" : "Success",
      ...(d.body ? { content: { "application/json": { schema: resolver(d.body, TYPE_OUTPUT) } } } : {}),
    },
  };
  for (const [status, text] of Object.entries({ ...WHO[d.who].errors, ...d.errors })) {
    responses[status] = errorResponse(text);
  }
  const parameters = queryParameters(d.query);
  return describeRoute({
    // Spec extension: read by test/api-docs.test.ts and anyone auditing who may call what.
    ...({ "x-who": d.who } as object),
    tags: [d.tag],
    summary: d.summary,
    description: `${WHO[d.who].text}${d.websocket ? " Upgrade to a WebSocket." : ""}`,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(d.request
      ? {
          requestBody: { required: true, content: { "application/json": { schema: resolver(d.request, TYPE_INPUT) } } },
        }
      : {}),
    ...(d.binary
      ? {
          requestBody: {
            required: true,
            description: d.binary.description,
            content: Object.fromEntries(
              d.binary.types.map((type) => [type, { schema: { type: "string", format: "binary" } }]),
            ),
          },
        }
      : {}),
    responses,
  });
}

function queryParameters(query: RouteDoc["query"]): OpenAPIV3_1.ParameterObject[] {
  if (!query) return [];
  if ("kind" in query && query.kind === "schema") {
    const json = toJsonSchema(query as v.GenericSchema, { errorMode: "ignore", typeMode: "input" });
    return Object.entries(json.properties ?? {}).map(([name, schema]) => ({
      name,
      in: "query",
      required: (json.required ?? []).includes(name),
      schema: schema as never,
    }));
  }
  return Object.entries(query as Record<string, string>).map(([name, description]) => ({
    name,
    in: "query",
    required: false,
    description,
    schema: { type: "string" },
  }));
}

/** Request schemas are documented as the client sends them (a query's `limit` is a string before it is a number). */
export const TYPE_INPUT = { options: { typeMode: "input" } };
const TYPE_OUTPUT = { options: { typeMode: "output" } };

/** Whatever the route, a failure is the envelope. */
const DEFAULT_ERRORS = { default: errorResponse("Error envelope") };

export const OPENAPI_OPTIONS = {
  documentation: {
    info: {
      title: "Bracelet Shop API",
      version: "1.0.0",
      description: "Money in integer minor units; IDs are opaque strings; every error is the envelope `Error`.",
    },
    components: { schemas: { Error: ErrorEnvelope } },
  },
  defaultOptions: Object.fromEntries(
    (["GET", "POST", "PATCH", "PUT", "DELETE"] as const).map((m) => [m, { responses: DEFAULT_ERRORS }]),
  ),
  defaultValidationErrorResponse: errorResponse("validation_failed or malformed_json"),
};

/** A middleware that documents what it adds to every route it guards (a header, its failure statuses). */
export function documented<M extends object>(spec: DescribeRouteOptions, middleware: M): M {
  return Object.assign(middleware, { [uniqueSymbol]: { spec } });
}
