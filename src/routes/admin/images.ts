/**
 * /api/admin/images (admins, like the products they illustrate): upload a product image. The body is the
 * image's raw bytes (any declared Content-Type: the format is read from the bytes). Answers where it is stored;
 * the product then takes that URL as its `imageUrl` (POST/PATCH /api/admin/products). Nothing is stored when
 * a check fails. Rules: src/domain/images.ts; storage: src/adapters/images.ts; serving: src/routes/images.ts.
 */
import { Hono } from "hono";
import { storeImage } from "../../adapters/images";
import { ACCEPTED_IMAGE_TYPES, MAX_IMAGE_BYTES } from "../../domain/images";
import type { AppEnv } from "../../http/app-env";
import { doc } from "../../http/contract";
import { ApiError } from "../../http/errors";
import { readRawBody } from "../../http/raw-body";
import { requirePermission } from "../../http/session";
import { UploadedImage } from "../shapes";

const tooLarge = () =>
  new ApiError("image_too_large", `Images are limited to ${MAX_IMAGE_BYTES / (1024 * 1024)} MB`, {
    maxBytes: MAX_IMAGE_BYTES,
  });

const spec = {
  "POST /": doc({
    tag: "admin",
    who: "admin",
    summary: "Upload a product image (JPEG, PNG or WebP, at most 2 MB), stored by content hash",
    ok: 201,
    body: UploadedImage,
    binary: {
      types: ACCEPTED_IMAGE_TYPES,
      description: "The image's bytes. The format is read from its content, not from the declared type.",
    },
    errors: {
      400: "validation_failed: an empty body",
      413: "image_too_large",
      415: "unsupported_image: not a JPEG, PNG or WebP by its content",
    },
  }),
};

export const adminImages = new Hono<AppEnv>()
  .use(requirePermission("products:manage"))
  .post("/", spec["POST /"], async (c) => {
    const body = await readRawBody(c.req.raw, MAX_IMAGE_BYTES);
    if (!body.ok) throw tooLarge();
    const stored = await storeImage(c.env.IMAGES, body.bytes);
    if (!stored.ok) {
      if (stored.reason === "too_large") throw tooLarge();
      if (stored.reason === "empty") {
        throw new ApiError("validation_failed", "The request is not valid", [
          { path: "body", message: "Send the image's bytes as the request body" },
        ]);
      }
      throw new ApiError("unsupported_image", "Upload a JPEG, PNG or WebP image", {
        accepted: ACCEPTED_IMAGE_TYPES,
      });
    }
    return c.json(stored.image, 201);
  });
