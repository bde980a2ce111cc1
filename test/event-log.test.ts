import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getDb } from "../src/db/client";
import { events } from "../src/db/schema";
import { call, sessionFor } from "./helpers";

/** Logs `count` events about one fresh subject, a minute apart from `start`, alternating two types. */
async function logEvents(subject: string, start: number, count: number) {
  const rows = Array.from({ length: count }, (_, i) => ({
    id: `evt_${crypto.randomUUID()}`,
    type: i % 2 === 0 ? "OrderPlaced" : "OrderShipped",
    version: 1,
    occurredAt: start + i * 60_000,
    source: "orders",
    subject,
    data: { orderId: subject.slice("order:".length), n: i },
    publishedAt: start + i * 60_000,
  }));
  await getDb(env.DB).insert(events).values(rows);
  return rows;
}

describe("GET /api/admin/events", () => {
  it("filters by subject, type and time, newest first, and pages by cursor without gaps or repeats", async () => {
    const staff = await sessionFor("staff");
    const headers = { cookie: staff.cookie };
    const subject = `order:ord_${crypto.randomUUID()}`;
    const start = Date.UTC(2026, 4, 1, 10);
    const rows = await logEvents(subject, start, 7);

    const all = await call("GET", `/api/admin/events?subject=${encodeURIComponent(subject)}&limit=3`, { headers });
    expect(all.status).toBe(200);
    expect(all.body.items.map((e: { id: string }) => e.id)).toEqual([rows[6]?.id, rows[5]?.id, rows[4]?.id]);
    expect(all.body.items[0]).toMatchObject({ type: "OrderPlaced", source: "orders", subject, data: { n: 6 } });
    const seen: string[] = all.body.items.map((e: { id: string }) => e.id);
    let cursor = all.body.nextCursor;
    while (cursor) {
      const page = await call(
        "GET",
        `/api/admin/events?subject=${encodeURIComponent(subject)}&limit=3&cursor=${cursor}`,
        { headers },
      );
      seen.push(...page.body.items.map((e: { id: string }) => e.id));
      cursor = page.body.nextCursor;
    }
    expect(seen).toEqual(rows.map((r) => r.id).reverse());

    const window = await call(
      "GET",
      `/api/admin/events?subject=${encodeURIComponent(subject)}&type=OrderShipped&from=${start + 60_000}&to=${start + 5 * 60_000}`,
      { headers },
    );
    expect(window.status).toBe(200);
    // Shipped events are the odd minutes; `to` is exclusive, so minute 5 is left out.
    expect(window.body.items.map((e: { data: { n: number } }) => e.data.n)).toEqual([3, 1]);
  });

  it("refuses a time that is not a number of milliseconds", async () => {
    const staff = await sessionFor("staff");
    const res = await call("GET", "/api/admin/events?from=yesterday", { headers: { cookie: staff.cookie } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
  });
});
