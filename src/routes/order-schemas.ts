/**
 * The body of POST /api/orders and its lines, in their own file because the order's early step
 * (src/routes/orders-early.ts) validates it before routing, with the same schema as the route.
 */
import * as v from "valibot";
import { EmailSchema, PhoneSchema, ShippingAddressSchema } from "../domain/accounts";
import { MAX_LINES, MAX_QTY } from "../domain/pricing";

export const Sku = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(64));
export const OrderLineSchema = v.strictObject({
  sku: Sku,
  qty: v.pipe(v.number(), v.integer("qty must be a whole number"), v.minValue(1), v.maxValue(MAX_QTY)),
});
export const OrderLinesSchema = v.pipe(v.array(OrderLineSchema), v.minLength(1), v.maxLength(MAX_LINES));

export const CreateOrderSchema = v.strictObject({
  items: OrderLinesSchema,
  email: EmailSchema,
  shippingAddress: ShippingAddressSchema,
  /** DESIGN.md's optional phone: accepted beside the address or inside it. */
  phone: v.optional(PhoneSchema),
  /**
   * The total of the quote the shopper saw (POST /api/checkout/quote). When sent and the server's price differs
   * (a price changed in between), no order is made: 409 conflict with `details.reason = "price_changed"` and the
   * new quote, so checkout can show it and ask again.
   */
  quotedTotalCents: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
});
export type CreateOrderBody = v.InferOutput<typeof CreateOrderSchema>;
