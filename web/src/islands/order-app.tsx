/** The live order page /orders/:id (web/src/order): rendered in the browser only, it needs the order's token. */
import { OrderPage } from "../order/order-page";

export function OrderApp({ orderId }: { orderId: string }) {
  return <OrderPage orderId={orderId} />;
}
