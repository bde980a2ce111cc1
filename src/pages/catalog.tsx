/** The catalog page (GET /): search, filters and sort as a plain GET form, the product grid, page links. */
import { formatMoney } from "../../web/src/lib/api";
import { ProductImage } from "../../web/src/lib/product-image";
import {
  type CatalogPage,
  type CatalogQuery,
  canonicalSearch,
  type Facets,
  type Product,
  SORTS,
  type Sort,
} from "../domain/catalog";

const SORT_LABELS: Record<Sort, string> = {
  name: "Name, A to Z",
  "-name": "Name, Z to A",
  price: "Price, low to high",
  "-price": "Price, high to low",
};

export function stockLabel(available: number): string {
  return available > 0 ? `${available} left` : "Sold out";
}

function ProductCard({ product }: { product: Product }) {
  const href = `/products/${product.sku}`;
  return (
    <li class="product-card" data-sku={product.sku}>
      <a href={href} class="product-card-link">
        <ProductImage
          src={product.imageUrl}
          // Decorative here: the link is already named by the heading inside it, and a described image would
          // make screen readers say the name twice.
          alt=""
          width={320}
          height={320}
          loading="lazy"
        />
        <h2 class="product-card-name">{product.name}</h2>
      </a>
      <p class="product-card-meta">
        <span class="price">{formatMoney(product.priceCents, product.currency)}</span>
        <span class={product.available === 0 ? "stock sold-out" : product.lowStock ? "stock low" : "stock"}>
          {stockLabel(product.available)}
        </span>
      </p>
    </li>
  );
}

function Select({
  name,
  label,
  any,
  options,
  value,
}: {
  name: string;
  label: string;
  any: string;
  options: string[];
  value?: string;
}) {
  // A value in the URL that no product has any more still shows as selected, so the form says what was asked.
  const all = value && !options.includes(value) ? [...options, value].sort() : options;
  return (
    <label>
      {label}
      <select name={name}>
        <option value="">{any}</option>
        {all.map((o) => (
          <option value={o} selected={o === value}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}

type Props = { query: CatalogQuery; page: CatalogPage; facets: Facets };

export function CatalogView({ query, page, facets }: Props) {
  const filtered = Boolean(
    query.q || query.material || query.colour || query.minPrice !== undefined || query.maxPrice !== undefined,
  );
  return (
    <>
      <h1>Bracelets</h1>
      <search aria-label="Search and filter bracelets">
        <form class="catalog-filters" method="get" action="/">
          <label class="catalog-search">
            Search
            <input type="search" name="q" value={query.q ?? ""} maxLength={100} placeholder="Amber, silver, jade…" />
          </label>
          <Select
            name="material"
            label="Material"
            any="Any material"
            options={facets.materials}
            value={query.material}
          />
          <Select name="colour" label="Colour" any="Any colour" options={facets.colours} value={query.colour} />
          <label>
            Sort by
            <select name="sort">
              {SORTS.map((s) => (
                <option value={s} selected={s === query.sort}>
                  {SORT_LABELS[s]}
                </option>
              ))}
            </select>
          </label>
          {query.minPrice !== undefined ? <input type="hidden" name="minPrice" value={String(query.minPrice)} /> : null}
          {query.maxPrice !== undefined ? <input type="hidden" name="maxPrice" value={String(query.maxPrice)} /> : null}
          <div class="catalog-actions">
            <button type="submit">Show bracelets</button>
            {filtered ? <a href="/">Clear filters</a> : null}
          </div>
        </form>
      </search>
      <section aria-label="Bracelets">
        {page.items.length === 0 ? (
          <p class="empty">No bracelets match. Try another search or fewer filters.</p>
        ) : (
          <ul class="product-grid">
            {page.items.map((p) => (
              <ProductCard product={p} />
            ))}
          </ul>
        )}
      </section>
      {page.prevCursor || page.nextCursor ? (
        <nav class="pagination" aria-label="Pages">
          {page.prevCursor ? (
            <a rel="prev" href={`/${canonicalSearch(query, { cursor: page.prevCursor })}`}>
              ← Previous
            </a>
          ) : (
            <span />
          )}
          {page.nextCursor ? (
            <a rel="next" href={`/${canonicalSearch(query, { cursor: page.nextCursor })}`}>
              Next →
            </a>
          ) : null}
        </nav>
      ) : null}
    </>
  );
}

/** The catalog asked with parameters it cannot read: say which, and offer the way back. */
export function BadQueryView({ issues }: { issues: { path: string; message: string }[] }) {
  return (
    <>
      <h1>That search did not work</h1>
      <ul>
        {issues.map((i) => (
          <li>
            <strong>{i.path}</strong>: {i.message}
          </li>
        ))}
      </ul>
      <p>
        <a href="/">See all bracelets</a>
      </p>
    </>
  );
}
