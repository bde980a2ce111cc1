/** Shapes of GET /api/admin/overview and GET /api/admin/sales, as the routes answer them. */
import type { AnswerOf, client } from "../../lib/api";

export type Overview = AnswerOf<typeof client.api.admin.overview.$get>;
export type Figures = Overview["sales"][number]["today"];
export type SalesAnswer = AnswerOf<typeof client.api.admin.sales.$get>;
export type SalesSeries = SalesAnswer["series"][number];
export type SalesPoint = SalesSeries["points"][number];
