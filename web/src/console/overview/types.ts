/** Shapes of GET /api/admin/overview and GET /api/admin/sales, as the console reads them. */
export type Figures = {
  orders: number;
  grossCents: number;
  refundCents: number;
  cancellations: number;
  netCents: number;
  averageOrderCents: number;
};

export type Overview = {
  timeZone: string;
  generatedAt: number;
  today: string;
  throughHour: number;
  periodDays: number;
  sales: { currency: string; today: Figures; yesterdaySameHours: Figures; period: Figures }[];
  topProducts: { sku: string; name: string; currency: string; qty: number; revenueCents: number }[];
  toShip: { count: number };
  fraudReview: { count: number; oldestSince: number | null };
  lowStock: { count: number };
  failedPayments: { count: number };
  renewalsDue: { count: number; withinDays: number };
};

export type SalesPoint = Figures & { bucket: string; at: number };
export type SalesSeries = { currency: string; points: SalesPoint[]; totals: Figures };
export type SalesAnswer = {
  timeZone: string;
  interval: "day" | "hour";
  from: string;
  to: string;
  series: SalesSeries[];
};
