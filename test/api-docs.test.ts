import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { EVENT_TYPES } from "../src/domain/events";
import * as shapes from "../src/routes/shapes";
import { app } from "../src/worker";
import { call } from "./helpers";
import { placeOrder, product, signedIn } from "./order-fixtures";

type Operation = {
  operationId?: string;
  summary?: string;
  "x-who"?: string;
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> };
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
};
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>> };

/** The documents describe the API and are not operations of it (hono-openapi leaves out `*.json` paths). */
const DOCUMENTS = new Set(["/api/openapi.json", "/api/asyncapi.json"]);

const openApi = async () => (await call<Doc>("GET", "/api/openapi.json")).body;
const params = (op: Operation | undefined, where: string) =>
  (op?.parameters ?? []).filter((p) => p.in === where).map((p) => p.name);

describe("API documents", () => {
  it("publishes an OpenAPI 3.1 document with the contract's paths and request schemas", async () => {
    const res = await call("GET", "/api/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\.1/);
    const create = res.body.paths["/api/orders"].post;
    expect(create.requestBody.content["application/json"].schema.properties).toHaveProperty("items");
    expect(create.parameters.map((p: { name: string }) => p.name)).toContain("Idempotency-Key");
    for (const path of [
      "/api/products/{sku}/stock",
      "/api/orders/{id}/pay",
      "/api/admin/inventory/{sku}/adjustments",
      "/api/webhooks/payments",
      "/api/subscriptions/{id}",
      "/api/plans",
    ]) {
      expect(res.body.paths, path).toHaveProperty([path]);
    }
  });

  it("documents every /api route the app serves, with who may call it and its success answer", async () => {
    const doc = await openApi();
    const routes = app.routes.filter((r) => r.method !== "ALL" && r.path.startsWith("/api/") && !DOCUMENTS.has(r.path));
    expect(routes.length).toBeGreaterThan(40);
    const missing: string[] = [];
    for (const route of routes) {
      const path = route.path.replace(/:(\w+)/g, "{$1}");
      const op = doc.paths[path]?.[route.method.toLowerCase()];
      const ok = Object.keys(op?.responses ?? {}).filter((s) => /^[12]\d\d$/.test(s));
      if (!op?.summary || !op["x-who"] || ok.length === 0) missing.push(`${route.method} ${route.path}`);
    }
    expect([...new Set(missing)]).toEqual([]);
  });

  it("documents every query the routes check and the headers their middleware reads", async () => {
    const { paths } = await openApi();
    expect(params(paths["/api/products"]?.get, "query")).toEqual(
      expect.arrayContaining(["q", "material", "colour", "minPrice", "maxPrice", "sort", "limit", "cursor"]),
    );
    expect(params(paths["/api/admin/events"]?.get, "query")).toEqual(expect.arrayContaining(["type", "limit"]));
    expect(params(paths["/api/admin/orders"]?.get, "query")).toEqual(expect.arrayContaining(["status", "limit"]));
    expect(params(paths["/api/account/orders"]?.get, "query")).toEqual(expect.arrayContaining(["cursor", "limit"]));
    expect(params(paths["/api/orders/{id}/live"]?.get, "query")).toEqual(expect.arrayContaining(["since", "token"]));
    expect(params(paths["/api/subscriptions"]?.post, "header")).toContain("Idempotency-Key");
    expect(params(paths["/api/orders/{id}"]?.get, "path")).toEqual(["id"]);
    // Queries are documented as sent: `limit` is a string in the URL before the route makes it a number.
    const limit = paths["/api/admin/events"]?.get?.parameters?.find((p) => p.name === "limit") as
      | { schema: { type: string } }
      | undefined;
    expect(limit?.schema.type).toBe("string");
  });

  it("documents success bodies and the error envelope for failures", async () => {
    const { paths } = await openApi();
    const view = paths["/api/orders/{id}"]!.get!;
    const ok = view.responses["200"]!.content!["application/json"]!.schema as { properties: object };
    expect(ok.properties).toHaveProperty("timeline");
    expect(view.responses["404"]!.content!["application/json"]!.schema).toEqual({ $ref: "#/components/schemas/Error" });
    expect(paths["/api/admin/staff"]!.get!.responses).toHaveProperty("403");
    expect(paths["/api/orders"]!.post!.responses).toHaveProperty("400");
    expect(paths["/api/orders"]!.post!.responses).toHaveProperty("201");
    expect(
      paths["/api/webhooks/payments"]!.post!.requestBody!.content["application/json"]!.schema.properties,
    ).toHaveProperty("data");
  });

  it("declares response shapes that the real answers match", async () => {
    const sku = await product();
    const placed = await placeOrder([{ sku, qty: 1 }]);
    expect(v.safeParse(shapes.CreatedOrder, placed.body).issues).toBeUndefined();
    const viewed = await call("GET", `/api/orders/${placed.id}`, { headers: placed.auth });
    expect(v.safeParse(shapes.OrderShape, viewed.body).issues).toBeUndefined();
    const catalog = await call("GET", "/api/products");
    expect(v.safeParse(shapes.ProductPage, catalog.body).issues).toBeUndefined();
    const stock = await call("GET", `/api/products/${sku}/stock`);
    expect(v.safeParse(shapes.StockLevel, stock.body).issues).toBeUndefined();
    const plans = await call("GET", "/api/plans");
    expect(v.safeParse(shapes.PlanList, plans.body).issues).toBeUndefined();
    const staff = await signedIn("admin");
    const me = await call("GET", "/api/me", { headers: staff.headers });
    expect(v.safeParse(shapes.UserEnvelope, me.body).issues).toBeUndefined();
    const adminView = await call("GET", `/api/admin/orders/${placed.id}`, { headers: staff.headers });
    expect(v.safeParse(shapes.OrderShape, adminView.body).issues).toBeUndefined();
    const list = await call("GET", "/api/admin/orders", { headers: staff.headers });
    expect(v.safeParse(shapes.OrderList, list.body).issues).toBeUndefined();
    const events = await call("GET", "/api/admin/events", { headers: staff.headers });
    expect(v.safeParse(shapes.EventPage, events.body).issues).toBeUndefined();
    const inventory = await call("GET", "/api/admin/inventory", { headers: staff.headers });
    expect(v.safeParse(shapes.InventoryPage, inventory.body).issues).toBeUndefined();
    const staffList = await call("GET", "/api/admin/staff", { headers: staff.headers });
    expect(v.safeParse(shapes.StaffList, staffList.body).issues).toBeUndefined();
    const products = await call("GET", "/api/admin/products", { headers: staff.headers });
    expect(v.safeParse(shapes.CatalogRows, products.body).issues).toBeUndefined();
  });

  it("publishes an AsyncAPI document with one message per domain event", async () => {
    const res = await call("GET", "/api/asyncapi.json");
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.components.messages).sort()).toEqual([...EVENT_TYPES].sort());
    const adjusted = res.body.components.messages.InventoryAdjusted.payload.properties.data;
    expect(adjusted.properties).toHaveProperty("before");
  });

  it("renders every operation of the OpenAPI document at /docs, with who may call it and a Try-it form", async () => {
    const doc = await openApi();
    const res = await call("GET", "/docs");
    expect(res.status).toBe(200);
    const html = String(res.body);
    const missing: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const anchor = `id="op-${op.operationId}"`;
        if (!html.includes(anchor)) missing.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(missing).toEqual([]);
    expect(html).toContain("Anyone.");
    expect(html).toContain('data-path="/api/orders/{id}/pay"');
    expect(html).toContain("Idempotency-Key");
    // No inline script and no nonce: /docs has the same policy as every page, scripts from our own origin only.
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self';");
  });
});
