/**
 * Statements rendered once per isolate. Drizzle renders a query's SQL on every call (entity checks, escaping,
 * the parameter list: about 190 µs for an order's flush of three statements), and the hottest writes of a
 * checkout (the order mirror and the event log) have the same shape every time. A hot statement is built once
 * with `sql.placeholder`s and `prepare()`d; each use fills its values (through the columns' encoders, so JSON
 * columns are stringified as before) and goes into `db.batch` like any other statement.
 *
 * A placeholder given as a column's value goes through that column's encoder even when the value is null (a JSON
 * column would store the text 'null', a boolean one 0): a nullable column of that kind takes
 * sql`${sql.placeholder(name)}` and its value encoded by the caller.
 *
 * This leans on drizzle's batch protocol (`_prepare()`, `getQuery()`, `stmt`, `mapResult`) of the pinned
 * drizzle-orm: the order and event tests fail if it changes.
 */
import { fillPlaceholders, sql } from "drizzle-orm";
import type { RunnableQuery } from "drizzle-orm/runnable-query";
import type { Db } from "./client";

type Query = { sql: string; params: unknown[] };
/** What drizzle's D1 `prepare()` returns, as its batch uses it; `R` is what the query builder resolved to. */
export type PreparedQuery<R = unknown> = {
  stmt: D1PreparedStatement;
  getQuery(): Query;
  mapResult(response: unknown, isFromBatch?: boolean): unknown;
  /** Runs it alone with these placeholder values and maps the rows (a select, or a statement with `returning`). */
  all(values: Record<string, unknown>): Promise<R>;
};

/** A query builder as drizzle types it: `_.result` is what awaiting it (or its place in a batch) gives. */
type Builder<R> = { prepare(): unknown; readonly _: { readonly result: R } };

const prepared = new WeakMap<Db, Map<string, PreparedQuery<unknown>>>();

/** The statement `name` for `db`, built by `build` the first time it is asked for in this isolate. */
export function preparedOnce<R>(db: Db, name: string, build: () => Builder<R>): PreparedQuery<R> {
  let byName = prepared.get(db);
  if (!byName) {
    byName = new Map();
    prepared.set(db, byName);
  }
  let query = byName.get(name);
  if (!query) {
    query = build().prepare() as PreparedQuery<unknown>;
    byName.set(name, query);
  }
  return query as PreparedQuery<R>;
}

/**
 * A prepared statement with its placeholders filled, as an item of `db.batch` (typed like the builder's, so the
 * batch's answer is too). Not awaitable: to run one alone, `preparedOnce(...).all(values)`.
 */
export function bound<R>(query: PreparedQuery<R>, values: Record<string, unknown>): RunnableQuery<R, "sqlite"> {
  const { sql: text, params } = query.getQuery();
  const filled = fillPlaceholders(params, values);
  const item = {
    _prepare: () => ({
      getQuery: () => ({ sql: text, params: filled }),
      stmt: query.stmt,
      mapResult: (response: unknown, isFromBatch?: boolean) => query.mapResult(response, isFromBatch),
    }),
  };
  return item as unknown as RunnableQuery<R, "sqlite">;
}

/**
 * The values of a multi-row insert of `n` rows, every column a placeholder named column + row index (`sku0`,
 * `sku1`, …), as `fillRows` names them. `raw` columns skip the column's encoder (see above).
 */
export function rowPlaceholders<C extends string>(
  columns: readonly C[],
  n: number,
  raw: ReadonlySet<string> = new Set(),
): Record<C, unknown>[] {
  return Array.from(
    { length: n },
    (_, i) =>
      Object.fromEntries(
        columns.map((c) => {
          const name = `${c}${i}`;
          return [c, raw.has(c) ? sql`${sql.placeholder(name)}` : sql.placeholder(name)];
        }),
      ) as Record<C, unknown>,
  );
}

/** Rows' values under the placeholder names of `rowPlaceholders`. */
export function fillRows(rows: readonly Record<string, unknown>[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  rows.forEach((row, n) => {
    for (const [column, value] of Object.entries(row)) values[`${column}${n}`] = value;
  });
  return values;
}
