/**
 * Statements rendered once per isolate. Drizzle renders a query's SQL on every call (entity checks, escaping,
 * the parameter list: about 190 µs for an order's flush of three statements), and the hottest writes of a
 * checkout (the order mirror and the event log) have the same shape every time. A hot statement is built once
 * with `sql.placeholder`s and `prepare()`d; each use fills its values (through the columns' encoders, so JSON
 * columns are stringified as before) and goes into `db.batch` like any other statement.
 *
 * This leans on drizzle's batch protocol (`_prepare()`, `getQuery()`, `stmt`, `mapResult`) of the pinned
 * drizzle-orm: the order and event tests fail if it changes.
 */
import { fillPlaceholders } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "./client";

type Query = { sql: string; params: unknown[] };
/** What drizzle's D1 `prepare()` returns, as its batch uses it. */
type PreparedQuery = {
  stmt: D1PreparedStatement;
  getQuery(): Query;
  mapResult(response: unknown, isFromBatch?: boolean): unknown;
  /** Runs it alone with these placeholder values and maps the rows (a statement with `returning`). */
  all(values: Record<string, unknown>): Promise<unknown[]>;
};

const prepared = new WeakMap<Db, Map<string, PreparedQuery>>();

/** The statement `name` for `db`, built by `build` the first time it is asked for in this isolate. */
export function preparedOnce(db: Db, name: string, build: () => { prepare(): unknown }): PreparedQuery {
  let byName = prepared.get(db);
  if (!byName) {
    byName = new Map();
    prepared.set(db, byName);
  }
  let query = byName.get(name);
  if (!query) {
    query = build().prepare() as PreparedQuery;
    byName.set(name, query);
  }
  return query;
}

/** A prepared statement with its placeholders filled, as an item of `db.batch`. */
export function bound(query: PreparedQuery, values: Record<string, unknown>): BatchItem<"sqlite"> {
  const { sql, params } = query.getQuery();
  const filled = fillPlaceholders(params, values);
  const item = {
    _prepare: () => ({
      getQuery: () => ({ sql, params: filled }),
      stmt: query.stmt,
      mapResult: (response: unknown, isFromBatch?: boolean) => query.mapResult(response, isFromBatch),
    }),
  };
  return item as unknown as BatchItem<"sqlite">;
}
