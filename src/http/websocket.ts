import type { Context } from "hono";
import { SESSION_TAG_HEADER } from "../durable/kit/websocket";
import { confirmUpgrade, registerSocket, type SocketTarget, sessionTag } from "../services/accounts/session-sockets";
import type { AppEnv } from "./app-env";
import { ApiError } from "./errors";

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

/**
 * Forwards an authorized upgrade to the object that will hold the socket. When the session cookie authorized
 * it, the socket is registered and tagged with the session so that ending the session closes it
 * (services/accounts/session-sockets.ts explains why none escapes); a session revoked meanwhile gets 401.
 */
export async function upgradeFor(
  c: Context<AppEnv>,
  target: SocketTarget,
  forward: (sessionHeaders: Record<string, string>) => Promise<Response>,
): Promise<Response> {
  const sessionHash = c.get("sessionIdHash");
  const user = c.get("user");
  if (!sessionHash || !user) return relayUpgrade(await forward({}));
  await registerSocket(c.env, { sessionHash, customerId: user.id, target });
  const upgraded = await forward({ [SESSION_TAG_HEADER]: sessionTag(sessionHash) });
  if (upgraded.status === 101 && !(await confirmUpgrade(c.env, sessionHash, target))) {
    throw new ApiError("unauthorized", "The session ended");
  }
  return relayUpgrade(upgraded);
}
