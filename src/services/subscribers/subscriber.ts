import type { EventEnvelope, EventType } from "../../domain/events";

/**
 * A service's subscription to the bus. Delivery is at least once, so `handle` must be idempotent for the same
 * event id: by its own keys (a unique index, an idempotent Durable Object call), or by asking the bus to keep
 * dedup marks for it (`exactlyOnce`), which costs a D1 read and write per event.
 */
/** A subscriber that handles one event at a time. */
export type EventSubscriber = SubscriberBase & {
  handle(event: EventEnvelope, env: Env): Promise<void>;
  handleBatch?: never;
};

/** A subscriber that handles a whole queue delivery at once. */
export type BatchSubscriber = SubscriberBase & {
  /**
   * Every event of one queue delivery it listens to, in delivery order, in one call, after the per-event
   * subscribers have handled them (so it sees what they did). If it throws, those messages are retried, and the
   * per-event subscribers run again for them (they are idempotent).
   */
  handleBatch(events: readonly EventEnvelope[], env: Env): Promise<void>;
  handle?: never;
};

export type Subscriber = EventSubscriber | BatchSubscriber;

type SubscriberBase = {
  /** Stable name: part of the dedup key, so renaming it replays history to the renamed consumer. */
  name: string;
  /**
   * Keep a dedup mark per event (processed_events) and skip events already marked. For handlers with effects
   * outside the shop that cannot be made idempotent by a key of ours (asking a payment gateway to charge).
   */
  exactlyOnce?: boolean;
  types: readonly EventType[];
};
