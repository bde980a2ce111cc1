/** Opaque, unguessable identifiers: a readable prefix and 128 random bits in base64url. */
export function newId(prefix: string, bytes = 16): string {
  return `${prefix}_${randomToken(bytes)}`;
}

/** Random base64url string of `bytes` random bytes (access tokens, session ids). */
export function randomToken(bytes = 32): string {
  const buf = crypto.getRandomValues(new Uint8Array(bytes));
  return base64url(buf);
}

export function base64url(buf: Uint8Array): string {
  let s = "";
  for (const b of buf) s += String.fromCharCode(b);
  return btoa(s).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** Hex SHA-256 of a string: how tokens are stored (sessions, order access tokens, request hashes). */
export async function sha256Hex(input: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(input));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
