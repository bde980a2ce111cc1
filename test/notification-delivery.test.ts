import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { describe, expect, inject, it } from "vitest";
import { consoleChannel } from "../src/adapters/channels/channel";
import { newEvent } from "../src/adapters/event-bus";
import { getDb } from "../src/db/client";
import { events, notifications } from "../src/db/schema";
import { notificationsSubscriber, notify, notifyAll } from "../src/services/notifications/notifications";
import { consumeEvents } from "../src/services/subscribers/event-consumer";
import { runScheduled, SWEEP_CRON } from "../src/services/workflows/scheduled";
import { call, sessionFor } from "./helpers";

const MINUTE = 60_000;
const mailServer = inject("mailServerUrl");
/** The Worker's env configured for the HTTP e-mail provider, pointed at the test's local server. */
const httpEnv = {
  ...env,
  EMAIL_PROVIDER: "resend",
  EMAIL_API_URL: mailServer,
  EMAIL_API_KEY: "re_test",
} as unknown as Env;

type Received = { headers: Record<string, string>; body: Record<string, unknown> };
async function received(to: string): Promise<Received[]> {
  const res = await fetch(`${mailServer}/requests?to=${encodeURIComponent(to)}`);
  return (await res.json()) as Received[];
}

function signedUp(email: string) {
  const customerId = `cus_${crypto.randomUUID()}`;
  return newEvent("UserSignedUp", `customer:${customerId}`, { customerId, email, name: "Ada" });
}

async function rowFor(eventId: string) {
  return getDb(env.DB).select().from(notifications).where(eq(notifications.eventId, eventId)).get();
}

async function sentEventsFor(notificationId: string) {
  const rows = await getDb(env.DB)
    .select()
    .from(events)
    .where(and(eq(events.type, "NotificationSent"), eq(events.subject, `notification:${notificationId}`)));
  return rows.map((r) => r.data as Record<string, unknown>);
}

