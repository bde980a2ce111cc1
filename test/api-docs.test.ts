import { describe, expect, it } from "vitest";
import { EVENT_TYPES } from "../src/domain/events";
import { call } from "./helpers";

describe("API documents", () => {
  it("publishes an OpenAPI document with the contract's paths and request schemas", async () => {
    const res = await call("GET", "/api/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
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

  it("publishes an AsyncAPI document with one message per domain event", async () => {
    const res = await call("GET", "/api/asyncapi.json");
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.components.messages).sort()).toEqual([...EVENT_TYPES].sort());
    const adjusted = res.body.components.messages.InventoryAdjusted.payload.properties.data;
    expect(adjusted.properties).toHaveProperty("before");
  });

  it("renders the human-readable /docs page", async () => {
    const res = await call("GET", "/docs");
    expect(res.status).toBe(200);
    expect(String(res.body)).toContain("/api/orders/{id}/live");
    expect(String(res.body)).toContain("OrderConfirmed");
  });
});
