/** The printable invoice /orders/:id/invoice (web/src/order): rendered in the browser only, like the order. */
import { InvoicePage } from "../order/invoice-page";

export function InvoiceApp({ orderId }: { orderId: string }) {
  return <InvoicePage orderId={orderId} />;
}
