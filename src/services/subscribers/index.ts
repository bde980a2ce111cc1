/**
 * Every service's subscription to the bus, in the order they run for one event. Each service owns its
 * subscriber in its own file; this list is the wiring (DESIGN.md's "subscribes" column).
 */

import { notificationsSubscriber } from "../notifications/notifications";
import { fraudSubscriber } from "./fraud";
import { inventorySubscriber } from "./inventory";
import { invoicesSubscriber } from "./invoices";
import { paymentsSubscriber } from "./payments";
import { salesRollupSubscriber } from "./sales-rollup";
import { staffConsoleSubscriber } from "./staff-console";
import type { Subscriber } from "./subscriber";

export const SUBSCRIBERS: readonly Subscriber[] = [
  inventorySubscriber,
  notificationsSubscriber,
  // Before staff-console: the console's overview refetches its figures when the feed shows a sale.
  salesRollupSubscriber,
  staffConsoleSubscriber,
  paymentsSubscriber,
  fraudSubscriber,
  invoicesSubscriber,
];
