import { describe, expect, it } from "vitest";
import {
  constantTimeEqual,
  hashPassword,
  MAX_ITERATIONS,
  needsRehash,
  PASSWORD_ITERATIONS,
  verifyDummy,
  verifyPassword,
} from "../src/services/accounts/passwords";

// Made by scripts/seed.mjs's hashPassword (Node's crypto.pbkdf2Sync, 100,000 iterations, 16-byte salt).
const NODE_HASH = "pbkdf2-sha256$100000$PhhWb54kW01xtCgVHd151A==$JpVGGrT1o1TjPKZqbek2jXACPZK6/4u6NlvPZ1Vxi6E=";
const NODE_PASSWORD = "seeded-password-123";

describe("password hashing", () => {
  it("stores pbkdf2-sha256 with 100,000 iterations, a 16-byte salt and a 32-byte hash", async () => {
    const stored = await hashPassword("a long enough password");
    const [scheme, iterations, salt, hash] = stored.split("$");
    expect(scheme).toBe("pbkdf2-sha256");
    expect(Number(iterations)).toBe(PASSWORD_ITERATIONS);
    expect(PASSWORD_ITERATIONS).toBeLessThanOrEqual(MAX_ITERATIONS);
    expect(atob(salt!)).toHaveLength(16);
    expect(atob(hash!)).toHaveLength(32);
  });

  it("salts every hash, so the same password never hashes twice to the same string", async () => {
    const a = await hashPassword("same password here");
    const b = await hashPassword("same password here");
    expect(a).not.toBe(b);
    expect(await verifyPassword("same password here", a)).toBe(true);
    expect(await verifyPassword("same password here", b)).toBe(true);
  });

  it("verifies a hash written by the seed script with Node's crypto", async () => {
    expect(await verifyPassword(NODE_PASSWORD, NODE_HASH)).toBe(true);
    expect(await verifyPassword(`${NODE_PASSWORD}x`, NODE_HASH)).toBe(false);
  });

  it("reads the iteration count from the stored string, so old hashes keep working after a raise", async () => {
    const weak = await hashPassword("older account password", 1000);
    expect(weak.split("$")[1]).toBe("1000");
    expect(await verifyPassword("older account password", weak)).toBe(true);
    expect(needsRehash(weak)).toBe(true);
    expect(needsRehash(NODE_HASH)).toBe(false);
  });

  it("never matches a stored value it cannot read", async () => {
    for (const stored of [
      "",
      "plain-text-password",
      "bcrypt$10$abc$def",
      "pbkdf2-sha256$0$PhhWb54kW01xtCgVHd151A==$JpVGGrT1o1TjPKZqbek2jXACPZK6/4u6NlvPZ1Vxi6E=",
      "pbkdf2-sha256$100001$PhhWb54kW01xtCgVHd151A==$JpVGGrT1o1TjPKZqbek2jXACPZK6/4u6NlvPZ1Vxi6E=",
      "pbkdf2-sha256$100000$!!!$JpVGGrT1o1TjPKZqbek2jXACPZK6/4u6NlvPZ1Vxi6E=",
      "pbkdf2-sha256$100000$PhhWb54kW01xtCgVHd151A==$short",
    ]) {
      expect(await verifyPassword(NODE_PASSWORD, stored)).toBe(false);
      expect(needsRehash(stored)).toBe(true);
    }
  });

  it("refuses iteration counts production Web Crypto would reject", async () => {
    await expect(hashPassword("a long enough password", MAX_ITERATIONS + 1)).rejects.toThrow(RangeError);
    await expect(hashPassword("a long enough password", 0)).rejects.toThrow(RangeError);
  });

  it("fails the dummy check for any password", async () => {
    expect(await verifyDummy(NODE_PASSWORD)).toBe(false);
  });

  it("compares byte strings by content and length", () => {
    const bytes = (...b: number[]) => new Uint8Array(b);
    expect(constantTimeEqual(bytes(1, 2, 3), bytes(1, 2, 3))).toBe(true);
    expect(constantTimeEqual(bytes(1, 2, 3), bytes(1, 2, 4))).toBe(false);
    expect(constantTimeEqual(bytes(1, 2, 3), bytes(1, 2))).toBe(false);
    expect(constantTimeEqual(bytes(), bytes(1))).toBe(false);
    expect(constantTimeEqual(bytes(), bytes())).toBe(true);
  });
});
