/**
 * The two sides of a sharded SKU's stock as ProductStock keeps them in its own SQLite (docs/sharding.md):
 * - `ParentShards`, in the SKU's own object: the shard count K and, per shard, the running totals of units
 *   granted to it and given back, and its last report. The parent is the ledger of record: a unit is on the
 *   parent's `on_hand`, or granted to exactly one shard.
 * - `ShardRole`, in a shard object (`<sku>#shard-<i>`): which SKU and index it serves, whether the parent still
 *   counts it, and its own running totals of units received and given back.
 * Every move is a running total, so a lost answer is repaired by the next call: a shard that never applied a
 * grant sees the parent's total ahead of its own and takes the difference; a give-back the parent never got is
 * sent again with the same total. Nothing here awaits; the object does the RPCs around these synchronous steps.
 */
import type { ShardAccount, ShardReport } from "../domain/stock-shards";
import { rows } from "./kit/sql";

/** ProductStock's schema version 3: appended to its migrations, never edited. */
export const SHARD_MIGRATION = [
  "ALTER TABLE stock ADD COLUMN shards INTEGER NOT NULL DEFAULT 1",
  `CREATE TABLE shard_accounts (
     idx INTEGER PRIMARY KEY,
     granted INTEGER NOT NULL DEFAULT 0,
     returned INTEGER NOT NULL DEFAULT 0,
     report TEXT
   )`,
  `CREATE TABLE shard_role (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     parent TEXT NOT NULL,
     idx INTEGER NOT NULL,
     active INTEGER NOT NULL,
     received INTEGER NOT NULL DEFAULT 0,
     returned INTEGER NOT NULL DEFAULT 0,
     return_acked INTEGER NOT NULL DEFAULT 0
   )`,
];

/** What the parent answers a shard asking for units (or just for its standing). */
export type GrantAnswer = {
  /** Units the parent has granted this shard in all (the shard applies what it has not received yet). */
  granted: number;
  /** False when the parent no longer counts this shard (un-sharded, or K shrank): it must give its units back. */
  active: boolean;
  shards: number;
  /** What the parent itself still has to grant (0: a shard may stop asking for a moment). */
  parentAvailable: number;
  /** The SKU's published availability after this grant (a hint: 0 means no other shard has any either). */
  skuAvailable: number;
};

export class ParentShards {
  /** K, kept in memory so routing an order costs no read (1: not sharded). */
  count = 1;
  readonly accounts = new Map<number, ShardAccount>();

  constructor(private readonly sql: SqlStorage) {}

  load(): void {
    this.count = rows<{ shards: number }>(this.sql, "SELECT shards FROM stock WHERE id = 1")[0]?.shards ?? 1;
    this.accounts.clear();
    for (const r of rows<{ idx: number; granted: number; returned: number; report: string | null }>(
      this.sql,
      "SELECT idx, granted, returned, report FROM shard_accounts",
    )) {
      this.accounts.set(r.idx, {
        granted: r.granted,
        returned: r.returned,
        report: r.report ? (JSON.parse(r.report) as ShardReport) : null,
      });
    }
  }

  setCount(k: number): void {
    this.sql.exec("UPDATE stock SET shards = ? WHERE id = 1", k);
    this.count = k;
  }

  account(idx: number): ShardAccount {
    return this.accounts.get(idx) ?? { granted: 0, returned: 0, report: null };
  }

  /** Records `units` more granted to shard `idx` (the caller takes them off the parent's on_hand in the same step). */
  grant(idx: number, units: number): ShardAccount {
    const next = { ...this.account(idx), granted: this.account(idx).granted + units };
    this.#save(idx, next);
    return next;
  }

  /** Records the shard's give-back total; answers the units newly received (0 for a repeat). */
  takeBack(idx: number, returnedTotal: number): number {
    const a = this.account(idx);
    const units = Math.max(0, returnedTotal - a.returned);
    if (units > 0) this.#save(idx, { ...a, returned: returnedTotal });
    return units;
  }

  report(idx: number, report: ShardReport): void {
    this.#save(idx, { ...this.account(idx), report });
  }

  #save(idx: number, a: ShardAccount): void {
    this.sql.exec(
      "INSERT INTO shard_accounts (idx, granted, returned, report) VALUES (?, ?, ?, ?) ON CONFLICT (idx) DO UPDATE SET granted = excluded.granted, returned = excluded.returned, report = excluded.report",
      idx,
      a.granted,
      a.returned,
      a.report ? JSON.stringify(a.report) : null,
    );
    this.accounts.set(idx, a);
  }
}

export type RoleRow = {
  parent: string;
  index: number;
  active: boolean;
  received: number;
  returned: number;
  returnAcked: number;
};

export class ShardRole {
  constructor(
    private readonly sql: SqlStorage,
    public row: RoleRow,
  ) {}

  static load(sql: SqlStorage): ShardRole | null {
    const r = rows<{
      parent: string;
      idx: number;
      active: number;
      received: number;
      returned: number;
      return_acked: number;
    }>(sql, "SELECT parent, idx, active, received, returned, return_acked FROM shard_role WHERE id = 1")[0];
    if (!r) return null;
    return new ShardRole(sql, {
      parent: r.parent,
      index: r.idx,
      active: r.active === 1,
      received: r.received,
      returned: r.returned,
      returnAcked: r.return_acked,
    });
  }

  static create(sql: SqlStorage, parent: string, index: number): ShardRole {
    sql.exec("INSERT INTO shard_role (id, parent, idx, active) VALUES (1, ?, ?, 1)", parent, index);
    return new ShardRole(sql, { parent, index, active: true, received: 0, returned: 0, returnAcked: 0 });
  }

  /** Units of the parent's grant total not applied here yet (the caller adds them to on_hand in the same step). */
  receive(grantedTotal: number): number {
    const units = Math.max(0, grantedTotal - this.row.received);
    if (units > 0) this.#set({ received: grantedTotal });
    return units;
  }

  /** Records `units` given back (the caller takes them off on_hand in the same step); answers the new total. */
  giveBack(units: number): number {
    this.#set({ returned: this.row.returned + units });
    return this.row.returned;
  }

  acked(total: number): void {
    if (total > this.row.returnAcked) this.#set({ returnAcked: total });
  }

  setActive(active: boolean): void {
    if (active !== this.row.active) this.#set({ active });
  }

  /** True while a give-back has not been confirmed by the parent. */
  get owesParent(): boolean {
    return this.row.returned > this.row.returnAcked;
  }

  #set(patch: Partial<RoleRow>): void {
    this.row = { ...this.row, ...patch };
    this.sql.exec(
      "UPDATE shard_role SET active = ?, received = ?, returned = ?, return_acked = ? WHERE id = 1",
      this.row.active ? 1 : 0,
      this.row.received,
      this.row.returned,
      this.row.returnAcked,
    );
  }
}
