/**
 * Platform rules shared by every Durable Object that holds hibernating WebSockets.
 * - A close from the client must be reciprocated, or the socket lingers half-closed.
 * - 1005/1006 describe a close that carried no frame; they may not be sent back, so answer 1000.
 */
export function reciprocateClose(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
  } catch {
    // Already closed.
  }
}

/** Whether a request asks to become a WebSocket (the header's value is case-insensitive). */
export function isUpgrade(request: Request): boolean {
  return request.headers.get("upgrade")?.toLowerCase() === "websocket";
}

/** The header by which the Worker names the session tag of a socket it authorized with the session cookie. */
export const SESSION_TAG_HEADER = "x-session-tag";

/** The hibernation tags of a new socket: `base`, plus the session's tag when the Worker sent one. */
export function socketTags(request: Request, base: string): string[] {
  const session = request.headers.get(SESSION_TAG_HEADER);
  return session && session.length <= 256 ? [base, session] : [base];
}

/**
 * Closes every socket carrying one of `tags` (a session that ended). A closed socket refuses `send`, so the
 * object's broadcasts skip it from this moment. Returns how many were closed.
 */
export function closeTagged(ctx: DurableObjectState, tags: readonly string[], reason: string): number {
  let closed = 0;
  for (const tag of tags) {
    for (const ws of ctx.getWebSockets(tag)) {
      try {
        ws.close(4001, reason);
        closed++;
      } catch {
        // Already closed.
      }
    }
  }
  return closed;
}
