/**
 * GET /images/:key: product images uploaded in the console, from R2. The key is the SHA-256 of the content
 * (src/domain/images.ts), so a URL never changes meaning: browsers and the edge keep it for a year without
 * asking again, and a new upload gets a new URL. The seeded drawings (`/images/BR-001.svg`) are static assets
 * and never reach the Worker; only names that are not files do.
 */
import { Hono } from "hono";
import { readImage } from "../adapters/images";
import { contentTypeOfKey, isImageKey } from "../domain/images";
import type { AppEnv } from "../http/app-env";
import { notFoundPage } from "../pages/not-found";

export const IMMUTABLE = "public, max-age=31536000, immutable";

export const images = new Hono<AppEnv>().get("/images/:key", async (c) => {
  const key = c.req.param("key");
  if (!isImageKey(key)) return notFoundPage(c);
  const etag = `"${key.split(".")[0]}"`;
  const headers = {
    "Content-Type": contentTypeOfKey(key) ?? "application/octet-stream",
    "Cache-Control": IMMUTABLE,
    ETag: etag,
    // The bytes were checked to be an image on upload; never let a browser guess otherwise.
    "X-Content-Type-Options": "nosniff",
  };
  // A revalidation needs only to know the image is still there, not its bytes.
  if (c.req.header("if-none-match") === etag) {
    return (await c.env.IMAGES.head(key)) ? c.body(null, 304, headers) : notFoundPage(c);
  }
  const object = await readImage(c.env.IMAGES, key);
  if (!object) return notFoundPage(c);
  return c.body(object.body, 200, { ...headers, "Content-Length": String(object.size) });
});
