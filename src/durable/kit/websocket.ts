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
