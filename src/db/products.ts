/** The whole catalog as admins manage it (`products`, inactive ones too); the shop's reads are in ./catalog.ts. */
import { asc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "./client";
import { bound, preparedOnce } from "./prepared";
import { products } from "./schema";

export type ProductRow = typeof products.$inferSelect;
type NewProduct = typeof products.$inferInsert;

/** Every product, active or not, by SKU. */
export async function listAllProducts(db: Db): Promise<ProductRow[]> {
  return db.select().from(products).orderBy(asc(products.sku));
}

/**
 * What pricing needs of `n` SKUs (price, name, active; inactive products too, so the checkout can name them).
 * Every checkout reads it: rendered once per isolate and per number of SKUs (./prepared.ts).
 */
const entriesOf = (db: Db, n: number) =>
  preparedOnce(db, `products.catalog_entries.${n}`, () =>
    db
      .select({ sku: products.sku, name: products.name, priceCents: products.priceCents, active: products.active })
      .from(products)
      .where(
        inArray(
          products.sku,
          Array.from({ length: n }, (_, i) => sql.placeholder(`sku${i}`)),
        ),
      ),
  );

const skuValues = (skus: readonly string[]) => Object.fromEntries(skus.map((sku, i) => [`sku${i}`, sku]));

/** The statement that reads `catalogEntries` of `skus`, to put in a D1 batch (the checkout takes its order number alongside). */
export function catalogEntriesOf(db: Db, skus: readonly string[]) {
  return bound(entriesOf(db, skus.length), skuValues(skus));
}

/** What pricing needs of `skus` (price, name, active; inactive products too), read alone. */
export async function catalogEntries(db: Db, skus: readonly string[]) {
  return entriesOf(db, skus.length).all(skuValues(skus));
}

/** True when the catalog has a product with this SKU (active or not). */
export async function productExists(db: Db, sku: string): Promise<boolean> {
  return (await db.select({ sku: products.sku }).from(products).where(eq(products.sku, sku)).get()) !== undefined;
}

/** The new product's row, or undefined when its SKU is taken. */
export async function insertProductIfNew(db: Db, values: NewProduct): Promise<ProductRow | undefined> {
  const [row] = await db.insert(products).values(values).onConflictDoNothing({ target: products.sku }).returning();
  return row;
}

/** The changed product's row, or undefined when there is no such SKU. Stock columns move through ProductStock. */
export async function updateProduct(
  db: Db,
  args: {
    sku: string;
    change: Partial<Omit<NewProduct, "sku" | "stockOnHand" | "stockReserved" | "stockAvailable">>;
    now: number;
  },
): Promise<ProductRow | undefined> {
  const [row] = await db
    .update(products)
    .set({ ...args.change, updatedAt: args.now })
    .where(eq(products.sku, args.sku))
    .returning();
  return row;
}
