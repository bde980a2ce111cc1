/**
 * The staff console's live feed: one object ("console") holds every open console WebSocket with the
 * Hibernation API and forwards each domain event the bus delivers to it, so new orders, held payments and
 * low-stock alerts appear without a reload.
 */
import { DurableObject } from "cloudflare:workers";
import type { EventEnvelope } from "../domain/events";
import { answerPings, LiveSockets } from "./kit/live";
import { closeTagged, isUpgrade, reciprocateClose } from "./kit/websocket";

export type StaffFeedMessage = {
  type: "event";
  event: Pick<EventEnvelope, "id" | "type" | "subject" | "occurredAt" | "data">;
};

export class StaffFeed extends DurableObject<Env> {
  readonly #live: LiveSockets<{ staffId: string; since: number }>;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    answerPings(ctx);
    this.#live = new LiveSockets(ctx, "staff");
  }

  /** Upgrades a request the Worker has already authorized as staff. */
  override async fetch(request: Request): Promise<Response> {
    if (!isUpgrade(request)) {
      return new Response("Expected a WebSocket upgrade", { status: 426 });
    }
    const staffId = request.headers.get("x-staff-id") ?? "unknown";
    return this.#live.accept(request, { staffId, since: Date.now() });
  }

  /** Sends one event to every connected console. */
  announce(event: EventEnvelope): number {
    return this.#live.broadcast({
      type: "event",
      event: { id: event.id, type: event.type, subject: event.subject, occurredAt: event.occurredAt, data: event.data },
    } satisfies StaffFeedMessage);
  }

  /** Sends several events, in order, each as its own message (the consoles' protocol is one event a message). */
  announceAll(events: EventEnvelope[]): number {
    let sent = 0;
    for (const event of events) sent = this.announce(event);
    return sent;
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
