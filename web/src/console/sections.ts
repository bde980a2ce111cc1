/**
 * The console's sections, in navigation order. Each is a page component under ./pages; `adminOnly` ones are
 * hidden from staff (the API refuses them anyway).
 */
import type { ComponentType } from "preact";
import { EventsPage } from "./pages/events";
import { NotificationsPage } from "./pages/notifications";

export type Section = { slug: string; label: string; adminOnly?: boolean; Page: ComponentType<{ path: string[] }> };

export const SECTIONS: readonly Section[] = [
  { slug: "events", label: "Events", Page: EventsPage },
  { slug: "notifications", label: "Notifications", Page: NotificationsPage },
];
