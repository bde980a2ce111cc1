/**
 * Relays a Durable Object's answer to a WebSocket upgrade back to the client. The object's Response has
 * immutable headers, and the Worker's middleware (secure headers, request id) adds some on the way out, so
 * returning it as-is fails with "Can't modify immutable headers": copy it into a fresh Response.
 */
export function relayUpgrade(upgraded: Response): Response {
  return new Response(upgraded.body, {
    status: upgraded.status,
    headers: new Headers(upgraded.headers),
    webSocket: upgraded.webSocket,
  });
}
