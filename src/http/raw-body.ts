/**
 * Reading a raw (non-JSON) request body with a size cap. /api's own body limit (64 KiB, JSON only) does not
 * apply to the routes that take raw bytes (worker.ts lists them in RAW_BODY_ROUTES); they read through this.
 */

export type RawBody = { ok: true; bytes: Uint8Array<ArrayBuffer> } | { ok: false; reason: "too_large" };

/** The body's bytes, or `too_large` as soon as it passes `max` (a declared length over it is not read at all). */
export async function readRawBody(req: Request, max: number): Promise<RawBody> {
  const declared = Number(req.headers.get("content-length") ?? "");
  if (Number.isFinite(declared) && declared > max) return { ok: false, reason: "too_large" };
  if (!req.body) return { ok: true, bytes: new Uint8Array() };
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    // A chunked body has no length up front: stop reading the moment it is too large.
    if (size > max) {
      // The rest is left unread; cancelling would also fail the sender's stream.
      reader.releaseLock();
      return { ok: false, reason: "too_large" };
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return { ok: true, bytes };
}
