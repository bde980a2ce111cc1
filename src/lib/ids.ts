/** Opaque, unguessable identifiers: a readable prefix and 128 random bits in base64url. */
export function newId(prefix: string, bytes = 16): string {
  return `${prefix}_${randomToken(bytes)}`;
}

/**
 * Random bytes are drawn from the CSPRNG a few kilobytes at a time and handed out once each: one
 * `getRandomValues` per ~100 ids instead of one per id (a refused checkout made three, a tenth of its
 * JavaScript in a profile). The pool is filled lazily, inside a request, as Workers require.
 */
const POOL_SIZE = 4096;
const pool = new Uint8Array(POOL_SIZE);
let poolAt = POOL_SIZE;

function randomBytes(bytes: number): Uint8Array {
  if (bytes > POOL_SIZE) return crypto.getRandomValues(new Uint8Array(bytes));
  if (poolAt + bytes > POOL_SIZE) {
    crypto.getRandomValues(pool);
    poolAt = 0;
  }
  const out = pool.slice(poolAt, poolAt + bytes);
  poolAt += bytes;
  return out;
}

/** Random base64url string of `bytes` random bytes (access tokens, session ids). */
export function randomToken(bytes = 32): string {
  return base64url(randomBytes(bytes));
}

const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Unpadded base64url (RFC 4648 §5). */
export function base64url(buf: Uint8Array): string {
  let s = "";
  let i = 0;
  for (; i + 2 < buf.length; i += 3) {
    const n = ((buf[i] as number) << 16) | ((buf[i + 1] as number) << 8) | (buf[i + 2] as number);
    s += B64URL.charAt(n >> 18) + B64URL.charAt((n >> 12) & 63) + B64URL.charAt((n >> 6) & 63) + B64URL.charAt(n & 63);
  }
  const rest = buf.length - i;
  if (rest === 1) {
    const n = (buf[i] as number) << 16;
    s += B64URL.charAt(n >> 18) + B64URL.charAt((n >> 12) & 63);
  } else if (rest === 2) {
    const n = ((buf[i] as number) << 16) | ((buf[i + 1] as number) << 8);
    s += B64URL.charAt(n >> 18) + B64URL.charAt((n >> 12) & 63) + B64URL.charAt((n >> 6) & 63);
  }
  return s;
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));
const encoder = new TextEncoder();

/** Hex SHA-256 of a string: how tokens are stored (sessions, order access tokens, request hashes). */
export async function sha256Hex(input: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(input)));
  let s = "";
  for (const b of digest) s += HEX[b] as string;
  return s;
}
