import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../src/worker";
import { freshSku, insertProducts } from "./catalog-fixtures";

const KEY = crypto.randomUUID();
/** The Worker as `npm run deploy` leaves it: its version carries this deploy's key. */
const deployed = { ...env, DEPLOY_KEY: KEY } as Env;

async function request(path: string, init: RequestInit = {}, withEnv: Env = deployed) {
  const ctx = createExecutionContext();
  const res = await app.request(`http://localhost${path}`, init, withEnv, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

const purge = (authorization?: string, withEnv?: Env) =>
  request("/_deploy/purge", { method: "POST", headers: authorization ? { authorization } : {} }, withEnv);

describe("the deploy's purge of cached pages", () => {
  it("purges every cached page with this deploy's key, so a product page cached before is built again", async () => {
    const sku = freshSku();
    await insertProducts([{ sku, name: "Deploy Day Cord", material: "cord", colour: "red", priceCents: 1200 }]);
    await request(`/products/${sku}`);
    const cached = await request(`/products/${sku}`);
    expect(cached.headers.get("x-cache")).toBe("HIT");
    expect(cached.headers.get("cache-tag")?.split(",")).toContain("pages");

    const res = await purge(`Bearer ${KEY}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ purged: ["pages", "catalog"] });
    expect((await request(`/products/${sku}`)).headers.get("x-cache")).toBe("MISS");
  });

  it("tags the catalog's pages too, and not its JSON answers, which link no assets", async () => {
    const page = await request("/");
    expect(page.headers.get("cache-tag")?.split(",")).toEqual(expect.arrayContaining(["pages", "catalog"]));
    const json = await request("/api/products");
    expect(json.headers.get("cache-tag")?.split(",")).not.toContain("pages");
  });

  it("refuses another key (the previous version's, or a guess) with 401 and purges nothing", async () => {
    const sku = freshSku();
    await insertProducts([{ sku, name: "Kept Cord", material: "cord", colour: "blue", priceCents: 1300 }]);
    await request(`/products/${sku}`);
    expect((await purge(`Bearer ${crypto.randomUUID()}`)).status).toBe(401);
    expect((await purge()).status).toBe(401);
    expect((await request(`/products/${sku}`)).headers.get("x-cache")).toBe("HIT");
  });

  it("does not exist where no deploy gave a key (local dev, tests)", async () => {
    const res = await purge(`Bearer ${KEY}`, env as Env);
    expect(res.status).toBe(404);
  });
});
