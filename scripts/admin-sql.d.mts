// Types of scripts/admin-sql.mjs for the TypeScript that imports it (test/admin-create.test.ts).
export function adminUpsertSql(a: {
  id: string;
  email: string;
  name: string;
  passwordHash: string;
  now: number;
}): string;
