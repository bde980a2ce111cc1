import { useEffect, useState } from "preact/hooks";
import { addToCart, MAX_QTY, onCartChange, readCart } from "../lib/cart";

type Props = { sku: string; name: string; available: number };

/**
 * Quantity selector and "Add to cart" on the product page. The cart lives in localStorage, so the button
 * stays disabled until the island has hydrated (and for good when the product is sold out).
 */
export function AddToCart({ sku, name, available }: Props) {
  const inputId = `add-qty-${sku}`;
  const [hydrated, setHydrated] = useState(false);
  const [inCart, setInCart] = useState(0);
  const [qty, setQty] = useState(1);
  const [added, setAdded] = useState<number | null>(null);
  useEffect(() => {
    const update = () => setInCart(readCart().find((l) => l.sku === sku)?.qty ?? 0);
    update();
    setHydrated(true);
    return onCartChange(update);
  }, [sku]);

  const soldOut = available <= 0;
  const room = Math.max(0, Math.min(available, MAX_QTY) - inCart);
  const canAdd = hydrated && !soldOut && room > 0;
  const wanted = Math.min(Math.max(1, qty), Math.max(1, room));

  return (
    <form
      class="add-to-cart"
      data-hydrated={hydrated ? "true" : undefined}
      onSubmit={(e) => {
        e.preventDefault();
        if (!canAdd) return;
        addToCart(sku, wanted);
        setAdded(wanted);
        setQty(1);
      }}
    >
      <div class="add-to-cart-row">
        <label for={inputId}>Quantity</label>
        <input
          id={inputId}
          type="number"
          name="qty"
          inputMode="numeric"
          min={1}
          max={Math.max(1, room)}
          value={wanted}
          disabled={!canAdd}
          onInput={(e) => setQty(Number.parseInt(e.currentTarget.value, 10) || 1)}
        />
        <button type="submit" disabled={!canAdd}>
          {soldOut ? "Sold out" : "Add to cart"}
        </button>
      </div>
      <p class="add-to-cart-status" role="status" aria-live="polite">
        {added !== null ? (
          <>
            Added {added} × {name} to your cart. <a href="/cart">View cart</a>
          </>
        ) : hydrated && !soldOut && room === 0 ? (
          <>
            All we have is already in your cart. <a href="/cart">View cart</a>
          </>
        ) : null}
      </p>
    </form>
  );
}
