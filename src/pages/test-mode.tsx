/**
 * The test-mode banner: when a deployed shop runs with `SHOP_TEST_MODE` on (or a Stripe test key), every
 * storefront page says that no order is real, so nobody mistakes a test shop for a real one.
 */
import { createContext } from "preact";
import { useContext } from "preact/hooks";

export const TestModeContext = createContext(false);

export function TestModeBanner() {
  if (!useContext(TestModeContext)) return null;
  return (
    <div class="test-mode-banner" role="status" data-test-mode="">
      Test mode: this shop takes test payments only. No order is charged, made or shipped.
    </div>
  );
}
