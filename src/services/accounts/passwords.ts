/**
 * Password hashing with PBKDF2-HMAC-SHA256 from Web Crypto. Stored as
 * `pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>`, the format scripts/seed.mjs writes with Node's
 * crypto, so seeded accounts log in. Verification reads the parameters from the stored string: raising
 * PASSWORD_ITERATIONS later re-hashes each account at its next login (`needsRehash`).
 */

/** Workers' production Web Crypto refuses PBKDF2 above 100,000 iterations (local workerd does not check). */
export const MAX_ITERATIONS = 100_000;
export const PASSWORD_ITERATIONS = 100_000;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
const PREFIX = "pbkdf2-sha256";

/**
 * A valid hash of a random password nobody knows. Checking a login for a missing or deactivated account
 * against it costs the same PBKDF2 work as a real check, so response time does not reveal which emails exist.
 */
const DUMMY_HASH = "pbkdf2-sha256$100000$vww+mJUBPGyVOzShV+qZ+A==$3ukLUq2h1ISd2wMtNe22kR27OMSb9Wh6YfnLS58IaaE=";

type Parsed = { iterations: number; salt: Uint8Array<ArrayBuffer>; hash: Uint8Array<ArrayBuffer> };

const encoder = new TextEncoder();

function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> | null {
  try {
    const s = atob(text);
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

function parse(stored: string): Parsed | null {
  const parts = stored.split("$");
  if (parts.length !== 4 || parts[0] !== PREFIX) return null;
  const [, iterText = "", saltText = "", hashText = ""] = parts;
  if (!/^[1-9][0-9]{0,6}$/.test(iterText)) return null;
  const iterations = Number(iterText);
  if (iterations > MAX_ITERATIONS) return null;
  const salt = fromBase64(saltText);
  const hash = fromBase64(hashText);
  if (!salt || !hash || salt.length < 8 || hash.length < 16 || hash.length > 64) return null;
  return { iterations, salt, hash };
}

async function derive(
  plain: string,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
  bytes: number,
): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(plain), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, bytes * 8);
  return new Uint8Array(bits);
}

/** Compares every byte whatever the first difference, so timing reveals nothing about how much matched. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ (b[i % b.length] ?? 0);
  return diff === 0;
}

/** Hashes a new password with a fresh 16-byte salt. */
export async function hashPassword(plain: string, iterations = PASSWORD_ITERATIONS): Promise<string> {
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) {
    throw new RangeError(`PBKDF2 iterations must be 1..${MAX_ITERATIONS}`);
  }
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(plain, salt, iterations, HASH_BYTES);
  return `${PREFIX}$${iterations}$${toBase64(salt)}$${toBase64(hash)}`;
}

/**
 * True when `plain` matches `stored`. The comparison is constant-time; a stored value that is not a hash we
 * can read is checked against the dummy hash (same work) and never matches.
 */
export async function verifyPassword(plain: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) {
    await verifyDummy(plain);
    return false;
  }
  const actual = await derive(plain, parsed.salt, parsed.iterations, parsed.hash.length);
  return constantTimeEqual(actual, parsed.hash);
}

/** Spends the time of one real verification and fails: for logins to accounts that do not exist. */
export async function verifyDummy(plain: string): Promise<false> {
  const parsed = parse(DUMMY_HASH)!;
  const actual = await derive(plain, parsed.salt, parsed.iterations, parsed.hash.length);
  constantTimeEqual(actual, parsed.hash);
  return false;
}

/** True when `stored` was made with other parameters than today's: re-hash it after a successful login. */
export function needsRehash(stored: string): boolean {
  const parsed = parse(stored);
  return !parsed || parsed.iterations !== PASSWORD_ITERATIONS || parsed.hash.length !== HASH_BYTES;
}
