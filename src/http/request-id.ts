/**
 * The request id every response names (`X-Request-Id`): Cloudflare's ray id, which names the request in its own
 * logs too; elsewhere 96 pooled random bits (crypto.randomUUID was a tenth of a refused checkout's JavaScript in a
 * profile). A valid id the client sent is kept, as hono/request-id does.
 */
import { randomToken } from "../lib/ids";

export const REQUEST_ID_HEADER = "X-Request-Id";
const LIMIT = 255;
const INVALID = /[^\w\-=]/;

export const newRequestId = (cfRay: string | null | undefined): string => cfRay ?? randomToken(12);

/** The id hono/request-id (configured with `newRequestId`) gives `request`, for answers made before it runs. */
export function requestIdFor(request: Request): string {
  const sent = request.headers.get(REQUEST_ID_HEADER);
  if (sent && sent.length <= LIMIT && !INVALID.test(sent)) return sent;
  return newRequestId(request.headers.get("cf-ray"));
}
