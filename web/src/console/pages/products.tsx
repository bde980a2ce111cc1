/**
 * Products (admins): the whole catalog including inactive products, a form for a new product, and per-row
 * editing of everything but stock (stock moves through Inventory). Prices are typed as decimals ("42.00")
 * and sent as integer minor units. Stock columns follow InventoryAdjusted events live.
 */
import { Fragment } from "preact";
import { useEffect, useState } from "preact/hooks";
import { type AnswerOf, client, formatMoney, read } from "../../lib/api";
import { Field, FormStatus, useForm } from "../../lib/form";
import { centsToInput, parsePriceInput } from "../../lib/money-input";
import type { FeedEvent } from "../feed";
import { ImagePicker } from "../image-picker";
import { useFeed } from "../use-feed";

const route = client.api.admin.products;
export type Product = AnswerOf<typeof route.$get>["products"][number];

const STOCK_EVENTS = ["InventoryAdjusted"] as const;
const PRICE_PROBLEM = "Enter a price like 42.00 (at least 0.01)";
const WHOLE_NUMBER = "Enter a whole number, 0 or more";

/** API paths to the form's field names: the form edits `price`, the API takes `priceCents`. */
const toField = (fields: readonly string[]) => (path: string) => {
  const name = path === "priceCents" ? "price" : path;
  return fields.includes(name) ? name : undefined;
};

/** A whole number ≥ 0 typed into a text box, or null. */
function parseCount(text: string): number | null {
  return /^\d{1,6}$/.test(text.trim()) ? Number(text.trim()) : null;
}

const EDIT_FIELDS = ["name", "description", "material", "colour", "price", "lowStockThreshold", "imageUrl"] as const;
type EditValues = Record<(typeof EDIT_FIELDS)[number], string> & { active: string };

function editValues(p: Product): EditValues {
  return {
    name: p.name,
    description: p.description,
    material: p.material,
    colour: p.colour,
    price: centsToInput(p.priceCents),
    lowStockThreshold: String(p.lowStockThreshold),
    imageUrl: p.imageUrl,
    active: p.active ? "1" : "",
  };
}

function EditProduct({
  product,
  onSaved,
  onClose,
}: {
  product: Product;
  onSaved: (p: Product) => void;
  onClose: () => void;
}) {
  const form = useForm(editValues(product));
  const prefix = `edit-${product.sku}`;
  // Opening the editor moves focus into it; Cancel and Save put it back on the row's Edit button.
  useEffect(() => {
    form.formRef.current?.querySelector<HTMLElement>("input")?.focus();
  }, []);
  const f = (name: keyof EditValues) => ({ form: prefix, ...form.field(name) });

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    const priceCents = parsePriceInput(form.values.price);
    const lowStockThreshold = parseCount(form.values.lowStockThreshold);
    const problems: Record<string, string> = {};
    if (priceCents === null || priceCents < 1) problems.price = PRICE_PROBLEM;
    if (lowStockThreshold === null) problems.lowStockThreshold = WHOLE_NUMBER;
    if (priceCents === null || lowStockThreshold === null || Object.keys(problems).length > 0) {
      return form.fail(problems);
    }
    const { name, description, material, colour, imageUrl } = form.values;
    await form.run(
      async () => {
        const saved = await read(
          route[":sku"].$patch({
            param: { sku: encodeURIComponent(product.sku) },
            json: {
              name,
              description,
              material,
              colour,
              imageUrl: imageUrl.trim(),
              priceCents,
              lowStockThreshold,
              active: form.values.active === "1",
            },
          }),
        );
        onSaved(saved);
      },
      { toField: toField(EDIT_FIELDS) },
    );
  };

  return (
    <form
      ref={form.formRef}
      class="product-form"
      noValidate
      onSubmit={onSubmit}
      aria-label={`Edit ${product.sku}`}
      data-edit-sku={product.sku}
    >
      <FormStatus error={form.formError} />
      <div class="form-grid">
        <Field label="Name" required maxLength={100} {...f("name")} />
        <Field label="Material" required maxLength={50} {...f("material")} />
        <Field label="Colour" required maxLength={50} {...f("colour")} />
        <Field label="Price" required inputMode="decimal" hint={`In ${product.currency}, e.g. 42.00`} {...f("price")} />
        <Field
          label="Low-stock threshold"
          required
          inputMode="numeric"
          hint="Staff are alerted when available stock falls to this."
          {...f("lowStockThreshold")}
        />
        <Field
          label="Image URL"
          hint="Filled in by an upload; or a site path (/images/…) or an https URL."
          {...f("imageUrl")}
        />
      </div>
      <ImagePicker
        id={prefix}
        productName={form.values.name}
        url={form.values.imageUrl.trim()}
        onUploaded={(url) => form.set("imageUrl", url)}
      />
      <Field label="Description" multiline maxLength={2000} {...f("description")} />
      <label class="checkbox">
        <input
          type="checkbox"
          checked={form.values.active === "1"}
          onChange={(e) => form.set("active", (e.currentTarget as HTMLInputElement).checked ? "1" : "")}
        />
        Active (shown in the shop)
      </label>
      <div class="actions">
        <button type="submit" disabled={form.sending}>
          {form.sending ? "Saving…" : "Save"}
        </button>
        <button type="button" class="secondary" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}

