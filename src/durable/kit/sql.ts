/** Rows of a query on a Durable Object's SQLite storage, as an array. */
export function rows<T extends Record<string, SqlStorageValue>>(
  sql: SqlStorage,
  query: string,
  ...bindings: unknown[]
): T[] {
  return sql.exec<T>(query, ...bindings).toArray();
}
