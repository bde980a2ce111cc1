/**
 * /checkout: the browser's cart becomes an order. Subtotal, shipping, tax and total come from the server's quote
 * (POST /api/checkout/quote, priced by the code that prices orders) and follow the cart and the country; the
 * order is sent with the quoted total, and if a price changed in between the server refuses it and checkout
 * shows the new total and asks again. "Place order" creates the order (POST /api/orders, which reserves the
 * stock) and pays it (POST /api/orders/:id/pay); the outcome arrives live on the order page this then opens.
 */
import type { InferRequestType } from "hono/client";
import { useEffect, useState } from "preact/hooks";
import type { Address } from "../account/types";
import { ApiFailure, bearer, client, fetchMe, formatMoney, read } from "../lib/api";
import { type CartLine, clearCart, onCartChange, readCart, setQty } from "../lib/cart";
import { Field, type FieldErrors, FormStatus, useForm } from "../lib/form";
import { useProductLookups } from "../lib/product-lookups";
import { cardDigits, INVALID_CARD, payOrder, plausibleCard, TestCardHint, useCardCharge } from "../order/cards";
import { orderPath, orderToken, rememberedOrders, rememberOrderToken } from "../order/tokens";
import { type Order, type PlacedOrder, shortId } from "../order/types";
import { attemptFor, clearAttempt, saveAttempt } from "./attempt";
import { countryOptions } from "./countries";
import { fetchQuote, type Quote, useQuote } from "./use-quote";

/** One SKU the server could not reserve (409 out_of_stock details). */
type Shortage = { sku: string; requested: number; available: number };

const EMPTY = {
  email: "",
  name: "",
  line1: "",
  line2: "",
  city: "",
  region: "",
  postalCode: "",
  country: "",
  phone: "",
  card: "",
};
type Values = typeof EMPTY;
const ADDRESS_KEYS = ["name", "line1", "line2", "city", "region", "postalCode", "country"] as const;
const REQUIRED: (keyof Values)[] = ["email", "name", "line1", "city", "postalCode", "country", "card"];

/** Statuses in which the order's payment has been taken in hand: the shopper's part of checkout is done. */
const PAID_OR_PAYING = new Set(["payment_pending", "on_hold", "confirmed", "shipped", "delivered"]);

/** Server detail paths (`shippingAddress.city`, `paymentMethod.token`) → the form's fields. */
function toField(path: string): string | undefined {
  if (path === "paymentMethod.token" || path === "paymentMethod") return "card";
  const key = path.replace(/^shippingAddress\./, "");
  return key in EMPTY ? key : undefined;
}

function isShortage(value: unknown): value is Shortage {
  const s = value as Partial<Shortage> | null;
  return typeof s?.sku === "string" && typeof s.available === "number" && typeof s.requested === "number";
}

/** Checks the browser can make before anything is sent (the server checks everything again). */
function localProblems(values: Values): FieldErrors {
  const errors: FieldErrors = {};
  for (const key of REQUIRED) if (values[key].trim() === "") errors[key] = "This is required.";
  if (!errors.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email.trim())) {
    errors.email = "Enter an email address like name@example.com.";
  }
  if (!errors.card && !plausibleCard(cardDigits(values.card))) errors.card = INVALID_CARD;
  return errors;
}

type OrderInput = InferRequestType<typeof client.api.orders.$post>["json"];

function orderBody(lines: CartLine[], values: Values, quotedTotalCents: number | null): OrderInput {
  const shippingAddress: Record<string, string> = {};
  for (const key of ADDRESS_KEYS) {
    const value = key === "country" ? values[key].trim().toUpperCase() : values[key].trim();
    if (value !== "") shippingAddress[key] = value;
  }
  const phone = values.phone.trim();
  return {
    items: lines.map((l) => ({ sku: l.sku, qty: l.qty })),
    email: values.email.trim(),
    // The required fields are checked by localProblems before this is sent (and by the server again).
    shippingAddress: shippingAddress as OrderInput["shippingAddress"],
    ...(phone ? { phone } : {}),
    ...(quotedTotalCents !== null ? { quotedTotalCents } : {}),
  };
}

