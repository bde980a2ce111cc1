/**
 * Opaque keyset cursors for lists sorted newest first by `(timestamp, id)`: the client gets a base64url token
 * and hands it back unchanged; offsets are never used, so rows inserted meanwhile do not shift pages.
 */
import { base64url } from "./ids";

export type Cursor = { at: number; id: string };

export function encodeCursor(cursor: Cursor): string {
  return base64url(new TextEncoder().encode(JSON.stringify([cursor.at, cursor.id])));
}

/** The cursor in `token`, or null when it is not one of ours. */
export function decodeCursor(token: string): Cursor | null {
  try {
    const padded = token.replaceAll("-", "+").replaceAll("_", "/");
    const bytes = Uint8Array.from(atob(padded), (ch) => ch.charCodeAt(0));
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (!Array.isArray(value) || value.length !== 2) return null;
    const [at, id] = value;
    if (!Number.isSafeInteger(at) || typeof id !== "string" || id.length === 0 || id.length > 128) return null;
    return { at, id };
  } catch {
    return null;
  }
}
