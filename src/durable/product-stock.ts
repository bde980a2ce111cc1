import { DurableObject } from "cloudflare:workers";

/** One per SKU: serializes stock reservations. Implemented by the stock capability (issue 4). */
export class ProductStock extends DurableObject<Env> {}