/** The new quote of a 409 price_changed answer, if that is what it is. */
function priceChange(err: unknown): Quote | null {
  if (!(err instanceof ApiFailure) || err.code !== "conflict") return null;
  const d = err.details as { reason?: string; quote?: Quote } | null;
  return d?.reason === "price_changed" && d.quote ? d.quote : null;
}

/** Best effort: an order left behind by an earlier attempt with other details gives its stock back. */
function abandon(order: { id: string; accessToken: string }): void {
  read(
    client.api.orders[":id"].cancel.$post({ param: { id: encodeURIComponent(order.id) } }, bearer(order.accessToken)),
  ).catch(() => {});
}

export function CheckoutPage() {
  const [lines, setLines] = useState<CartLine[] | null>(null);
  const [shortages, setShortages] = useState<Shortage[]>([]);
  const [placed, setPlaced] = useState<Order | null>(null);
  const [step, setStep] = useState<"idle" | "ordering" | "paying" | "leaving">("idle");
  const [recent, setRecent] = useState<string[]>([]);
  const form = useForm<Values>(EMPTY);
  const { quote, replace: replaceQuote } = useQuote(lines, form.values.country);
  const charge = useCardCharge();
  /** Signed in: offer to save the address to the account (ticked when the account has none yet). */
  const [account, setAccount] = useState<{ hasAddress: boolean } | null>(null);
  const [saveAddress, setSaveAddress] = useState(false);

  useEffect(() => {
    const update = () => setLines(readCart());
    update();
    setRecent(rememberedOrders().slice(0, 5));
    return onCartChange(update);
  }, []);

  const lookups = useProductLookups(lines);

  // Signed in: the account's email and saved address fill the fields the shopper has not typed in yet.
  useEffect(() => {
    const abort = new AbortController();
    const fill = (found: Partial<Values>) =>
      form.setValues((prev) => {
        const next = { ...prev };
        for (const [key, value] of Object.entries(found) as [keyof Values, string | undefined][]) {
          if (value && next[key] === "") next[key] = value;
        }
        return next;
      });
    fetchMe(abort.signal)
      .then(async ({ user }) => {
        fill({ email: user.email });
        const { profile } = await read(client.api.account.profile.$get({}, { init: { signal: abort.signal } }));
        const address: Address | null = profile.shippingAddress;
        if (address) fill(address);
        setAccount({ hasAddress: address !== null });
        setSaveAddress(address === null);
      })
      .catch(() => {
        // A guest (401) or staff without a saved address: nothing to fill in.
      });
    return () => abort.abort();
  }, [form.setValues]);

  if (lines === null) return <p aria-busy="true">Loading your cart…</p>;

  if (lines.length === 0 && step !== "leaving") {
    return (
      <div class="checkout" data-checkout-ready="1">
        <h1>Checkout</h1>
        <p>Your cart is empty.</p>
        <p>
          <a href="/">Browse the bracelets</a>
        </p>
        {recent.length > 0 ? (
          <section aria-labelledby="recent-orders-title">
            <h2 id="recent-orders-title">Orders placed from this browser</h2>
            <ul class="recent-orders">
              {recent.map((id) => (
                <li key={id}>
                  <a href={orderPath(id, orderToken(id))}>Order {shortId(id)}</a>
                </li>
              ))}
            </ul>
          </section>
        ) : null}
      </div>
    );
  }

  const finish = (order: { id: string; accessToken: string }) => {
    setStep("leaving");
    clearAttempt();
    clearCart();
    location.assign(orderPath(order.id, order.accessToken));
  };

  /** Pays `order` with the card, then opens its page; a payment already under way counts as paid. */
  const pay = async (order: { id: string; accessToken: string }, card: string) => {
    setStep("paying");
    try {
      const payable = { id: order.id, token: order.accessToken };
      await charge(`${order.id}:${card}`, (key) => payOrder(payable, card, key));
    } catch (err) {
      if (!(err instanceof ApiFailure) || err.code !== "invalid_state") throw err;
      // Not payable now: either a payment is already under way (a retry after a lost answer) or it is over.
      const current = await read(
        client.api.orders[":id"].$get({ param: { id: encodeURIComponent(order.id) } }, bearer(order.accessToken)),
      );
      if (!PAID_OR_PAYING.has(current.status)) {
        clearAttempt();
        setPlaced(null);
        throw new ApiFailure(409, "invalid_state", "The reservation for this order ran out. Place the order again.");
      }
    }
    finish(order);
  };

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    const problems = localProblems(form.values);
    if (Object.keys(problems).length > 0) {
      form.fail(problems);
      return;
    }
    const card = cardDigits(form.values.card);
    const shown = quote.state === "ok" ? quote.quote : quote.last;
    await form
      .run(
        async () => {
          setShortages([]);
          // Clicked while the total was being asked again (the country just changed): ask now, and go on only
          // if it is the total the shopper is looking at.
          const current = quote.state === "ok" ? quote.quote : await fetchQuote(lines, form.values.country);
          if (current.totals.totalCents !== shown?.totals.totalCents) {
            replaceQuote(current);
            throw new ApiFailure(
              409,
              "price_changed",
              `The total is now ${formatMoney(current.totals.totalCents, current.totals.currency)}: check it and place the order again.`,
            );
          }
          await placeAndPay(orderBody(lines, form.values, current.totals.totalCents), card);
        },
        { toField },
      )
      .finally(() => setStep((s) => (s === "leaving" ? s : "idle")));
  };

  /** Creates the order (or finds the one an earlier try of the same body made) and pays it. */
  async function placeAndPay(body: ReturnType<typeof orderBody>, card: string): Promise<void> {
    const { attempt, previous } = attemptFor(JSON.stringify(body));
    if (previous?.order) abandon(previous.order);
    if (attempt.order) {
      const made = attempt.order;
      const existing = await read(
        client.api.orders[":id"].$get({ param: { id: encodeURIComponent(made.id) } }, bearer(made.accessToken)),
      ).catch((err) => {
        if (err instanceof ApiFailure && err.status === 404) return null;
        throw err;
      });
      if (existing && PAID_OR_PAYING.has(existing.status)) return finish(made);
      if (existing && existing.status !== "cancelled") {
        setPlaced(existing);
        return pay(made, card);
      }
      // Its reservation ran out: start a new attempt (attemptFor makes a new key once this one is gone).
      clearAttempt();
      return placeAndPay(body, card);
    }
    setStep("ordering");
    let order: PlacedOrder;
    try {
      order = await read(client.api.orders.$post({ json: body }, { headers: { "Idempotency-Key": attempt.key } }));
    } catch (err) {
      // A definite refusal made no order: the next try is a new attempt. Unknown outcomes keep the key.
      if (err instanceof ApiFailure && err.status < 500 && err.code !== "idempotency_in_progress") clearAttempt();
      if (err instanceof ApiFailure && err.code === "out_of_stock") {
        setShortages(Array.isArray(err.details) ? err.details.filter(isShortage) : []);
        throw new ApiFailure(409, err.code, "Some bracelets ran short. Adjust your cart and place the order again.");
      }
      const fresh = priceChange(err);
      if (fresh) {
        replaceQuote(fresh);
        throw new ApiFailure(
          409,
          "price_changed",
          `A price changed while you were checking out. The total is now ${formatMoney(fresh.totals.totalCents, fresh.totals.currency)}: check it and place the order again.`,
        );
      }
      throw err;
    }
    const made = { id: order.id, accessToken: order.accessToken };
    saveAttempt({ ...attempt, order: made });
    if (account && saveAddress) {
      // Best effort: a failure to save leaves the order as it is. Awaited so the page change after paying
      // cannot cut it short.
      const shippingAddress = { ...body.shippingAddress, ...(body.phone ? { phone: body.phone } : {}) };
      await read(client.api.account.profile.$patch({ json: { shippingAddress } })).catch(() => {});
    }
    rememberOrderToken(order.id, order.accessToken);
    setPlaced(order);
    await pay(made, card);
  }

  const adjustCart = () => {
    for (const s of shortages) setQty(s.sku, s.available);
    setShortages([]);
    setPlaced(null);
  };

  const busy = form.sending || step === "leaving";
  const f = (name: keyof Values) => ({ form: "checkout", ...form.field(name) });
  const productOf = (sku: string) => {
    const lookup = lookups[sku];
    return lookup?.state === "ok" ? lookup.product : null;
  };
  const pending = lines.some((l) => !lookups[l.sku] || lookups[l.sku]?.state === "loading");
  const quoted = quote.state === "ok" ? quote.quote : null;
  const quotedLine = (sku: string) => quoted?.items.find((i) => i.sku === sku);

  return (
    <div class="checkout" data-checkout-ready={pending ? undefined : "1"}>
      <h1>Checkout</h1>
      <div class="checkout-grid">
        <section class="checkout-summary" aria-labelledby="checkout-summary-title">
          <h2 id="checkout-summary-title">Your order</h2>
          <ul class="checkout-lines">
            {lines.map((line) => {
              const lookup = lookups[line.sku] ?? { state: "loading" };
              const product = productOf(line.sku);
              const shortage = shortages.find((s) => s.sku === line.sku);
              const short = shortage?.available ?? (product && product.available < line.qty ? product.available : null);
              return (
                <li key={line.sku} class="checkout-line" data-sku={line.sku}>
                  <span class="checkout-line-name">
                    {product?.name ?? line.sku} <span class="muted">× {line.qty}</span>
                  </span>
                  <span class="num">
                    {quotedLine(line.sku)
                      ? formatMoney(quotedLine(line.sku)?.lineTotalCents ?? 0, quoted?.totals.currency)
                      : product
                        ? formatMoney(product.priceCents * line.qty, product.currency)
                        : "…"}
                  </span>
                  {lookup.state === "missing" ? (
                    <span class="error-text checkout-line-note">No longer sold: remove it from your cart.</span>
                  ) : lookup.state === "error" ? (
                    <span class="error-text checkout-line-note">Could not load this bracelet.</span>
                  ) : null}
                  {short !== null ? (
                    <span class="error-text checkout-line-note" data-testid={`short-${line.sku}`}>
                      {short === 0 ? "Sold out" : `Only ${short} left`}
                    </span>
                  ) : null}
                </li>
              );
            })}
          </ul>
          {shortages.length > 0 ? (
            <div class="checkout-shortage" role="alert">
              <p>Some bracelets ran short while you were shopping.</p>
              <div class="actions">
                <button type="button" onClick={adjustCart}>
                  Adjust my cart to what is left
                </button>
                <a href="/cart">Back to the cart</a>
              </div>
            </div>
          ) : null}
          <QuoteTotals
            quote={placed ? { state: "ok", quote: { items: placed.items, totals: placed.totals } } : quote}
          />
          <p>
            <a href="/cart">Change the cart</a>
          </p>
        </section>

        <form
          ref={form.formRef}
          class="stack checkout-form"
          noValidate
          onSubmit={onSubmit}
          aria-label="Checkout"
          aria-busy={busy ? "true" : undefined}
        >
          <FormStatus error={form.formError} notice={form.notice} />
          <fieldset>
            <legend>Contact</legend>
            <Field
              label="Email"
              type="email"
              autocomplete="email"
              inputMode="email"
              required
              maxLength={254}
              hint="We send the order confirmation here."
              {...f("email")}
            />
            <Field
              label="Phone"
              type="tel"
              autocomplete="shipping tel"
              inputMode="tel"
              maxLength={32}
              {...f("phone")}
            />
          </fieldset>
          <fieldset>
            <legend>Shipping address</legend>
            <Field label="Full name" autocomplete="shipping name" required maxLength={100} {...f("name")} />
            <Field
              label="Address line 1"
              autocomplete="shipping address-line1"
              required
              maxLength={200}
              {...f("line1")}
            />
            <Field label="Address line 2" autocomplete="shipping address-line2" maxLength={200} {...f("line2")} />
            <div class="field-row">
              <Field label="City" autocomplete="shipping address-level2" required maxLength={100} {...f("city")} />
              <Field label="Region or state" autocomplete="shipping address-level1" maxLength={100} {...f("region")} />
            </div>
            <div class="field-row">
              <Field
                label="Postal code"
                autocomplete="shipping postal-code"
                required
                maxLength={20}
                {...f("postalCode")}
              />
              <Field
                label="Country"
                autocomplete="shipping country"
                required
                options={countryOptions()}
                {...f("country")}
              />
            </div>
            {account ? (
              <label class="checkbox-field">
                <input
                  type="checkbox"
                  name="saveAddress"
                  checked={saveAddress}
                  onChange={(e) => setSaveAddress((e.currentTarget as HTMLInputElement).checked)}
                />{" "}
                {account.hasAddress
                  ? "Save this address to my account (replaces the saved one)"
                  : "Save this address to my account"}
              </label>
            ) : null}
          </fieldset>
          <fieldset>
            <legend>Payment</legend>
            <Field
              label="Card number"
              autocomplete="cc-number"
              inputMode="numeric"
              required
              maxLength={23}
              hint={<TestCardHint />}
              {...f("card")}
            />
          </fieldset>
          {quoted ? (
            <p class="checkout-pay-line">
              You pay <strong>{formatMoney(quoted.totals.totalCents, quoted.totals.currency)}</strong>, shipping and tax
              included.
            </p>
          ) : null}
          <button type="submit" disabled={busy}>
            {step === "ordering"
              ? "Reserving your bracelets…"
              : step === "paying"
                ? "Sending the payment…"
                : step === "leaving"
                  ? "Opening your order…"
                  : "Place order"}
          </button>
        </form>
      </div>
    </div>
  );
}

