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

  it("sets secure headers on every response", async () => {
    const res = await call("GET", "/api/nope");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(res.headers.get("x-request-id")).toBeTruthy();
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
