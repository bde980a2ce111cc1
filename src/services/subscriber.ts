import type { EventEnvelope, EventType } from "../domain/events";

/**
 * A service's subscription to the bus. `handle` must be idempotent for the same event id: delivery is at
 * least once and the dedup mark is written after the handler succeeded.
 */
export type Subscriber = {
  /** Stable name: part of the dedup key, so renaming it replays history to the renamed consumer. */
  name: string;
  types: readonly EventType[];
  handle(event: EventEnvelope, env: Env): Promise<void>;
};