const NEW_FIELDS = [
  "sku",
  "name",
  "description",
  "material",
  "colour",
  "price",
  "initialStock",
  "lowStockThreshold",
  "imageUrl",
] as const;
type NewValues = Record<(typeof NEW_FIELDS)[number], string> & { active: string };
const EMPTY_NEW: NewValues = {
  sku: "",
  name: "",
  description: "",
  material: "",
  colour: "",
  price: "",
  initialStock: "0",
  lowStockThreshold: "3",
  imageUrl: "",
  active: "1",
};

function NewProduct({ currency, onCreated }: { currency: string; onCreated: (p: Product) => void }) {
  const form = useForm(EMPTY_NEW);
  const f = (name: keyof NewValues) => ({ form: "new-product", ...form.field(name) });

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    const priceCents = parsePriceInput(form.values.price);
    const initialStock = parseCount(form.values.initialStock);
    const lowStockThreshold = parseCount(form.values.lowStockThreshold);
    const problems: Record<string, string> = {};
    if (priceCents === null || priceCents < 1) problems.price = PRICE_PROBLEM;
    if (initialStock === null) problems.initialStock = WHOLE_NUMBER;
    if (lowStockThreshold === null) problems.lowStockThreshold = WHOLE_NUMBER;
    if (
      priceCents === null ||
      initialStock === null ||
      lowStockThreshold === null ||
      Object.keys(problems).length > 0
    ) {
      return form.fail(problems);
    }
    const { sku, name, description, material, colour, imageUrl } = form.values;
    await form.run(
      async () => {
        const created = await read(
          route.$post({
            json: {
              sku: sku.trim(),
              name,
              description,
              material,
              colour,
              priceCents,
              initialStock,
              lowStockThreshold,
              imageUrl: imageUrl.trim(),
              active: form.values.active === "1",
            },
          }),
        );
        onCreated(created);
        form.setValues(EMPTY_NEW);
        return `Created ${created.sku}.`;
      },
      { toField: toField(NEW_FIELDS), codeFields: { conflict: { field: "sku" } } },
    );
  };

  return (
    <form ref={form.formRef} class="product-form" noValidate onSubmit={onSubmit} aria-labelledby="new-product-title">
      <h2 id="new-product-title">New product</h2>
      <FormStatus error={form.formError} notice={form.notice} />
      <div class="form-grid">
        <Field label="SKU" required maxLength={32} hint="3 to 32 capital letters, digits and dashes." {...f("sku")} />
        <Field label="Name" required maxLength={100} {...f("name")} />
        <Field label="Material" required maxLength={50} {...f("material")} />
        <Field label="Colour" required maxLength={50} {...f("colour")} />
        <Field label="Price" required inputMode="decimal" hint={`In ${currency}, e.g. 42.00`} {...f("price")} />
        <Field label="Opening stock" required inputMode="numeric" {...f("initialStock")} />
        <Field label="Low-stock threshold" required inputMode="numeric" {...f("lowStockThreshold")} />
        <Field
          label="Image URL"
          hint="Filled in by an upload; or a site path (/images/…) or an https URL."
          {...f("imageUrl")}
        />
      </div>
      <ImagePicker
        id="new-product"
        productName={form.values.name}
        url={form.values.imageUrl.trim()}
        onUploaded={(url) => form.set("imageUrl", url)}
      />
      <Field label="Description" multiline maxLength={2000} {...f("description")} />
      <label class="checkbox">
        <input
          type="checkbox"
          checked={form.values.active === "1"}
          onChange={(e) => form.set("active", (e.currentTarget as HTMLInputElement).checked ? "1" : "")}
        />
        Active (shown in the shop)
      </label>
      <div class="actions">
        <button type="submit" disabled={form.sending}>
          {form.sending ? "Creating…" : "Create product"}
        </button>
      </div>
    </form>
  );
}

