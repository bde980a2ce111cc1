/**
 * The console's sections, in navigation order. Each is a page component under ./pages; `adminOnly` ones are
 * hidden from staff (the API refuses them anyway). The full order: Orders, Inventory, Fraud review, Products,
 * Plans, Customers, Events, Notifications, Staff.
 */
import type { ComponentType } from "preact";
import { CustomersPage } from "./pages/customers";
import { EventsPage } from "./pages/events";
import { FraudReviewPage } from "./pages/fraud-review";
import { InventoryPage } from "./pages/inventory";
import { NotificationsPage } from "./pages/notifications";
import { OrdersPage } from "./pages/orders";
import { PlansPage } from "./pages/plans";
import { ProductsPage } from "./pages/products";
import { StaffPage } from "./pages/staff";

export type Section = { slug: string; label: string; adminOnly?: boolean; Page: ComponentType<{ path: string[] }> };

export const SECTIONS: readonly Section[] = [
  { slug: "orders", label: "Orders", Page: OrdersPage },
  { slug: "inventory", label: "Inventory", Page: InventoryPage },
  { slug: "fraud", label: "Fraud review", Page: FraudReviewPage },
  { slug: "products", label: "Products", adminOnly: true, Page: ProductsPage },
  { slug: "plans", label: "Plans", adminOnly: true, Page: PlansPage },
  { slug: "customers", label: "Customers", Page: CustomersPage },
  { slug: "events", label: "Events", Page: EventsPage },
  { slug: "notifications", label: "Notifications", Page: NotificationsPage },
  { slug: "staff", label: "Staff", adminOnly: true, Page: StaffPage },
];
