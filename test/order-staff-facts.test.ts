/**
 * Staff-only facts stay with staff (issue #12, DESIGN.md "Contract additions (second round)"): the owner's GET,
 * the owner's live socket and the shopper's messages carry shopper wording per state, never risk scores, fraud
 * rules, private review notes or who on the staff acted; the staff view keeps all of them.
 */
import { env, exports } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../src/db/client";
import { notifications } from "../src/db/schema";
import { BASE, call, waitFor } from "./helpers";
import { openLive, type Placed, pay, placeOrder, product, signedIn, waitForStatus } from "./order-fixtures";

/** Anything only staff may read: scores, the fraud check and its rules, the private note, a staff member's id. */
const staffOnly = (staffId: string) =>
  new RegExp(`risk|score|fraud|velocity|token_risk|Address mismatch|review note|${staffId}`, "i");

async function openStaffLive(o: Placed, cookie: string) {
  const res = await exports.default.fetch(
    new Request(`${BASE}/api/orders/${o.id}/live?since=0`, {
      headers: { upgrade: "websocket", cookie, origin: BASE },
    }),
  );
  const ws = res.webSocket;
  if (!ws) throw new Error(`no socket: ${res.status} ${await res.text()}`);
  const messages: any[] = [];
  ws.addEventListener("message", (e) => messages.push(JSON.parse(String(e.data))));
  ws.accept();
  return messages;
}

const customerMessages = (email: string) =>
  waitFor(`the cancellation message to ${email}`, async () => {
    const rows = await getDb(env.DB).select().from(notifications).where(eq(notifications.recipient, email));
    return rows.some((r) => r.template === "order_cancelled") ? rows : undefined;
  });

describe("an order held for review and rejected with a private note", () => {
  it("shows its owner shopper wording on GET, the live socket and the messages, and staff the score, note and reviewer", async () => {
    const sku = await product();
    const o = await placeOrder([{ sku, qty: 1 }]);
    const email: string = o.body.email;
    const staff = await signedIn("staff");
    const ownerLive = await openLive(o);
    const staffLive = await openStaffLive(o, staff.headers.cookie);

    // A card number, as checkout sends it (a test token would name its risk level as the method).
    await pay(o, "4000 0000 0000 9235");
    const held = await waitForStatus(o, "on_hold");
    expect(held.timeline.at(-1).note).toBe("We're checking your order. We'll e-mail you as soon as we're done");
    const rejected = await call("POST", `/api/admin/orders/${o.id}/reject`, {
      headers: staff.headers,
      body: { note: "Address mismatch" },
    });
    expect(rejected.status).toBe(200);

    const owner = await waitForStatus(o, "cancelled");
    const leaks = staffOnly(staff.id);
    expect(JSON.stringify(owner)).not.toMatch(leaks);
    expect(owner.timeline.at(-1).note).toBe("We couldn't accept this order. Any hold on your card has been released.");
    expect(owner).not.toHaveProperty("risk");

    const ownerMessages = await waitFor("the owner's cancelled message", async () =>
      ownerLive.messages.some((m) => m.status === "cancelled") ? ownerLive.messages : undefined,
    );
    expect(ownerMessages.map((m) => m.status)).toEqual(["payment_pending", "on_hold", "cancelled"]);
    expect(JSON.stringify(ownerMessages)).not.toMatch(leaks);

    const staffView = await call("GET", `/api/admin/orders/${o.id}`, { headers: staff.headers });
    expect(staffView.body.risk).toMatchObject({ score: 45 });
    expect(staffView.body.timeline.map((e: { note?: string }) => e.note)).toEqual(
      expect.arrayContaining(["Held for review (risk score 45)", "Rejected after review: Address mismatch"]),
    );
    const staffMessages = await waitFor("staff's cancelled message", async () =>
      staffLive.some((m) => m.status === "cancelled") ? staffLive : undefined,
    );
    expect(staffMessages.map((m) => m.entry.note)).toContain("Rejected after review: Address mismatch");

    const sent = await customerMessages(email);
    expect(sent.every((r) => r.audience === "customer")).toBe(true);
    expect(JSON.stringify(sent.map((r) => [r.subject, r.body]))).not.toMatch(leaks);
    expect(sent.find((r) => r.template === "order_cancelled")?.body).toContain("We couldn't accept this order.");
    ownerLive.ws.close();
  });
});

describe("an order the fraud check refuses", () => {
  it("tells its owner only that the order could not be accepted", async () => {
    const sku = await product();
    const o = await placeOrder([{ sku, qty: 1 }]);
    await pay(o, "4100 0000 0000 0019");
    const owner = await waitForStatus(o, "cancelled");
    expect(JSON.stringify(owner)).not.toMatch(/risk|score|fraud/i);
    const sent = await customerMessages(o.body.email);
    expect(JSON.stringify(sent.map((r) => [r.subject, r.body]))).not.toMatch(/risk|score|fraud|Reason:/i);

    const staff = await signedIn("staff");
    const staffView = await call("GET", `/api/orders/${o.id}`, { headers: staff.headers });
    expect(staffView.body.timeline.at(-1).note).toBe("Cancelled: payment refused by the fraud check (risk score 90)");
  });
});

describe("an order its owner cancels", () => {
  it("says so in the owner's words and keeps the staff record as it was", async () => {
    const sku = await product();
    const o = await placeOrder([{ sku, qty: 1 }]);
    expect((await call("POST", `/api/orders/${o.id}/cancel`, { headers: o.auth })).status).toBe(200);
    const owner = await waitForStatus(o, "cancelled");
    expect(owner.timeline.at(-1).note).toBe("You cancelled this order");
    const staff = await signedIn("staff");
    const staffView = await call("GET", `/api/orders/${o.id}`, { headers: staff.headers });
    expect(staffView.body.timeline.at(-1).note).toBe("Cancelled by the customer");
  });
});
