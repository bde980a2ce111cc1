import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { formatMoney } from "../lib/api";
import { type CartLine, MAX_QTY, onCartChange, readCart, setQty } from "../lib/cart";
import { ProductImage } from "../lib/product-image";
import { type Lookup, useProductLookups } from "../lib/product-lookups";

/**
 * The cart page: the browser keeps SKUs and quantities, the prices shown are the server's (GET
 * /api/products/:sku, served from the catalog cache). The order itself is priced again at checkout.
 */
export function CartView(_: Record<string, never>) {
  const [lines, setLines] = useState<CartLine[] | null>(null);
  /** What the polite live region says after the shopper changes a line (quantities and totals change silently otherwise). */
  const [announcement, setAnnouncement] = useState("");
  /** Where focus goes once a removed line is gone: the next line, the previous one, or the empty-cart message. */
  const focusAfterRemove = useRef<string | null>(null);
  const root = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const update = () => setLines(readCart());
    update();
    return onCartChange(update);
  }, []);

  const lookups = useProductLookups(lines);

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

  // A layout effect: the focus moves in the commit that removes the line, before the browser paints or a
  // screen reader can see the focus fall to the page (an effect ran a frame later; the e2e test caught it).
  useLayoutEffect(() => {
    const target = focusAfterRemove.current;
    if (target === null || !root.current) return;
    focusAfterRemove.current = null;
    const el =
      target === ""
        ? root.current.querySelector<HTMLElement>(".cart-empty")
        : root.current.querySelector<HTMLElement>(`.cart-line[data-sku="${CSS.escape(target)}"] .cart-line-remove`);
    el?.focus();
  }, [lines]);

  const nameOf = (sku: string) => {
    const lookup = lookups[sku];
    return lookup?.state === "ok" ? lookup.product.name : sku;
  };
  const change = (line: CartLine, qty: number) => {
    const all = lines ?? [];
    if (qty === 0) {
      const at = all.findIndex((l) => l.sku === line.sku);
      focusAfterRemove.current = (all[at + 1] ?? all[at - 1])?.sku ?? "";
      setAnnouncement(`Removed ${nameOf(line.sku)} from the cart.`);
    } else {
      setAnnouncement(`${nameOf(line.sku)}: quantity ${qty}.`);
    }
    setQty(line.sku, qty);
  };

  if (lines === null) return <p aria-busy="true">Loading your cart…</p>;
  const ready = !summary.pending;
  const status = (
    <p class="visually-hidden" role="status" aria-live="polite" data-testid="cart-status">
      {announcement}
      {announcement && lines.length > 0 && !summary.pending
        ? ` Subtotal ${formatMoney(summary.subtotal, summary.currency)}.`
        : ""}
    </p>
  );
  if (lines.length === 0) {
    return (
      <div class="cart" data-ready="true" ref={root}>
        {status}
        <p class="cart-empty" tabIndex={-1}>
          Your cart is empty.
        </p>
        <p>
          <a href="/">Browse the bracelets</a>
        </p>
      </div>
    );
  }

  return (
    <div class="cart" data-ready={ready ? "true" : undefined} ref={root}>
      {status}
      <ul class="cart-lines">
        {lines.map((line) => (
          <CartRow
            key={line.sku}
            line={line}
            lookup={lookups[line.sku] ?? { state: "loading" }}
            onQty={(qty) => change(line, qty)}
          />
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

function CartRow({ line, lookup, onQty }: { line: CartLine; lookup: Lookup; onQty: (qty: number) => void }) {
  const product = lookup.state === "ok" ? lookup.product : null;
  const name = product?.name ?? line.sku;
  const inputId = `qty-${line.sku}`;
  const [capped, setCapped] = useState(false);
  return (
    <li class="cart-line" data-sku={line.sku}>
      {product ? (
        <ProductImage src={product.imageUrl} alt="" width={72} height={72} class="cart-line-image" />
      ) : (
        <span class="cart-line-thumb" />
      )}
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
          // aria-disabled, not disabled: a disabled button drops the keyboard focus to <body>.
          aria-disabled={line.qty <= 1 ? "true" : undefined}
          onClick={() => line.qty > 1 && onQty(line.qty - 1)}
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
            onQty(qty);
          }}
        />
        <button
          type="button"
          class="secondary"
          aria-label={`One more ${name}`}
          aria-disabled={line.qty >= MAX_QTY ? "true" : undefined}
          onClick={() => line.qty < MAX_QTY && onQty(line.qty + 1)}
        >
          +
        </button>
      </div>
      <span class="cart-line-total">{product ? formatMoney(product.priceCents * line.qty, product.currency) : ""}</span>
      <button type="button" class="secondary cart-line-remove" aria-label={`Remove ${name}`} onClick={() => onQty(0)}>
        Remove
      </button>
    </li>
  );
}
