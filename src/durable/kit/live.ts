/**
 * The hibernating WebSockets a Durable Object holds under one tag: accepting them (with an attachment that
 * survives hibernation), sending every one a message, and the platform rules in ./websocket.ts.
 * Pings are answered by the runtime (`answerPings`) without waking a hibernated object.
 */
import { socketTags } from "./websocket";

export function answerPings(ctx: DurableObjectState): void {
  ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
}

export class LiveSockets<Attachment> {
  readonly #ctx: DurableObjectState;
  readonly #tag: string;

  constructor(ctx: DurableObjectState, tag: string) {
    this.#ctx = ctx;
    this.#tag = tag;
  }

  /**
   * Accepts a new socket with the Hibernation API, tagged with the session the Worker authorized it by (so it
   * can be closed when that session ends: closeTagged); `greet` sends it what it must see first.
   */
  accept(request: Request, attachment: Attachment, greet?: (ws: WebSocket) => void): Response {
    const pair = new WebSocketPair();
    const server = pair[1];
    this.#ctx.acceptWebSocket(server, socketTags(request, this.#tag));
    server.serializeAttachment(attachment);
    greet?.(server);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  /** Sends `message` (JSON) to every socket; answers how many there were. */
  broadcast(message: unknown): number {
    const text = JSON.stringify(message);
    const sockets = this.#ctx.getWebSockets(this.#tag);
    for (const ws of sockets) {
      try {
        ws.send(text);
      } catch {
        // A socket that is closing cannot be written to; its close handler cleans up.
      }
    }
    return sockets.length;
  }
}
