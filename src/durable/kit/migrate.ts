/**
 * A Durable Object's SQLite schema as a versioned list: one entry of statements per version, never edited,
 * only appended. Run in the constructor under `blockConcurrencyWhile`, so no call sees a half-built schema;
 * the steps not yet applied run in one transaction with the new version number.
 */
import { rows } from "./sql";

export type Migrations = readonly (readonly string[])[];

export function migrate(storage: DurableObjectStorage, migrations: Migrations): void {
  storage.sql.exec("CREATE TABLE IF NOT EXISTS _schema (version INTEGER NOT NULL)");
  const version = rows<{ version: number }>(storage.sql, "SELECT version FROM _schema")[0]?.version ?? 0;
  if (version >= migrations.length) return;
  storage.transactionSync(() => {
    for (const steps of migrations.slice(version)) for (const statement of steps) storage.sql.exec(statement);
    storage.sql.exec("DELETE FROM _schema");
    storage.sql.exec("INSERT INTO _schema (version) VALUES (?)", migrations.length);
  });
}
