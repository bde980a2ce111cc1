// Seeds the LOCAL D1 database with the catalog, plans and dev accounts. Idempotent: rows that exist are left
// as they are (a re-run never resets stock or prices someone changed). Never seeds a remote database.
//   node scripts/seed.mjs [--persist-to DIR]
import { pbkdf2Sync, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ACCOUNTS, DEFAULT_SEED_PASSWORD, PLANS, PRODUCTS } from "./seed-data.mjs";
import { wranglerSync } from "./wrangler.mjs";

if (process.argv.includes("--remote")) {
  console.error("The seed is for local development only: a deployed shop gets no dev accounts.");
  process.exit(1);
}
const persistAt = process.argv.indexOf("--persist-to");
const persistArgs = persistAt > 0 ? ["--persist-to", process.argv[persistAt + 1]] : [];
const password = process.env.SEED_PASSWORD || DEFAULT_SEED_PASSWORD;

/** Same format as src/services/accounts/passwords.ts: parameters travel with the hash. */
function hashPassword(plain) {
  const iterations = 100_000;
  const salt = randomBytes(16);
  const hash = pbkdf2Sync(plain, salt, iterations, 32, "sha256");
  return `pbkdf2-sha256$${iterations}$${salt.toString("base64")}$${hash.toString("base64")}`;
}

const q = (v) =>
  v === null || v === undefined ? "NULL" : typeof v === "number" ? String(v) : `'${String(v).replaceAll("'", "''")}'`;
const now = Date.now();
const sql = [];
for (const p of PRODUCTS) {
  sql.push(
    `INSERT INTO products (sku, name, description, material, colour, price_cents, currency, image_url, active, low_stock_threshold, stock_on_hand, stock_reserved, stock_available, created_at, updated_at) VALUES (${[p.sku, p.name, p.description, p.material, p.colour, p.priceCents, "EUR", `/images/${p.sku}.svg`, 1, 3, p.stock, 0, p.stock, now, now].map(q).join(", ")}) ON CONFLICT(sku) DO NOTHING;`,
  );
}
for (const plan of PLANS) {
  sql.push(
    `INSERT INTO plans (id, name, description, price_cents, currency, interval, active, created_at) VALUES (${[plan.id, plan.name, plan.description, plan.priceCents, "EUR", "month", 1, now].map(q).join(", ")}) ON CONFLICT(id) DO NOTHING;`,
  );
}
for (const a of ACCOUNTS) {
  sql.push(
    `INSERT INTO customers (id, email, name, role, password_hash, active, created_at, updated_at) VALUES (${[`cus_seed_${a.role}`, a.email, a.name, a.role, hashPassword(password), 1, now, now].map(q).join(", ")}) ON CONFLICT(email) DO NOTHING;`,
  );
}

const dir = mkdtempSync(path.join(tmpdir(), "seed-"));
const file = path.join(dir, "seed.sql");
writeFileSync(file, sql.join("\n"));
try {
  wranglerSync(["d1", "execute", "DB", "--local", ...persistArgs, `--file=${file}`], { quiet: true });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`Seeded ${PRODUCTS.length} bracelets, ${PLANS.length} plans and ${ACCOUNTS.length} dev accounts.`);
