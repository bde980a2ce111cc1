import { useEffect, useMemo, useState } from "preact/hooks";
import { ApiFailure, api, formatMoney } from "../lib/api";
import { type CartLine, MAX_QTY, onCartChange, readCart, setQty } from "../lib/cart";

type Product = {
  sku: string;
  name: string;
  priceCents: number;
  currency: string;
  imageUrl: string;
  available: number;
};

/** What the catalog says about a SKU in the cart: still loading, on sale, gone, or unreachable right now. */
type Lookup = { state: "loading" } | { state: "ok"; product: Product } | { state: "missing" } | { state: "error" };

/**
 * The cart page: the browser keeps SKUs and quantities, the prices shown are the server's (GET
 * /api/products/:sku, served from the catalog cache). The order itself is priced again at checkout.
 */
export function CartView(_: Record<string, never>) {
  const [lines, setLines] = useState<CartLine[] | null>(null);
  const [lookups, setLookups] = useState<Record<string, Lookup>>({});

  useEffect(() => {
    const update = () => setLines(readCart());
    update();
    return onCartChange(update);
  }, []);

  useEffect(() => {
    for (const { sku } of lines ?? []) {
      if (lookups[sku]) continue;
      setLookups((all) => ({ ...all, [sku]: { state: "loading" } }));
      api<Product>("GET", `/api/products/${encodeURIComponent(sku)}`)
        .then((product): Lookup => ({ state: "ok", product }))
        .catch((err): Lookup => ({ state: err instanceof ApiFailure && err.status === 404 ? "missing" : "error" }))
        .then((lookup) => setLookups((all) => ({ ...all, [sku]: lookup })));
    }
  }, [lines, lookups]);

  const summary = useMemo(() => {
    let subtotal = 0;
    let currency = "EUR";
    let pending = false;
    let blocked = false;
    for (const line of lines ?? []) {
      const lookup = lookups[line.sku];
      if (lookup?.state === "ok") {
        subtotal += lookup.product.priceCents * line.qty;
        currency = lookup.product.currency;
        if (lookup.product.available < line.qty) blocked = true;
      } else if (lookup?.state === "missing") blocked = true;
      else pending = true;
    }
    return { subtotal, currency, pending, blocked };
  }, [lines, lookups]);

  if (lines === null) return <p aria-busy="true">Loading your cart…</p>;
  const ready = !summary.pending;
  if (lines.length === 0) {
    return (
      <div class="cart" data-ready="true">
        <p>Your cart is empty.</p>
        <p>
          <a href="/">Browse the bracelets</a>
        </p>
      </div>
    );
  }

  return (
    <div class="cart" data-ready={ready ? "true" : undefined}>
      <ul class="cart-lines">
        {lines.map((line) => (
          <CartRow key={line.sku} line={line} lookup={lookups[line.sku] ?? { state: "loading" }} />
        ))}
      </ul>
      <div class="cart-summary">
        <p class="cart-subtotal">
          Subtotal{" "}
          <strong data-testid="cart-subtotal">
            {summary.pending ? "…" : formatMoney(summary.subtotal, summary.currency)}
          </strong>
        </p>
        <p class="muted">Shipping and tax are worked out at checkout.</p>
        {summary.blocked ? (
          <p class="error-text">Fix the lines marked above before checking out.</p>
        ) : (
          <a class="button" href="/checkout">
            Checkout
          </a>
        )}
      </div>
    </div>
  );
}

function CartRow({ line, lookup }: { line: CartLine; lookup: Lookup }) {
  const product = lookup.state === "ok" ? lookup.product : null;
  const name = product?.name ?? line.sku;
  const inputId = `qty-${line.sku}`;
  const [capped, setCapped] = useState(false);
  return (
    <li class="cart-line" data-sku={line.sku}>
      {product ? <img src={product.imageUrl} alt="" width={72} height={72} /> : <span class="cart-line-thumb" />}
      <div class="cart-line-info">
        {product ? <a href={`/products/${encodeURIComponent(line.sku)}`}>{name}</a> : <span>{name}</span>}
        {product ? (
          <span class="muted">{formatMoney(product.priceCents, product.currency)} each</span>
        ) : lookup.state === "missing" ? (
          <span class="error-text">No longer available: please remove it.</span>
        ) : lookup.state === "error" ? (
          <span class="error-text">Could not load this bracelet; reload to try again.</span>
        ) : (
          <span class="muted">Loading…</span>
        )}
        {capped ? (
          <span class="muted" role="status">
            At most {MAX_QTY} of one bracelet per order.
          </span>
        ) : null}
        {product && product.available < line.qty ? (
          <span class="error-text">
            {product.available === 0 ? "Sold out" : `Only ${product.available} left: lower the quantity.`}
          </span>
        ) : null}
      </div>
      <div class="qty-control">
        <button
          type="button"
          class="secondary"
          aria-label={`One fewer ${name}`}
          disabled={line.qty <= 1}
          onClick={() => setQty(line.sku, line.qty - 1)}
        >
          −
        </button>
        <label class="visually-hidden" for={inputId}>
          Quantity of {name}
        </label>
        <input
          id={inputId}
          type="number"
          inputMode="numeric"
          min={1}
          max={MAX_QTY}
          value={line.qty}
          onChange={(e) => {
            // What the field shows is always what the cart holds: 0 removes the line, more than the limit is
            // the limit (said below), anything else unreadable goes back to the quantity held.
            const input = e.currentTarget;
            const typed = Number.parseInt(input.value, 10);
            if (!Number.isInteger(typed) || typed < 0) {
              input.value = String(line.qty);
              return;
            }
            const qty = Math.min(MAX_QTY, typed);
            setCapped(typed > MAX_QTY);
            input.value = String(qty);
            setQty(line.sku, qty);
          }}
        />
        <button
          type="button"
          class="secondary"
          aria-label={`One more ${name}`}
          disabled={line.qty >= MAX_QTY}
          onClick={() => setQty(line.sku, line.qty + 1)}
        >
          +
        </button>
      </div>
      <span class="cart-line-total">{product ? formatMoney(product.priceCents * line.qty, product.currency) : ""}</span>
      <button
        type="button"
        class="secondary cart-line-remove"
        aria-label={`Remove ${name}`}
        onClick={() => setQty(line.sku, 0)}
      >
        Remove
      </button>
    </li>
  );
}
