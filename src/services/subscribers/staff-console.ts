import { EVENT_TYPES } from "../../domain/events";
import type { BatchSubscriber } from "./subscriber";

/**
 * Forwards every domain event to the staff console's live feed: one call to the feed's object per queue
 * delivery, not one per event (a checkout wakes about fifteen events; the profile counted each call).
 */
export const staffConsoleSubscriber: BatchSubscriber = {
  name: "staff-console",
  types: EVENT_TYPES,
  async handleBatch(events, env) {
    await env.STAFF_FEED.getByName("console").announceAll([...events]);
  },
};
