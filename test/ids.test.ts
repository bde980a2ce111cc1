import { describe, expect, it } from "vitest";
import { base64url, newId, randomToken, sha256Hex } from "../src/lib/ids";

const reference = (buf: Uint8Array) =>
  btoa(String.fromCharCode(...buf))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");

describe("ids", () => {
  it("encodes base64url exactly as the padded-btoa reference does, for every length remainder", () => {
    for (let n = 0; n <= 40; n++) {
      const buf = crypto.getRandomValues(new Uint8Array(n));
      expect(base64url(buf)).toBe(reference(buf));
    }
    expect(base64url(new Uint8Array([251, 255, 191]))).toBe("-_-_");
  });

  it("hands out distinct tokens of the asked length, also across refills of the random pool", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 600; i++) seen.add(randomToken(32));
    expect(seen.size).toBe(600);
    expect(randomToken(32)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken(5000)).toHaveLength(6667);
    expect(newId("ord")).toMatch(/^ord_[A-Za-z0-9_-]{22}$/);
  });

  it("hashes with SHA-256 in lowercase hex", async () => {
    expect(await sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});
