import { describe, expect, it } from "vitest";
import {
  type Actor,
  CANCELLABLE,
  decide,
  type FraudState,
  JOIN_COMMAND,
  joinPayment,
  ORDER_COMMANDS,
  ORDER_STATUSES,
  type OrderCommand,
  type OrderStatus,
  orderMessage,
  TRANSITIONS,
} from "../src/domain/order-machine";

const ACTORS: Actor[] = ["owner", "staff", "system"];

/** The expected machine, written out independently of the table: from → command → [to, actors]. */
const EXPECTED: Partial<Record<OrderStatus, Partial<Record<OrderCommand, [OrderStatus, Actor[]]>>>> = {
  pending: { reserve: ["reserved", ["system"]] },
  reserved: {
    pay: ["payment_pending", ["owner"]],
    expire: ["cancelled", ["system"]],
    cancel: ["cancelled", ["owner", "staff"]],
    amend: ["reserved", ["owner"]],
  },
  payment_pending: {
    confirm: ["confirmed", ["system"]],
    hold: ["on_hold", ["system"]],
    decline: ["payment_failed", ["system"]],
    payment_timeout: ["payment_failed", ["system"]],
    fraud_reject: ["cancelled", ["system"]],
    stock_unavailable: ["cancelled", ["system"]],
    expire: ["cancelled", ["system"]],
  },
  payment_failed: {
    pay: ["payment_pending", ["owner"]],
    fraud_reject: ["cancelled", ["system"]],
    expire: ["cancelled", ["system"]],
    cancel: ["cancelled", ["owner", "staff"]],
  },
  on_hold: {
    decline: ["payment_failed", ["system"]],
    fraud_reject: ["cancelled", ["system"]],
    stock_unavailable: ["cancelled", ["system"]],
    approve: ["confirmed", ["staff"]],
    reject: ["cancelled", ["staff"]],
    expire: ["cancelled", ["system"]],
    cancel: ["cancelled", ["owner", "staff"]],
  },
  confirmed: {
    cancel: ["cancelled", ["owner", "staff"]],
    amend: ["confirmed", ["owner"]],
    ship: ["shipped", ["staff"]],
    refund: ["cancelled", ["staff"]],
  },
  shipped: { deliver: ["delivered", ["staff"]], refund: ["shipped", ["staff"]] },
  delivered: { refund: ["delivered", ["staff"]] },
  cancelled: { cancel: ["cancelled", ["owner", "staff"]] },
};

describe("order state machine", () => {
  it("has exactly the transitions of the design, no more and no fewer", () => {
    const fromTable = TRANSITIONS.map((t) => `${t.from}.${t.command}`).sort();
    const expected = Object.entries(EXPECTED)
      .flatMap(([from, cmds]) => Object.keys(cmds ?? {}).map((c) => `${from}.${c}`))
      .sort();
    expect(fromTable).toEqual(expected);
  });

  for (const status of ORDER_STATUSES) {
    for (const command of ORDER_COMMANDS) {
      const expected = EXPECTED[status]?.[command];
      if (expected) {
        const [to, actors] = expected;
        for (const actor of ACTORS) {
          const allowed = actors.includes(actor);
          it(`${allowed ? "lets" : "forbids"} ${actor} ${command} an order that is ${status}${allowed ? ` (→ ${to})` : ""}`, () => {
            const decision = decide(status, command, actor);
            if (allowed)
              expect(decision).toEqual({ ok: true, to, noop: status === "cancelled" && command === "cancel" });
            else expect(decision).toEqual({ ok: false, reason: "forbidden" });
          });
        }
      } else {
        it(`refuses ${command} on an order that is ${status} as invalid_state for everyone`, () => {
          for (const actor of ACTORS)
            expect(decide(status, command, actor)).toEqual({ ok: false, reason: "invalid_state" });
        });
      }
    }
  }

  it("lets a shopper cancel while reserved, payment_failed, on_hold or confirmed, and again once cancelled", () => {
    expect([...CANCELLABLE].sort()).toEqual(["cancelled", "confirmed", "on_hold", "payment_failed", "reserved"]);
  });

  it("answers a second cancel with the same final state and marks it as changing nothing", () => {
    expect(decide("cancelled", "cancel", "owner")).toEqual({ ok: true, to: "cancelled", noop: true });
  });

  it("never lets a shipped or delivered order be cancelled", () => {
    expect(decide("shipped", "cancel", "owner")).toEqual({ ok: false, reason: "invalid_state" });
    expect(decide("delivered", "cancel", "staff")).toEqual({ ok: false, reason: "invalid_state" });
  });

  it("builds the live message from a timeline entry", () => {
    const entry = { version: 3, status: "confirmed" as const, at: 1, note: "paid" };
    expect(orderMessage(entry)).toEqual({ type: "order", status: "confirmed", version: 3, entry });
  });
});

describe("joining authorization and fraud check", () => {
  const EXPECTED_JOIN: Record<string, string> = {
    "pending/pending": "wait",
    "pending/pass": "wait",
    "pending/approved": "wait",
    "pending/review": "hold",
    "pending/reject": "reject",
    "authorized/pending": "wait",
    "authorized/pass": "confirm",
    "authorized/approved": "confirm",
    "authorized/review": "hold",
    "authorized/reject": "reject",
    "declined/pending": "decline",
    "declined/pass": "decline",
    "declined/approved": "decline",
    "declined/review": "decline",
    "declined/reject": "reject",
  };
  for (const [cell, outcome] of Object.entries(EXPECTED_JOIN)) {
    const [auth, fraud] = cell.split("/") as ["pending" | "authorized" | "declined", FraudState];
    it(`answers ${outcome} for authorization ${auth} with fraud check ${fraud}`, () => {
      expect(joinPayment(auth, fraud)).toBe(outcome);
    });
  }

  it("confirms only once both the authorization and a passing check have arrived, in either order", () => {
    // authorization first
    expect(joinPayment("authorized", "pending")).toBe("wait");
    expect(joinPayment("authorized", "pass")).toBe("confirm");
    // fraud check first
    expect(joinPayment("pending", "pass")).toBe("wait");
    expect(joinPayment("authorized", "pass")).toBe("confirm");
  });

  it("maps each outcome to a command the machine accepts from payment_pending", () => {
    for (const [outcome, command] of Object.entries(JOIN_COMMAND)) {
      if (command === null) expect(outcome).toBe("wait");
      else expect(decide("payment_pending", command, "system").ok).toBe(true);
    }
  });
});
