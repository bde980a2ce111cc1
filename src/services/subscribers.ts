/**
 * Every service's subscription to the bus, in the order they run for one event. Each service owns its
 * subscriber in its own file; this list is the wiring (DESIGN.md's "subscribes" column).
 */
import { notificationsSubscriber } from "./notifications";
import { staffConsoleSubscriber } from "./staff-console";
import type { Subscriber } from "./subscriber";

export const SUBSCRIBERS: readonly Subscriber[] = [notificationsSubscriber, staffConsoleSubscriber];
