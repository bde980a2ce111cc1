import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newEvent, recordAndPublish } from "../src/adapters/event-bus";
import { sessionFor } from "./helpers";

async function connect(cookie?: string): Promise<Response> {
  return exports.default.fetch(
    new Request("http://localhost/api/admin/live", {
      headers: { upgrade: "websocket", ...(cookie ? { cookie } : {}) },
    }),
  );
}

describe("staff console live feed", () => {
  it("lets staff open the feed and delivers every domain event to it", async () => {
    const staff = await sessionFor("staff");
    const res = await connect(staff.cookie);
    expect(res.status).toBe(101);
    const ws = res.webSocket!;
    ws.accept();
    const received = new Promise<{ type: string; event: { id: string; type: string } }>((resolve) => {
      ws.addEventListener("message", (e) => resolve(JSON.parse(String(e.data))));
    });
    const event = newEvent("OutOfStock", "sku:FEED-1", { sku: "FEED-1" });
    await recordAndPublish(env, [event]);
    const message = await Promise.race([
      received,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no feed message in 5 s")), 5000)),
    ]);
    expect(message).toMatchObject({ type: "event", event: { id: event.id, type: "OutOfStock" } });
    ws.close(1000, "done");
  });

  it("refuses the feed to customers", async () => {
    const customer = await sessionFor("customer");
    const res = await connect(customer.cookie);
    expect(res.status).toBe(403);
  });

  it("re-delivering an event already in the outbox is harmless", async () => {
    const event = newEvent("OutOfStock", "sku:FEED-2", { sku: "FEED-2" });
    await recordAndPublish(env, [event]);
    await expect(recordAndPublish(env, [event])).resolves.toBeUndefined();
  });
});
