import { describe, expect, it } from "vitest";
import {
  adjust,
  alerts,
  commit,
  emptyLedger,
  expire,
  extend,
  HELD_FOREVER,
  type Ledger,
  levels,
  nextExpiry,
  release,
  reserve,
  resize,
} from "../src/domain/stock";

const NOW = 1_000_000;
const TTL = 60_000;

/** A ledger with `onHand` units and the given reservations and sales. */
function ledger(
  onHand: number,
  opts: {
    threshold?: number;
    reservations?: Record<string, [qty: number, expiresAt: number]>;
    sales?: Record<string, [qty: number, returned: boolean]>;
  } = {},
): Ledger {
  const base = emptyLedger(onHand, opts.threshold ?? 3);
  return {
    ...base,
    reservations: new Map(
      Object.entries(opts.reservations ?? {}).map(([id, [qty, expiresAt]]) => [id, { qty, expiresAt }]),
    ),
    sales: new Map(Object.entries(opts.sales ?? {}).map(([id, [qty, returned]]) => [id, { qty, returned }])),
  };
}

function ok<T extends { ok: boolean }>(decision: T): Extract<T, { ok: true }> {
  if (!decision.ok) throw new Error(`expected ok, got ${JSON.stringify(decision)}`);
  return decision as Extract<T, { ok: true }>;
}

const movedTypes = (effects: readonly { type: string }[]) => effects.map((e) => e.type);

describe("stock ledger: levels", () => {
  it("derives reserved as the sum of reservations and available as on hand minus reserved", () => {
    expect(levels(ledger(10, { reservations: { a: [2, NOW + 1], b: [3, NOW + 1] } }))).toEqual({
      onHand: 10,
      reserved: 5,
      available: 5,
    });
  });

  it("never reports available below zero even for an inconsistent ledger", () => {
    expect(levels(ledger(1, { reservations: { a: [3, NOW + 1] } })).available).toBe(0);
  });

  it("reports the earliest reservation expiry, or null with none held", () => {
    expect(nextExpiry(ledger(5))).toBeNull();
    expect(nextExpiry(ledger(5, { reservations: { a: [1, NOW + 50], b: [1, NOW + 10] } }))).toBe(NOW + 10);
  });
});

describe("stock ledger: reserve", () => {
  it("holds the quantity until now + ttl and records a reserve movement", () => {
    const d = ok(reserve(ledger(10), { orderId: "o1", qty: 3, ttlMs: TTL }, NOW));
    expect(d.expiresAt).toBe(NOW + TTL);
    expect(d.ledger.reservations.get("o1")).toEqual({ qty: 3, expiresAt: NOW + TTL });
    expect(levels(d.ledger)).toEqual({ onHand: 10, reserved: 3, available: 7 });
    expect(d.effects).toEqual([
      {
        type: "moved",
        reason: "reserve",
        delta: -3,
        orderId: "o1",
        before: { onHand: 10, reserved: 0, available: 10 },
        after: { onHand: 10, reserved: 3, available: 7 },
      },
    ]);
  });

  it("takes exactly the last available units", () => {
    const d = ok(reserve(ledger(2), { orderId: "o1", qty: 2, ttlMs: TTL }, NOW));
    expect(levels(d.ledger).available).toBe(0);
  });

  it("refuses a reservation that would take available below zero and changes nothing", () => {
    const before = ledger(5, { reservations: { a: [4, NOW + 1] } });
    expect(reserve(before, { orderId: "o1", qty: 2, ttlMs: TTL }, NOW)).toEqual({ ok: false, reason: "insufficient" });
    expect(before.reservations.size).toBe(1);
  });

  it("returns the existing live reservation for the same order id and takes nothing more", () => {
    const first = ok(reserve(ledger(10), { orderId: "o1", qty: 3, ttlMs: TTL }, NOW));
    const again = ok(reserve(first.ledger, { orderId: "o1", qty: 5, ttlMs: TTL }, NOW + 10));
    expect(again.ledger).toBe(first.ledger);
    expect(again.effects).toEqual([]);
    expect(again.expiresAt).toBe(NOW + TTL);
  });

  it("answers an order already sold without taking more stock", () => {
    const l = ledger(10, { sales: { o1: [2, false] } });
    const d = ok(reserve(l, { orderId: "o1", qty: 2, ttlMs: TTL }, NOW));
    expect(d.ledger).toBe(l);
    expect(d.effects).toEqual([]);
    expect(d.expiresAt).toBe(HELD_FOREVER);
  });

  it("replaces an expired reservation of the same order instead of adding to it", () => {
    const l = ledger(3, { reservations: { o1: [2, NOW - 1] } });
    const d = ok(reserve(l, { orderId: "o1", qty: 3, ttlMs: TTL }, NOW));
    expect(d.ledger.reservations.get("o1")).toEqual({ qty: 3, expiresAt: NOW + TTL });
    expect(levels(d.ledger).available).toBe(0);
  });

  it("emits OutOfStock when the reservation takes available to zero", () => {
    const d = ok(reserve(ledger(2), { orderId: "o1", qty: 2, ttlMs: TTL }, NOW));
    expect(movedTypes(d.effects)).toEqual(["moved", "out_of_stock"]);
  });

  it("emits LowStock when available crosses the threshold downward", () => {
    const d = ok(reserve(ledger(5, { threshold: 3 }), { orderId: "o1", qty: 2, ttlMs: TTL }, NOW));
    expect(d.effects[1]).toEqual({ type: "low_stock", available: 3, threshold: 3 });
  });

  it.each([0, -1, 1.5, Number.NaN])("treats a quantity of %s as a bug and throws", (qty) => {
    expect(() => reserve(ledger(10), { orderId: "o1", qty, ttlMs: TTL }, NOW)).toThrow(RangeError);
  });
});

