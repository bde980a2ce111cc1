import { describe, expect, it } from "vitest";
import { contentTypeOfKey, imageKey, isImageKey, sniffImage } from "../src/domain/images";
import { GIF, JPEG, PNG, SVG_AS_PNG, WEBP } from "./image-fixtures";

describe("image rules", () => {
  it("reads the format from the first bytes", () => {
    expect(sniffImage(JPEG)).toEqual({ contentType: "image/jpeg", ext: "jpg" });
    expect(sniffImage(PNG)).toEqual({ contentType: "image/png", ext: "png" });
    expect(sniffImage(WEBP)).toEqual({ contentType: "image/webp", ext: "webp" });
  });

  it("knows no other format, and no truncated signature", () => {
    expect(sniffImage(GIF)).toBeNull();
    expect(sniffImage(SVG_AS_PNG)).toBeNull();
    expect(sniffImage(new Uint8Array())).toBeNull();
    expect(sniffImage(PNG.slice(0, 7))).toBeNull();
    // A RIFF container of another kind (a WAVE sound) is not a WebP.
    expect(sniffImage(new TextEncoder().encode("RIFF\0\0\0\0WAVEfmt "))).toBeNull();
  });

  it("names an image by its hash and extension, and looks up nothing else", () => {
    const key = imageKey("a".repeat(64), { contentType: "image/png", ext: "png" });
    expect(key).toBe(`${"a".repeat(64)}.png`);
    expect(isImageKey(key)).toBe(true);
    expect(contentTypeOfKey(key)).toBe("image/png");
    for (const bad of ["BR-001.svg", `${"a".repeat(64)}.gif`, `${"A".repeat(64)}.png`, `../${"a".repeat(64)}.png`]) {
      expect(isImageKey(bad), bad).toBe(false);
    }
  });
});
