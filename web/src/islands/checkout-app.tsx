/** The /checkout page (web/src/checkout): rendered in the browser only, it reads the cart from localStorage. */
import { CheckoutPage } from "../checkout/checkout-page";

export function CheckoutApp(_: Record<string, never>) {
  return <CheckoutPage />;
}
