/**
 * Product images in R2 (`IMAGES`): storing an upload under the hash of its content, and reading one back.
 * The rules (accepted formats, size, key shape) are in src/domain/images.ts; this file only does the I/O.
 */
import { type ImageKind, imageKey, imagePath, isImageKey, MAX_IMAGE_BYTES, sniffImage } from "../domain/images";

export type StoredImage = { key: string; url: string; contentType: ImageKind["contentType"]; bytes: number };

export type StoreImageResult =
  | { ok: true; image: StoredImage; created: boolean }
  | { ok: false; reason: "empty" | "too_large" | "unsupported" };

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Checks the upload and stores it. Nothing is written unless every check passed. The same bytes uploaded
 * twice are one object: the second upload finds it and writes nothing.
 */
export async function storeImage(bucket: R2Bucket, bytes: Uint8Array<ArrayBuffer>): Promise<StoreImageResult> {
  if (bytes.byteLength === 0) return { ok: false, reason: "empty" };
  if (bytes.byteLength > MAX_IMAGE_BYTES) return { ok: false, reason: "too_large" };
  const kind = sniffImage(bytes);
  if (!kind) return { ok: false, reason: "unsupported" };
  const key = imageKey(await sha256Hex(bytes), kind);
  const image = { key, url: imagePath(key), contentType: kind.contentType, bytes: bytes.byteLength };
  if (await bucket.head(key)) return { ok: true, image, created: false };
  await bucket.put(key, bytes, { httpMetadata: { contentType: kind.contentType } });
  return { ok: true, image, created: true };
}

/** The stored image for `key`, or null (an unknown key, or a string that is not a key at all). */
export async function readImage(bucket: R2Bucket, key: string): Promise<R2ObjectBody | null> {
  if (!isImageKey(key)) return null;
  return bucket.get(key);
}
