/**
 * The console's sections, in navigation order. Each is a page component under ./pages; `adminOnly` ones are
 * hidden from staff (the API refuses them anyway). The first is where /admin opens. The full order: Overview,
 * Orders, Inventory, Fraud review, Products, Plans, Customers, Subscriptions, Events, Dead letters, Notifications,
 * Mailbox, Reconciliation, Staff.
 */
import type { ComponentType } from "preact";
import { CustomersPage } from "./pages/customers";
import { DeadLettersPage } from "./pages/dead-letters";
import { EventsPage } from "./pages/events";
import { FraudReviewPage } from "./pages/fraud-review";
import { InventoryPage } from "./pages/inventory";
import { MailboxPage } from "./pages/mailbox";
import { NotificationsPage } from "./pages/notifications";
import { OrdersPage } from "./pages/orders";
import { OverviewPage } from "./pages/overview";
import { PlansPage } from "./pages/plans";
import { ProductsPage } from "./pages/products";
import { ReconciliationPage } from "./pages/reconciliation";
import { StaffPage } from "./pages/staff";
import { SubscriptionsPage } from "./pages/subscriptions";

export type Section = { slug: string; label: string; adminOnly?: boolean; Page: ComponentType<{ path: string[] }> };

export const SECTIONS: readonly Section[] = [
  { slug: "overview", label: "Overview", Page: OverviewPage },
  { slug: "orders", label: "Orders", Page: OrdersPage },
  { slug: "inventory", label: "Inventory", Page: InventoryPage },
  { slug: "fraud", label: "Fraud review", Page: FraudReviewPage },
  { slug: "products", label: "Products", adminOnly: true, Page: ProductsPage },
  { slug: "plans", label: "Plans", adminOnly: true, Page: PlansPage },
  { slug: "customers", label: "Customers", Page: CustomersPage },
  { slug: "subscriptions", label: "Subscriptions", Page: SubscriptionsPage },
  { slug: "events", label: "Events", Page: EventsPage },
  { slug: "dead-letters", label: "Dead letters", Page: DeadLettersPage },
  { slug: "notifications", label: "Notifications", Page: NotificationsPage },
  { slug: "mailbox", label: "Mailbox", Page: MailboxPage },
  { slug: "reconciliation", label: "Reconciliation", Page: ReconciliationPage },
  { slug: "staff", label: "Staff", adminOnly: true, Page: StaffPage },
];
