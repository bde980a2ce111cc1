import { describe, expect, it } from "vitest";
import { call } from "./helpers";

describe("app shells", () => {
  it("serves the staff console shell at /admin and below, never cached", async () => {
    for (const path of ["/admin", "/admin/", "/admin/events", "/admin/orders/ord_123"]) {
      const res = await call("GET", path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toContain("text/html");
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(String(res.body)).toContain('data-island="ConsoleApp"');
    }
  });

  it("serves the account app shell at /account and below, never cached", async () => {
    for (const path of ["/account", "/account/", "/account/login?next=%2Fadmin", "/account/signup"]) {
      const res = await call("GET", path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(String(res.body)).toContain('data-island="AccountApp"');
    }
  });
});
