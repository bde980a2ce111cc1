import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_IMAGE_BYTES } from "../src/domain/images";
import { accountWithSession, signUp, type TestAccount, withCookie } from "./auth-helpers";
import { BASE, call } from "./helpers";
import { GIF, JPEG, PNG, SVG_AS_PNG, WEBP } from "./image-fixtures";

/** POSTs raw bytes to the upload route, as the console does (`fetch(url, {body: file})`). */
async function upload(account: TestAccount | null, body: BodyInit, headers: Record<string, string> = {}) {
  const res = await exports.default.fetch(
    new Request(`${BASE}/api/admin/images`, {
      method: "POST",
      headers: { ...(account ? withCookie(account.sid) : {}), ...headers },
      body,
    }),
  );
  return { status: res.status, body: (await res.json()) as any };
}

const stored = async () => (await env.IMAGES.list()).objects.map((o) => o.key);

const sha256 = async (bytes: Uint8Array<ArrayBuffer>) =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");

describe("product image uploads", () => {
  it.each([
    ["a JPEG", JPEG, "image/jpeg", "jpg"],
    ["a PNG", PNG, "image/png", "png"],
    ["a WebP", WEBP, "image/webp", "webp"],
  ] as const)("stores %s in R2 under the hash of its content", async (_, bytes, type, ext) => {
    const admin = await accountWithSession("admin");
    // The declared type is deliberately wrong: the bytes decide.
    const res = await upload(admin, bytes, { "content-type": "application/octet-stream" });
    const key = `${await sha256(bytes)}.${ext}`;
    expect(res).toEqual({
      status: 201,
      body: { key, url: `/images/${key}`, contentType: type, bytes: bytes.byteLength },
    });
    const object = await env.IMAGES.get(key);
    expect(object?.httpMetadata?.contentType).toBe(type);
    expect(new Uint8Array(await object!.arrayBuffer())).toEqual(bytes);
  });

  it("gives the same bytes the same URL and a different image a different one", async () => {
    const admin = await accountWithSession("admin");
    const first = await upload(admin, PNG, { "content-type": "image/png" });
    const again = await upload(admin, PNG, { "content-type": "image/png" });
    const other = await upload(admin, WEBP, { "content-type": "image/webp" });
    expect(again.body.url).toBe(first.body.url);
    expect(other.body.url).not.toBe(first.body.url);
  });

  it("refuses bytes that are not a JPEG, PNG or WebP whatever their declared type, and stores nothing", async () => {
    const admin = await accountWithSession("admin");
    const before = await stored();
    for (const bytes of [SVG_AS_PNG, GIF]) {
      const res = await upload(admin, bytes, { "content-type": "image/png" });
      expect(res).toEqual({
        status: 415,
        body: {
          error: {
            code: "unsupported_image",
            message: "Upload a JPEG, PNG or WebP image",
            details: { accepted: ["image/jpeg", "image/png", "image/webp"] },
          },
        },
      });
    }
    expect(await stored()).toEqual(before);
  });

  it("refuses an image over 2 MB, with or without a declared length, and stores nothing", async () => {
    const admin = await accountWithSession("admin");
    const before = await stored();
    const big = new Uint8Array(MAX_IMAGE_BYTES + 1);
    big.set(PNG);
    const declared = await upload(admin, big, { "content-type": "image/png" });
    expect(declared.status).toBe(413);
    expect(declared.body.error).toEqual({
      code: "image_too_large",
      message: "Images are limited to 2 MB",
      details: { maxBytes: MAX_IMAGE_BYTES },
    });
    // A streamed body has no Content-Length: the cap holds while reading.
    const chunks = [big.slice(0, 1024 * 1024), big.slice(1024 * 1024)];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const streamed = await upload(admin, stream, { "content-type": "image/png" });
    expect(streamed.status).toBe(413);
    expect(streamed.body.error.code).toBe("image_too_large");
    expect(await stored()).toEqual(before);
  });

  it("accepts an image of exactly 2 MB", async () => {
    const admin = await accountWithSession("admin");
    const edge = new Uint8Array(MAX_IMAGE_BYTES);
    edge.set(JPEG);
    const res = await upload(admin, edge, { "content-type": "image/jpeg" });
    expect(res.status).toBe(201);
    expect(res.body.bytes).toBe(MAX_IMAGE_BYTES);
  });

  it("refuses an empty body with validation_failed", async () => {
    const admin = await accountWithSession("admin");
    const res = await upload(admin, new Uint8Array(), { "content-type": "image/png" });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
  });

  it("refuses shoppers, anonymous callers and staff without product rights, storing nothing", async () => {
    const before = await stored();
    expect((await upload(null, PNG, { "content-type": "image/png" })).status).toBe(401);
    const shopper = await signUp();
    const asShopper = await upload(shopper, PNG, { "content-type": "image/png" });
    expect(asShopper.status).toBe(403);
    expect(asShopper.body.error.code).toBe("forbidden");
    const staff = await accountWithSession("staff");
    expect((await upload(staff, PNG, { "content-type": "image/png" })).status).toBe(403);
    expect(await stored()).toEqual(before);
  });

  it("refuses an upload from another site that rides the admin's cookie", async () => {
    const admin = await accountWithSession("admin");
    const res = await upload(admin, PNG, { "content-type": "image/png", origin: "https://evil.example" });
    expect(res.status).toBe(403);
  });
});

