import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call } from "./helpers";

describe("API errors", () => {
  it("answers an unknown route with 404 not_found in the error envelope", async () => {
    const res = await call("GET", "/api/nope");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: "not_found", message: expect.any(String) } });
  });

  it("refuses a non-JSON body with 415 unsupported_media_type", async () => {
    const res = await call("POST", "/api/nope", { raw: "a=b", headers: { "content-type": "text/plain" } });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe("unsupported_media_type");
  });

  it("refuses a body over 64 KiB with 413 payload_too_large", async () => {
    const res = await call("POST", "/api/nope", { body: { pad: "x".repeat(70 * 1024) } });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe("payload_too_large");
  });

  it("sets the API's secure headers on every API answer: nothing loads, nothing frames it", async () => {
    const res = await call("GET", "/api/nope");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("strict-transport-security")).toContain("max-age=");
    expect(res.headers.get("cross-origin-resource-policy")).toBe("same-origin");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    // Headers only a rendered document reads are left off data.
    expect(res.headers.get("cross-origin-opener-policy")).toBeNull();
    expect(res.headers.get("x-xss-protection")).toBeNull();
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });

  it("keeps the document policy on pages", async () => {
    const res = await exports.default.fetch(new Request("http://localhost/definitely-not-a-page"));
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(res.headers.get("cross-origin-opener-policy")).toBe("same-origin");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    await res.arrayBuffer();
  });

  it("refuses the staff feed to an anonymous caller with 401", async () => {
    const res = await call("GET", "/api/admin/live");
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("unauthorized");
  });
});

describe("wrong method on a real path", () => {
  it("answers 405 method_not_allowed with the Allow header", async () => {
    const res = await call("DELETE", "/api/products");
    expect(res.status).toBe(405);
    expect(res.body.error.code).toBe("method_not_allowed");
    expect(res.headers.get("allow")).toContain("GET");
  });

  it("answers 405 for a path with a parameter", async () => {
    const res = await call("PUT", "/api/orders/ord_x/pay", { body: {} });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
  });

  it("still answers 404 for a path that exists under no method", async () => {
    expect((await call("DELETE", "/api/nothing/here")).status).toBe(404);
  });
});

describe("bodies that are not JSON and errors nobody expected", () => {
  it("answers malformed JSON with 400 malformed_json and creates nothing", async () => {
    const res = await call("POST", "/api/orders", {
      raw: '{"items": [',
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("malformed_json");
    const { env } = await import("cloudflare:workers");
    const orders = await env.DB.prepare("SELECT count(*) AS n FROM orders").first<{ n: number }>();
    expect(orders?.n).toBe(0);
  });

  it("answers an unexpected error with 500 internal_error, the request id, and no stack trace", async () => {
    const { Hono } = await import("hono");
    const { requestId } = await import("hono/request-id");
    const { onError } = await import("../src/http/errors");
    const app = new Hono<import("../src/http/app-env").AppEnv>()
      .use(requestId())
      .get("/boom", () => {
        throw new Error("secret internals at db.ts:42");
      })
      .onError(onError);
    const res = await app.request("/boom");
    const body = (await res.json()) as { error: { code: string; message: string; details: { requestId: string } } };
    expect(res.status).toBe(500);
    expect(body.error.code).toBe("internal_error");
    expect(body.error.details.requestId).toBe(res.headers.get("x-request-id"));
    expect(JSON.stringify(body)).not.toContain("secret internals");
    expect(JSON.stringify(body)).not.toContain("db.ts");
  });
});
