import { EVENT_TYPES } from "../../domain/events";
import type { Subscriber } from "./subscriber";

/** Forwards every domain event to the staff console's live feed. */
export const staffConsoleSubscriber: Subscriber = {
  name: "staff-console",
  types: EVENT_TYPES,
  async handle(event, env) {
    await env.STAFF_FEED.getByName("console").announce(event);
  },
};
