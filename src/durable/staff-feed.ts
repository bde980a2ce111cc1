/**
 * The staff console's live feed: one object ("console") holds every open console WebSocket with the
 * Hibernation API and forwards each domain event the bus delivers to it, so new orders, held payments and
 * low-stock alerts appear without a reload.
 */
import { DurableObject } from "cloudflare:workers";
import type { EventEnvelope } from "../domain/events";
import { closeTagged, isUpgrade, reciprocateClose, socketTags } from "./websocket";

export type StaffFeedMessage = {
  type: "event";
  event: Pick<EventEnvelope, "id" | "type" | "subject" | "occurredAt" | "data">;
};

export class StaffFeed extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Pings are answered by the runtime without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  /** Upgrades a request the Worker has already authorized as staff. */
  override async fetch(request: Request): Promise<Response> {
    if (!isUpgrade(request)) {
      return new Response("Expected a WebSocket upgrade", { status: 426 });
    }
    const staffId = request.headers.get("x-staff-id") ?? "unknown";
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1], socketTags(request, "staff"));
    pair[1].serializeAttachment({ staffId, since: Date.now() });
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  /** Sends one event to every connected console. */
  announce(event: EventEnvelope): number {
    const message = JSON.stringify({
      type: "event",
      event: { id: event.id, type: event.type, subject: event.subject, occurredAt: event.occurredAt, data: event.data },
    } satisfies StaffFeedMessage);
    const sockets = this.ctx.getWebSockets("staff");
    for (const ws of sockets) {
      try {
        ws.send(message);
      } catch {
        // A socket that is closing cannot be written to; its close handler cleans up.
      }
    }
    return sockets.length;
  }

  /** Closes the consoles opened by sessions that ended (services/session-sockets.ts). */
  closeTagged(tags: string[]): number {
    return closeTagged(this.ctx, tags, "session ended");
  }

  override webSocketMessage(): void {
    // The feed is one-way; anything other than the auto-answered ping is ignored.
  }

  override webSocketClose(ws: WebSocket, code: number, reason: string): void {
    reciprocateClose(ws, code, reason);
  }
}