describe("serving product images", () => {
  it("serves a stored image with its type and a year-long immutable cache", async () => {
    const admin = await accountWithSession("admin");
    const { body } = await upload(admin, WEBP, { "content-type": "image/webp" });
    const res = await exports.default.fetch(new Request(`${BASE}${body.url}`));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/webp");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("etag")).toBe(`"${body.key.split(".")[0]}"`);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(WEBP);

    const revalidated = await exports.default.fetch(
      new Request(`${BASE}${body.url}`, { headers: { "if-none-match": res.headers.get("etag")! } }),
    );
    expect(revalidated.status).toBe(304);
  });

  it("answers 404 for an unknown key or a name that is not a key, without a long cache", async () => {
    for (const path of [`/images/${"0".repeat(64)}.png`, "/images/..%2Fsecret", "/images/NEW-SKU.svg"]) {
      const res = await exports.default.fetch(new Request(`${BASE}${path}`));
      expect(res.status, path).toBe(404);
      expect(res.headers.get("cache-control") ?? "", path).not.toContain("immutable");
      await res.body?.cancel();
    }
  });

  it("lets a product use an uploaded image, and the storefront shows it", async () => {
    const admin = await accountWithSession("admin");
    const { body: image } = await upload(admin, PNG, { "content-type": "image/png" });
    const sku = `IMG-${crypto.randomUUID().slice(0, 6).toUpperCase()}`;
    const created = await call("POST", "/api/admin/products", {
      headers: withCookie(admin.sid),
      body: {
        sku,
        name: "Photo Bracelet",
        description: "",
        material: "silver",
        colour: "grey",
        priceCents: 2500,
        initialStock: 3,
        imageUrl: image.url,
      },
    });
    expect(created.status).toBe(201);
    expect((await call("GET", `/api/products/${sku}`)).body.imageUrl).toBe(image.url);
    const page = await call("GET", `/products/${sku}`);
    expect(page.body).toContain(`src="${image.url}"`);
  });

  it("draws a placeholder for a product without an image instead of a broken image", async () => {
    const admin = await accountWithSession("admin");
    const sku = `NOIMG-${crypto.randomUUID().slice(0, 6).toUpperCase()}`;
    const created = await call("POST", "/api/admin/products", {
      headers: withCookie(admin.sid),
      body: {
        sku,
        name: "Plain Cord",
        description: "",
        material: "cotton",
        colour: "orange",
        priceCents: 900,
        initialStock: 2,
      },
    });
    expect(created.status).toBe(201);
    expect((await call("GET", `/api/products/${sku}`)).body.imageUrl).toBe("");

    const page = (await call("GET", `/products/${sku}`)).body as string;
    const detail = /<article class="product-detail"[\s\S]*?<\/article>/.exec(page)?.[0] ?? "";
    expect(detail).toContain('role="img" aria-label="Plain Cord, an orange cotton bracelet (no photo yet)"');
    expect(detail).toContain("No photo yet");
    expect(detail).not.toContain("<img");

    const catalog = (await call("GET", "/?q=Plain+Cord")).body as string;
    const card = new RegExp(`<li class="product-card" data-sku="${sku}">[\\s\\S]*?</li>`).exec(catalog)?.[0] ?? "";
    expect(card).toContain("data-placeholder");
    expect(card).not.toContain("<img");
  });
});