describe("stock ledger: extend", () => {
  const l = ledger(10, { reservations: { o1: [2, NOW + 100] } });

  it("moves a live reservation's expiry later", () => {
    const d = ok(extend(l, { orderId: "o1", expiresAt: NOW + 500 }, NOW));
    expect(d.ledger.reservations.get("o1")).toEqual({ qty: 2, expiresAt: NOW + 500 });
    expect(d.effects).toEqual([]);
  });

  it("never moves an expiry earlier", () => {
    const d = ok(extend(l, { orderId: "o1", expiresAt: NOW + 50 }, NOW));
    expect(d.ledger).toBe(l);
  });

  it("refuses an expired or unknown reservation", () => {
    expect(extend(l, { orderId: "o1", expiresAt: NOW + 500 }, NOW + 100)).toEqual({ ok: false, reason: "not_found" });
    expect(extend(l, { orderId: "nope", expiresAt: NOW + 500 }, NOW)).toEqual({ ok: false, reason: "not_found" });
  });
});

describe("stock ledger: commit", () => {
  it("turns a live reservation into a sale: on hand drops, available stays", () => {
    const d = ok(commit(ledger(10, { reservations: { o1: [3, NOW + 1] } }), { orderId: "o1" }, NOW));
    expect(d.ledger.reservations.has("o1")).toBe(false);
    expect(d.ledger.sales.get("o1")).toEqual({ qty: 3, returned: false });
    expect(levels(d.ledger)).toEqual({ onHand: 7, reserved: 0, available: 7 });
    expect(d.effects[0]).toMatchObject({ type: "moved", reason: "commit", delta: -3, orderId: "o1" });
  });

  it("answers a second commit of the same order ok and changes nothing", () => {
    const first = ok(commit(ledger(10, { reservations: { o1: [3, NOW + 1] } }), { orderId: "o1" }, NOW));
    const again = ok(commit(first.ledger, { orderId: "o1" }, NOW));
    expect(again.ledger).toBe(first.ledger);
    expect(again.effects).toEqual([]);
  });

  it("answers a returned sale ok without taking it again", () => {
    const l = ledger(10, { sales: { o1: [3, true] } });
    expect(ok(commit(l, { orderId: "o1" }, NOW)).ledger).toBe(l);
  });

  it("refuses an order holding nothing, including one whose reservation expired", () => {
    expect(commit(ledger(10), { orderId: "o1" }, NOW)).toEqual({ ok: false, reason: "not_found" });
    expect(commit(ledger(10, { reservations: { o1: [1, NOW] } }), { orderId: "o1" }, NOW)).toEqual({
      ok: false,
      reason: "not_found",
    });
  });
});