/** Subtotal, shipping, tax and total of the quote (or of the order once it is placed). */
function QuoteTotals({ quote }: { quote: ReturnType<typeof useQuote>["quote"] }) {
  const shown = quote.state === "ok" ? quote.quote : quote.last;
  if (!shown) {
    return quote.state === "error" ? (
      <p class="error-text" role="alert" data-testid="quote-error">
        {quote.message}
      </p>
    ) : (
      <p class="muted" aria-busy="true">
        Working out shipping and tax…
      </p>
    );
  }
  const { totals } = shown;
  const stale = quote.state !== "ok";
  return (
    <>
      <dl
        class={`totals${stale ? " stale" : ""}`}
        data-testid="checkout-totals"
        data-quote-ready={stale ? undefined : "1"}
        aria-busy={quote.state === "loading" ? "true" : undefined}
      >
        <dt>Subtotal</dt>
        <dd data-testid="checkout-subtotal">{formatMoney(totals.subtotalCents, totals.currency)}</dd>
        <dt>Shipping</dt>
        <dd data-testid="checkout-shipping">
          {totals.shippingCents === 0 ? "Free" : formatMoney(totals.shippingCents, totals.currency)}
        </dd>
        <dt>Tax</dt>
        <dd data-testid="checkout-tax">{formatMoney(totals.taxCents, totals.currency)}</dd>
        <dt class="grand">Total</dt>
        <dd class="grand" data-testid="checkout-total">
          {formatMoney(totals.totalCents, totals.currency)}
        </dd>
      </dl>
      {quote.state === "error" ? (
        <p class="error-text" role="alert" data-testid="quote-error">
          {quote.message}
        </p>
      ) : null}
    </>
  );
}
