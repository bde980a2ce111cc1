import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { freshSku, insertProducts } from "./catalog-fixtures";

async function seedCatalog() {
  await insertProducts(
    Array.from({ length: 5 }, (_, i) => ({
      sku: freshSku("FP"),
      name: `Fast path ${i}`,
      material: "glass",
      colour: "blue",
      priceCents: 1000 + i,
    })),
  );
}

const get = (path: string, headers: Record<string, string> = {}, method = "GET") =>
  exports.default.fetch(new Request(`http://localhost${path}`, { method, headers }));

const headerNames = (res: Response) =>
  [...res.headers.keys()].filter((n) => !["x-request-id", "date", "content-length"].includes(n)).sort();

describe("catalog cache hits answered before routing", () => {
  it("answers a repeated read with the same headers and body as the first, marked HIT", async () => {
    await seedCatalog();
    const first = await get("/api/products?limit=3");
    const firstBody = await first.text();
    const second = await get("/api/products?limit=3");
    expect(second.headers.get("x-cache")).toBe("HIT");
    expect(await second.text()).toBe(firstBody);
    expect(headerNames(second)).toEqual(headerNames(first));
    expect(second.headers.get("content-security-policy")).toBe(first.headers.get("content-security-policy"));
    expect(second.headers.get("x-request-id")).toBeTruthy();
    expect(second.headers.get("x-request-id")).not.toBe(first.headers.get("x-request-id"));
    // A valid id the client sent is kept, as the app's request-id middleware keeps it.
    const traced = await get("/api/products?limit=3", { "x-request-id": "trace-7" });
    expect(traced.headers.get("x-cache")).toBe("HIT");
    expect(traced.headers.get("x-request-id")).toBe("trace-7");
  });

  it("answers a page's hit with the page's security headers and an API hit with the API's", async () => {
    await seedCatalog();
    // The API's answer is learned first: a page's hit must not borrow its policy (the page's scripts would not run).
    for (const path of ["/api/products?limit=2", "/?limit=2"]) {
      const first = await get(path);
      await first.arrayBuffer();
      const second = await get(path);
      await second.arrayBuffer();
      expect(second.headers.get("x-cache")).toBe("HIT");
      expect(headerNames(second)).toEqual(headerNames(first));
      expect(second.headers.get("content-security-policy")).toBe(first.headers.get("content-security-policy"));
    }
    const page = await get("/?limit=2");
    await page.arrayBuffer();
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    const api = await get("/api/products?limit=2");
    await api.arrayBuffer();
    expect(api.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
  });

  it("answers 304 to a matching If-None-Match and an empty body to HEAD", async () => {
    await seedCatalog();
    const first = await get("/api/products?limit=4");
    await first.arrayBuffer();
    const etag = first.headers.get("etag") ?? "";
    const notModified = await get("/api/products?limit=4", { "if-none-match": etag });
    expect(notModified.status).toBe(304);
    expect(await notModified.text()).toBe("");
    const head = await get("/api/products?limit=4", {}, "HEAD");
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });
});