describe("stock ledger: release", () => {
  it.each([
    ["release", "release"],
    ["return", "release"],
    ["expire", "expire"],
  ] as const)("drops a live reservation asked with %s, recorded as %s", (asked, recorded) => {
    const d = release(ledger(10, { reservations: { o1: [3, NOW + 1] } }), { orderId: "o1", reason: asked }, NOW);
    expect(d.released).toBe(3);
    expect(levels(d.ledger)).toEqual({ onHand: 10, reserved: 0, available: 10 });
    expect(d.effects[0]).toMatchObject({ reason: recorded, delta: 3, orderId: "o1" });
  });

  it.each(["release", "return"] as const)("puts a committed sale back on hand once when asked with %s", (asked) => {
    const first = release(ledger(7, { sales: { o1: [3, false] } }), { orderId: "o1", reason: asked }, NOW);
    expect(first.released).toBe(3);
    expect(first.ledger.onHand).toBe(10);
    expect(first.ledger.sales.get("o1")).toEqual({ qty: 3, returned: true });
    expect(first.effects[0]).toMatchObject({ reason: "return", delta: 3 });
    const again = release(first.ledger, { orderId: "o1", reason: asked }, NOW);
    expect(again.released).toBe(0);
    expect(again.ledger).toBe(first.ledger);
    expect(again.effects).toEqual([]);
  });

  it("never undoes a sale for an expiry", () => {
    const l = ledger(7, { sales: { o1: [3, false] } });
    const d = release(l, { orderId: "o1", reason: "expire" }, NOW);
    expect(d.released).toBe(0);
    expect(d.ledger).toBe(l);
  });

  it("releases 0 for an unknown order", () => {
    const l = ledger(7);
    expect(release(l, { orderId: "x", reason: "release" }, NOW)).toEqual({
      ok: true,
      ledger: l,
      effects: [],
      released: 0,
    });
  });
});

describe("stock ledger: expire", () => {
  it("releases exactly the reservations whose expiry has passed, one movement each", () => {
    const l = ledger(10, { reservations: { a: [2, NOW - 5], b: [3, NOW], c: [4, NOW + 1] } });
    const d = expire(l, NOW);
    expect([...d.ledger.reservations.keys()]).toEqual(["c"]);
    expect(levels(d.ledger)).toEqual({ onHand: 10, reserved: 4, available: 6 });
    const moves = d.effects.filter((e) => e.type === "moved");
    expect(moves.map((m) => [m.orderId, m.reason, m.delta])).toEqual([
      ["a", "expire", 2],
      ["b", "expire", 3],
    ]);
    expect(moves[1]?.before.available).toBe(moves[0]?.after.available);
  });

  it("does nothing more when run twice", () => {
    const once = expire(ledger(10, { reservations: { a: [2, NOW - 5] } }), NOW);
    const twice = expire(once.ledger, NOW);
    expect(twice.ledger).toBe(once.ledger);
    expect(twice.effects).toEqual([]);
  });
});

