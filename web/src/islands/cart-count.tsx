import { useEffect, useState } from "preact/hooks";
import { onCartChange, readCart } from "../lib/cart";

/** The header's cart link with the number of items; 0 on the server, the real count once hydrated. */
export function CartCount(_: Record<string, never>) {
  const [count, setCount] = useState(0);
  useEffect(() => {
    const update = () => setCount(readCart().reduce((n, l) => n + l.qty, 0));
    update();
    return onCartChange(update);
  }, []);
  return (
    <a href="/cart" class="cart-link" aria-label={`Cart, ${count} item${count === 1 ? "" : "s"}`}>
      Cart{" "}
      <span class="cart-count" data-testid="cart-count">
        {count}
      </span>
    </a>
  );
}