describe("delivery at least once, each message at most once", () => {
  it("a provider that answers 500 twice then 200 gives one message and one `sent`", async () => {
    const to = `flaky2-${crypto.randomUUID()}@example.com`;
    const event = signedUp(to);
    const t0 = Date.now();
    await notify(event, httpEnv, undefined, t0);
    expect(await rowFor(event.id)).toMatchObject({ status: "pending", attempts: 1 });
    expect(await sentEventsFor((await rowFor(event.id))!.id)).toEqual([]);

    // The cron sweep retries with backoff: nothing is due before the wait is over.
    await runScheduled(SWEEP_CRON, httpEnv, t0 + 30_000);
    expect((await rowFor(event.id))?.attempts).toBe(1);
    await runScheduled(SWEEP_CRON, httpEnv, t0 + MINUTE);
    expect(await rowFor(event.id)).toMatchObject({ status: "pending", attempts: 2 });
    await runScheduled(SWEEP_CRON, httpEnv, t0 + 7 * MINUTE);

    const row = await rowFor(event.id);
    expect(row).toMatchObject({ status: "sent", attempts: 3, lastError: null });
    expect(row?.providerId).toMatch(/^em_/);
    const requests = await received(to);
    expect(requests).toHaveLength(3);
    // Every attempt carried the same idempotency key, so the provider can tell retries from new messages.
    expect(new Set(requests.map((r) => r.headers["idempotency-key"]))).toEqual(new Set([row?.id]));
    expect(await sentEventsFor(row!.id)).toEqual([
      expect.objectContaining({ status: "sent", attempts: 3, channel: "email", providerId: row?.providerId }),
    ]);

    // Later sweeps and a redelivered event send nothing more.
    await runScheduled(SWEEP_CRON, httpEnv, t0 + 60 * MINUTE);
    await notify(event, httpEnv, undefined, t0 + 61 * MINUTE);
    expect(await received(to)).toHaveLength(3);
  });

  it("a provider that always fails ends `failed` after the retry budget, and staff can send it again", async () => {
    const to = `down-${crypto.randomUUID()}@example.com`;
    const event = signedUp(to);
    let now = Date.now();
    await notify(event, httpEnv, undefined, now);
    for (let i = 0; i < 6; i++) {
      now += 2 * 60 * MINUTE;
      await runScheduled(SWEEP_CRON, httpEnv, now);
    }
    const row = await rowFor(event.id);
    expect(row).toMatchObject({ status: "failed", attempts: 5, nextAttemptAt: null });
    expect(row?.lastError).toContain("HTTP 500");
    expect(await received(to)).toHaveLength(5);
    expect(await sentEventsFor(row!.id)).toEqual([
      expect.objectContaining({ status: "failed", attempts: 5, error: expect.stringContaining("500") }),
    ]);

    // Nothing is lost: the message is still there with its content, and a resend goes out through the
    // configured channel (here the Cloudflare Email binding of wrangler.toml).
    const staff = await sessionFor("staff");
    const res = await call("POST", `/api/admin/notifications/${row?.id}/resend`, {
      headers: { cookie: staff.cookie, origin: "http://localhost" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: row?.id, status: "sent" });
    const again = await call("POST", `/api/admin/notifications/${row?.id}/resend`, {
      headers: { cookie: staff.cookie, origin: "http://localhost" },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("invalid_state");
  });

  it("sends a row written before a crash: the sweep retries what the dedup would otherwise skip", async () => {
    const event = signedUp(`crash-${crypto.randomUUID()}@example.com`);
    const t0 = Date.now();
    // The first delivery wrote its row and died before sending (a lease that was never released).
    await notify(event, httpEnv, { email: null, console: consoleChannel }, t0).catch(() => 0);
    await getDb(env.DB)
      .update(notifications)
      .set({ status: "pending", attempts: 0, nextAttemptAt: t0 + 2 * MINUTE })
      .where(eq(notifications.eventId, event.id));
    // The queue redelivers the event: the row exists, so nothing new is written, and it is not due yet.
    expect(await notify(event, httpEnv, undefined, t0 + MINUTE)).toBe(0);
    // Once the lease is over, the sweep sends it.
    await runScheduled(SWEEP_CRON, httpEnv, t0 + 3 * MINUTE);
    expect(await rowFor(event.id)).toMatchObject({ status: "sent", attempts: 1 });
  });

  it("sends a NotificationSent whose queue send failed again when the queue redelivers the event", async () => {
    const event = signedUp(`lostsend-${crypto.randomUUID()}@example.com`);
    const queued: unknown[] = [];
    let queueUp = false;
    // The Worker's env with a queue producer that refuses (as when the queue is down), then accepts.
    const flakyQueue = {
      ...env,
      EVENTS: {
        send: async () => {},
        sendBatch: async (batch: { body: unknown }[]) => {
          if (!queueUp) throw new Error("queue unavailable");
          queued.push(...batch.map((m) => m.body));
        },
      },
    } as unknown as Env;
    const channels = { email: null, console: consoleChannel };
    // The message goes out and its row is final, but NotificationSent never reached the queue: notify fails, so the
    // queue consumer retries the event.
    await expect(notify(event, flakyQueue, channels)).rejects.toThrow("queue unavailable");
    const row = await rowFor(event.id);
    expect(row?.status).toBe("suppressed");
    expect(await sentEventsFor(row!.id)).toHaveLength(1);
    queueUp = true;
    expect(await notify(event, flakyQueue, channels)).toBe(0);
    expect(queued).toEqual([expect.objectContaining({ type: "NotificationSent", subject: `notification:${row?.id}` })]);
  });

  it("marks a message for a channel that is not configured `suppressed`, without retrying it", async () => {
    const event = signedUp(`off-${crypto.randomUUID()}@example.com`);
    await notify(event, env, { email: null, console: consoleChannel });
    const row = await rowFor(event.id);
    expect(row).toMatchObject({ status: "suppressed", attempts: 0 });
    expect(await sentEventsFor(row!.id)).toEqual([expect.objectContaining({ status: "suppressed", attempts: 0 })]);
  });
});

describe("e-mail channels", () => {
  it("posts to the HTTP provider in its request format: bearer key, idempotency key, from/to/subject/html/text", async () => {
    const to = `format-${crypto.randomUUID()}@example.com`;
    const event = signedUp(to);
    await notify(event, httpEnv);
    const row = await rowFor(event.id);
    const [request] = await received(to);
    expect(request?.headers.authorization).toBe("Bearer re_test");
    expect(request?.headers["idempotency-key"]).toBe(row?.id);
    expect(request?.body).toMatchObject({
      from: env.EMAIL_FROM,
      to: [to],
      subject: "Welcome to the Bracelet Shop",
      text: expect.stringContaining("Your account is ready"),
      html: expect.stringContaining("<h1"),
    });
  });

  it("sends through the Cloudflare Email binding by default and keeps the HTML and text it sent", async () => {
    const event = signedUp(`binding-${crypto.randomUUID()}@example.com`);
    expect(await notify(event, env)).toBe(1);
    const row = await rowFor(event.id);
    expect(row).toMatchObject({ status: "sent", attempts: 1, channel: "email" });
    expect(row?.html).toContain("Hello Ada");
    expect(row?.body).toContain("Open your account: http://localhost:8787/account");
  });
});

describe("a queue delivery's messages together", () => {
  /** The NotificationSent events logged for `eventIds`' rows, in the log's order. */
  async function loggedOrder(eventIds: string[]) {
    const rows = await Promise.all(eventIds.map((id) => rowFor(id)));
    const ids = new Map(rows.map((r, i) => [r?.id, eventIds[i]]));
    const logged = await env.DB.prepare(
      "SELECT json_extract(data, '$.notificationId') AS id FROM events WHERE type = 'NotificationSent' ORDER BY rowid",
    ).all<{ id: string }>();
    return logged.results.map((r) => ids.get(r.id)).filter((id) => id !== undefined);
  }

  it("sends each event's message once, logs them in delivery order, and a redelivery sends nothing again", async () => {
    const who = ["one", "flaky2", "three"].map((p) => `${p}-${crypto.randomUUID()}@example.com`);
    const events = who.map(signedUp);
    const t0 = Date.now();
    expect(await notifyAll(events, httpEnv, undefined, t0)).toBe(3);
    const [first, flaky, third] = await Promise.all(events.map((e) => rowFor(e.id)));
    expect(first).toMatchObject({ status: "sent", attempts: 1 });
    // The provider's refusal for one recipient leaves that row to the sweep and the others sent.
    expect(flaky).toMatchObject({ status: "pending", attempts: 1 });
    expect(third).toMatchObject({ status: "sent", attempts: 1 });
    expect(await loggedOrder(events.map((e) => e.id))).toEqual([events[0]?.id, events[2]?.id]);

    expect(await notifyAll(events, httpEnv, undefined, t0 + 1_000)).toBe(0);
    for (const to of [who[0], who[2]]) expect(await received(to as string)).toHaveLength(1);
    expect(await sentEventsFor(first!.id)).toHaveLength(1);
  });

  it("records the outcomes of the sends that answered when another send throws, then fails for a retry", async () => {
    const bad = `throws-${crypto.randomUUID()}@example.com`;
    const good = `fine-${crypto.randomUUID()}@example.com`;
    const events = [signedUp(bad), signedUp(good)];
    const email = {
      name: "email",
      send: async (m: { to: string }) => {
        if (m.to === bad) throw new Error("provider exploded");
        return { ok: true as const, providerId: "p1" };
      },
    };
    await expect(notifyAll(events, env, { email, console: consoleChannel })).rejects.toThrow("provider exploded");
    expect(await rowFor(events[1]!.id)).toMatchObject({ status: "sent", attempts: 1 });
    expect(await sentEventsFor((await rowFor(events[1]!.id))!.id)).toHaveLength(1);
    // The row whose send threw stays leased to this attempt: the sweep tries it once the lease is over.
    expect(await rowFor(events[0]!.id)).toMatchObject({ status: "pending", attempts: 0 });
  });

  it("handles a whole delivery through the queue consumer and acknowledges every message", async () => {
    const events = [1, 2].map((i) => signedUp(`queued${i}-${crypto.randomUUID()}@example.com`));
    const batch = createMessageBatch(
      "shop-events",
      events.map((body, i) => ({ id: `n${i}`, timestamp: new Date(), attempts: 1, body })),
    );
    await consumeEvents(batch, httpEnv, [notificationsSubscriber]);
    const result = await getQueueResult(batch, createExecutionContext());
    expect(result.explicitAcks.sort()).toEqual(["n0", "n1"]);
    for (const e of events) expect(await rowFor(e.id)).toMatchObject({ status: "sent", attempts: 1 });
  });
});