describe("stock ledger: resize", () => {
  const held = ledger(10, { reservations: { o1: [3, NOW + 100], other: [5, NOW + 100] } });

  it("grows a reservation within what is available and keeps its expiry", () => {
    const d = ok(resize(held, { orderId: "o1", qty: 5, ttlMs: TTL }, NOW));
    expect(d.ledger.reservations.get("o1")).toEqual({ qty: 5, expiresAt: NOW + 100 });
    expect(d.expiresAt).toBe(NOW + 100);
    expect(d.effects[0]).toMatchObject({ reason: "resize", delta: -2 });
    expect(levels(d.ledger).available).toBe(0);
  });

  it("refuses growth beyond what is available", () => {
    expect(resize(held, { orderId: "o1", qty: 6, ttlMs: TTL }, NOW)).toEqual({ ok: false, reason: "insufficient" });
  });

  it("shrinks a reservation", () => {
    const d = ok(resize(held, { orderId: "o1", qty: 1, ttlMs: TTL }, NOW));
    expect(levels(d.ledger)).toEqual({ onHand: 10, reserved: 6, available: 4 });
    expect(d.effects[0]).toMatchObject({ delta: 2 });
  });

  it("changes nothing for the same quantity", () => {
    const d = ok(resize(held, { orderId: "o1", qty: 3, ttlMs: TTL }, NOW));
    expect(d.ledger).toBe(held);
    expect(d.effects).toEqual([]);
  });

  it("resizes a committed sale and on hand with it", () => {
    const sold = ledger(7, { sales: { o1: [3, false] } });
    const grown = ok(resize(sold, { orderId: "o1", qty: 5, ttlMs: TTL }, NOW));
    expect(grown.ledger.onHand).toBe(5);
    expect(grown.ledger.sales.get("o1")).toEqual({ qty: 5, returned: false });
    expect(grown.expiresAt).toBe(HELD_FOREVER);
    const shrunk = ok(resize(sold, { orderId: "o1", qty: 1, ttlMs: TTL }, NOW));
    expect(shrunk.ledger.onHand).toBe(9);
    expect(resize(sold, { orderId: "o1", qty: 11, ttlMs: TTL }, NOW)).toEqual({ ok: false, reason: "insufficient" });
    expect(ok(resize(sold, { orderId: "o1", qty: 3, ttlMs: TTL }, NOW)).ledger).toBe(sold);
  });

  it("treats an order holding nothing as holding zero and reserves the new quantity", () => {
    const d = ok(resize(ledger(4), { orderId: "new", qty: 2, ttlMs: TTL }, NOW));
    expect(d.ledger.reservations.get("new")).toEqual({ qty: 2, expiresAt: NOW + TTL });
    expect(d.effects[0]).toMatchObject({ reason: "reserve" });
  });

  it("throws for a quantity below one", () => {
    expect(() => resize(held, { orderId: "o1", qty: 0, ttlMs: TTL }, NOW)).toThrow(RangeError);
  });
});

describe("stock ledger: adjust", () => {
  it.each(["restock", "damage", "correction", "return"] as const)("applies a %s to on hand", (reason) => {
    const d = ok(adjust(ledger(5), { delta: -2, reason }));
    expect(d.ledger.onHand).toBe(3);
    expect(d.effects[0]).toMatchObject({ type: "moved", reason, delta: -2, orderId: null });
  });

  it("refuses to take on hand below what is reserved and changes nothing", () => {
    const l = ledger(5, { reservations: { o1: [4, NOW + 1] } });
    expect(adjust(l, { delta: -2, reason: "damage" })).toEqual({ ok: false, reason: "below_reserved" });
    expect(ok(adjust(l, { delta: -1, reason: "damage" })).ledger.onHand).toBe(4);
  });

  it("refuses to take on hand below zero", () => {
    expect(adjust(ledger(2), { delta: -3, reason: "correction" })).toEqual({ ok: false, reason: "below_reserved" });
  });

  it.each([0, 1.5, 100_001, -100_001])("treats a delta of %s as a bug and throws", (delta) => {
    expect(() => adjust(ledger(5), { delta, reason: "restock" })).toThrow(RangeError);
  });

  it("announces stock coming back without an out-of-stock alert", () => {
    const d = ok(adjust(ledger(0), { delta: 5, reason: "restock" }));
    expect(movedTypes(d.effects)).toEqual(["moved"]);
  });
});

describe("stock ledger: alerts", () => {
  const lv = (available: number) => ({ onHand: available, reserved: 0, available });

  it.each([
    [5, 0, 3, ["out_of_stock"]],
    [1, 0, 3, ["out_of_stock"]],
    [0, 0, 3, []],
    [5, 3, 3, ["low_stock"]],
    [4, 1, 3, ["low_stock"]],
    [3, 2, 3, []],
    [5, 4, 3, []],
    [2, 5, 3, []],
  ])("from %i to %i available with threshold %i alerts %j", (from, to, threshold, expected) => {
    expect(alerts(lv(from), lv(to), threshold).map((e) => e.type)).toEqual(expected);
  });
});
