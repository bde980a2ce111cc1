// The SQL of `npm run admin:create` (scripts/admin-create.mjs), kept pure so a workerd test runs it against D1
// and signs in with the result (test/admin-create.test.ts).

const q = (v) => (typeof v === "number" ? String(v) : `'${String(v).replaceAll("'", "''")}'`);

/**
 * One statement that makes `email` an active admin with `passwordHash`: a new account, or the existing
 * account of that e-mail promoted and given the new password. Sessions of an existing account are ended, so
 * only the new password opens it.
 *
 * @param {{ id: string, email: string, name: string, passwordHash: string, now: number }} a
 * @returns {string}
 */
export function adminUpsertSql(a) {
  const values = [a.id, a.email, a.name, "admin", a.passwordHash, 1, a.now, a.now].map(q).join(", ");
  return [
    `DELETE FROM sessions WHERE customer_id = (SELECT id FROM customers WHERE email = ${q(a.email)});`,
    `INSERT INTO customers (id, email, name, role, password_hash, active, created_at, updated_at) VALUES (${values})`,
    " ON CONFLICT(email) DO UPDATE SET role = 'admin', password_hash = excluded.password_hash, active = 1,",
    ` updated_at = excluded.updated_at, name = CASE WHEN excluded.name = '' THEN customers.name ELSE excluded.name END;`,
  ].join("\n");
}
