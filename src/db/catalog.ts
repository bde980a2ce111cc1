/** Catalog reads from D1: active products only, keyset pages over the indexed sort columns. */
import { and, asc, desc, eq, gte, lte, or, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import {
  type CatalogPage,
  type CatalogQuery,
  type Facets,
  isDescending,
  type Product,
  searchPatterns,
  sortField,
  toPage,
  toProduct,
} from "../domain/catalog";
import type { Db } from "./client";
import { products } from "./schema";

const productColumns = {
  sku: products.sku,
  name: products.name,
  description: products.description,
  material: products.material,
  colour: products.colour,
  priceCents: products.priceCents,
  currency: products.currency,
  imageUrl: products.imageUrl,
  stockAvailable: products.stockAvailable,
  lowStockThreshold: products.lowStockThreshold,
};

function filtersOf(query: CatalogQuery): SQL[] {
  const where: SQL[] = [eq(products.active, true)];
  if (query.material !== undefined) where.push(eq(products.material, query.material));
  if (query.colour !== undefined) where.push(eq(products.colour, query.colour));
  if (query.minPrice !== undefined) where.push(gte(products.priceCents, query.minPrice));
  if (query.maxPrice !== undefined) where.push(lte(products.priceCents, query.maxPrice));
  for (const pattern of searchPatterns(query.q)) {
    const match = (column: SQLiteColumn) => sql`${column} LIKE ${pattern} ESCAPE '\\'`;
    where.push(
      or(match(products.name), match(products.description), match(products.material), match(products.colour))!,
    );
  }
  return where;
}

/** The keyset query for one page: `limit + 1` rows scanned from the cursor in the page's direction. */
function pageQuery(db: Db, query: CatalogQuery) {
  const column = sortField(query.sort) === "price" ? products.priceCents : products.name;
  const cursor = query.cursor;
  // Scanning towards a previous page walks the order backwards; toPage() turns the rows round again.
  const scanDescending = isDescending(query.sort) !== (cursor?.dir === "before");
  const where = filtersOf(query);
  if (cursor) {
    where.push(
      scanDescending
        ? sql`(${column}, ${products.sku}) < (${cursor.key}, ${cursor.sku})`
        : sql`(${column}, ${products.sku}) > (${cursor.key}, ${cursor.sku})`,
    );
  }
  const order = scanDescending ? [desc(column), desc(products.sku)] : [asc(column), asc(products.sku)];
  return db
    .select(productColumns)
    .from(products)
    .where(and(...where))
    .orderBy(...order)
    .limit(query.limit + 1);
}

function facetQueries(db: Db) {
  return [
    db.selectDistinct({ value: products.material }).from(products).where(eq(products.active, true)),
    db.selectDistinct({ value: products.colour }).from(products).where(eq(products.active, true)),
  ] as const;
}

const sorted = (rows: { value: string }[]) => rows.map((r) => r.value).sort();

/** One page of active products; with `facets`, also every material and colour on sale (one D1 round trip). */
export async function listProducts(
  db: Db,
  query: CatalogQuery,
  opts: { facets?: boolean } = {},
): Promise<CatalogPage & { facets?: Facets }> {
  if (!opts.facets) return toPage((await pageQuery(db, query)).map(toProduct), query);
  const [materials, colours] = facetQueries(db);
  const [rows, materialRows, colourRows] = await db.batch([pageQuery(db, query), materials, colours]);
  return {
    ...toPage(rows.map(toProduct), query),
    facets: { materials: sorted(materialRows), colours: sorted(colourRows) },
  };
}

/** Every material and colour among active products, for the storefront's filters. */
export async function listFacets(db: Db): Promise<Facets> {
  const [materials, colours] = await db.batch(facetQueries(db));
  return { materials: sorted(materials), colours: sorted(colours) };
}

/** An active product by SKU, or null (inactive products are not public). */
export async function getProduct(db: Db, sku: string): Promise<Product | null> {
  const row = await db
    .select(productColumns)
    .from(products)
    .where(and(eq(products.sku, sku), eq(products.active, true)))
    .get();
  return row ? toProduct(row) : null;
}
