/** Product rows for the catalog suites: the test D1 starts empty, so each suite inserts what it reads. */
import { env } from "cloudflare:workers";
import { inArray } from "drizzle-orm";
import { getDb } from "../src/db/client";
import { products } from "../src/db/schema";

export type Fixture = {
  sku: string;
  name: string;
  material: string;
  colour: string;
  priceCents: number;
  available?: number;
  active?: boolean;
  description?: string;
  lowStockThreshold?: number;
};

export async function insertProducts(rows: Fixture[]): Promise<void> {
  const now = Date.now();
  const db = getDb(env.DB);
  const values = rows.map((r) => ({
    sku: r.sku,
    name: r.name,
    description: r.description ?? `${r.name}, handmade.`,
    material: r.material,
    colour: r.colour,
    priceCents: r.priceCents,
    currency: "EUR",
    imageUrl: `/images/${r.sku}.svg`,
    active: r.active ?? true,
    lowStockThreshold: r.lowStockThreshold ?? 3,
    stockOnHand: r.available ?? 10,
    stockReserved: 0,
    stockAvailable: r.available ?? 10,
    createdAt: now,
    updatedAt: now,
  }));
  // D1 binds at most 100 parameters per statement: 15 columns a row, so 6 rows a statement.
  for (let i = 0; i < values.length; i += 6) await db.insert(products).values(values.slice(i, i + 6));
}

export async function deleteProducts(skus: string[]): Promise<void> {
  await getDb(env.DB).delete(products).where(inArray(products.sku, skus));
}

/** A SKU no other test in the file uses (storage is shared by the tests of one file). */
export const freshSku = (prefix = "T") => `${prefix}-${crypto.randomUUID().slice(0, 8).toUpperCase()}`;
