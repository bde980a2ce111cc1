/**
 * Product images: which uploads the shop accepts and how a stored image is named. Pure rules, no I/O.
 *
 * The type is read from the content's first bytes (the format's signature), never from the file name or the
 * declared Content-Type, which the uploader controls. An image is stored under the SHA-256 of its bytes, so
 * its URL names exactly one content: a new upload gets a new URL and the old one can be cached for ever.
 */

/** Uploads larger than this are refused (2 MiB: a product photo at 1600 px compresses well below it). */
export const MAX_IMAGE_BYTES = 2 * 1024 * 1024;

export type ImageKind = { contentType: "image/jpeg" | "image/png" | "image/webp"; ext: "jpg" | "png" | "webp" };

export const ACCEPTED_IMAGE_TYPES = ["image/jpeg", "image/png", "image/webp"] as const;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const ascii = (bytes: Uint8Array, from: number, text: string) =>
  [...text].every((ch, i) => bytes[from + i] === ch.charCodeAt(0));

/** The image format the bytes start with, or null when they are none of JPEG, PNG or WebP. */
export function sniffImage(bytes: Uint8Array): ImageKind | null {
  // JPEG: SOI marker FF D8 followed by the next marker's FF.
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return { contentType: "image/jpeg", ext: "jpg" };
  }
  if (bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) {
    return { contentType: "image/png", ext: "png" };
  }
  // WebP: a RIFF container ("RIFF", 4 bytes of length, "WEBP").
  if (bytes.length >= 12 && ascii(bytes, 0, "RIFF") && ascii(bytes, 8, "WEBP")) {
    return { contentType: "image/webp", ext: "webp" };
  }
  return null;
}

const KEY = /^[0-9a-f]{64}\.(jpg|png|webp)$/;

/** The storage key (and URL name) of an image: its SHA-256 in hex and the format's extension. */
export function imageKey(sha256Hex: string, kind: ImageKind): string {
  return `${sha256Hex}.${kind.ext}`;
}

/** Whether `key` has the shape `imageKey` gives; anything else is never looked up. */
export function isImageKey(key: string): boolean {
  return KEY.test(key);
}

/** The path the shop serves a stored image at. */
export const imagePath = (key: string) => `/images/${key}`;

/** The Content-Type a key was stored with, from its extension. */
export function contentTypeOfKey(key: string): ImageKind["contentType"] | null {
  const ext = KEY.exec(key)?.[1];
  return ext === "jpg" ? "image/jpeg" : ext === "png" ? "image/png" : ext === "webp" ? "image/webp" : null;
}
