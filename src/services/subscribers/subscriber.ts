import type { EventEnvelope, EventType } from "../../domain/events";

/**
 * A service's subscription to the bus. Delivery is at least once, so `handle` must be idempotent for the same
 * event id: by its own keys (a unique index, an idempotent Durable Object call), or by asking the bus to keep
 * dedup marks for it (`exactlyOnce`), which costs a D1 read and write per event.
 */
export type Subscriber = {
  /** Stable name: part of the dedup key, so renaming it replays history to the renamed consumer. */
  name: string;
  /**
   * Keep a dedup mark per event (processed_events) and skip events already marked. For handlers with effects
   * outside the shop that cannot be made idempotent by a key of ours (asking a payment gateway to charge).
   */
  exactlyOnce?: boolean;
  types: readonly EventType[];
  handle(event: EventEnvelope, env: Env): Promise<void>;
};