export function ProductsPage() {
  const [products, setProducts] = useState<Product[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState("");

  useEffect(() => {
    read(route.$get())
      .then((res) => setProducts(res.products))
      .catch((err) => setError((err as Error).message));
  }, []);

  useFeed(STOCK_EVENTS, (e: FeedEvent) => {
    const after = e.data.after as { onHand: number; reserved: number; available: number } | undefined;
    if (!after) return;
    setProducts(
      (list) =>
        list?.map((p) =>
          p.sku === e.data.sku
            ? { ...p, stockOnHand: after.onHand, stockReserved: after.reserved, stockAvailable: after.available }
            : p,
        ) ?? null,
    );
  });

  const close = (sku: string) => {
    setEditing(null);
    // Back to the row's Edit button, so keyboard users keep their place.
    requestAnimationFrame(() =>
      document.querySelector<HTMLElement>(`tr[data-sku="${sku}"] button[data-edit]`)?.focus(),
    );
  };
  const replace = (saved: Product) => {
    setProducts((list) => list?.map((p) => (p.sku === saved.sku ? saved : p)) ?? null);
    setNotice(`Saved ${saved.sku}.`);
    close(saved.sku);
  };
  const added = (created: Product) => {
    setProducts((list) => [...(list ?? []), created].sort((a, b) => a.sku.localeCompare(b.sku)));
    setNotice(`Created ${created.sku}.`);
  };

  const currency = products?.[0]?.currency ?? "EUR";
  return (
    <section aria-labelledby="products-title" data-products-ready={products ? "1" : undefined}>
      <div class="page-head">
        <h1 id="products-title">Products</h1>
        <button type="button" aria-expanded={creating} onClick={() => setCreating((x) => !x)}>
          {creating ? "Close new product" : "New product"}
        </button>
      </div>
      {creating ? <NewProduct currency={currency} onCreated={added} /> : null}
      <p class="ok-text" role="status">
        {notice}
      </p>
      {error ? <p class="error-text">{error}</p> : null}
      {products === null && !error ? <p aria-busy="true">Loading products…</p> : null}
      {products ? (
        <table class="data products-table">
          <thead>
            <tr>
              <th scope="col">SKU</th>
              <th scope="col">Name</th>
              <th scope="col" class="num">
                Price
              </th>
              <th scope="col" class="num">
                On hand
              </th>
              <th scope="col" class="num">
                Reserved
              </th>
              <th scope="col" class="num">
                Available
              </th>
              <th scope="col">Status</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {products.map((p) => (
              <Fragment key={p.sku}>
                <tr data-sku={p.sku} data-active={p.active ? "1" : "0"}>
                  <td>
                    <code>{p.sku}</code>
                  </td>
                  <td>
                    <a href={`/products/${encodeURIComponent(p.sku)}`}>{p.name}</a>
                  </td>
                  <td class="num" data-col="price">
                    {formatMoney(p.priceCents, p.currency)}
                  </td>
                  <td class="num">{p.stockOnHand}</td>
                  <td class="num">{p.stockReserved}</td>
                  <td class="num">
                    {p.stockAvailable}
                    {p.stockAvailable <= p.lowStockThreshold ? <span class="badge warn">low</span> : null}
                  </td>
                  <td>{p.active ? <span class="badge ok">Active</span> : <span class="badge">Inactive</span>}</td>
                  <td>
                    <button
                      type="button"
                      class="secondary"
                      data-edit
                      aria-expanded={editing === p.sku}
                      aria-label={`Edit ${p.name}`}
                      onClick={() => {
                        setNotice("");
                        setEditing(editing === p.sku ? null : p.sku);
                      }}
                    >
                      Edit
                    </button>
                  </td>
                </tr>
                {editing === p.sku ? (
                  <tr class="edit-row">
                    <td colSpan={8}>
                      <EditProduct product={p} onSaved={replace} onClose={() => close(p.sku)} />
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
