/**
 * The queue side of the bus: each message is an event envelope; every subscriber that listens to its type
 * handles it (exactly once per event id for subscribers that ask for dedup marks, idempotently otherwise). A failing subscriber retries the message with backoff (subscribers that already
 * succeeded are skipped on the retry, and the others still run this time); after the queue's max_retries it
 * lands in the dead-letter queue.
 */
import { getDb } from "../../db/client";
import { consumersThatProcessed, markProcessed, processedMark } from "../../db/processed-events";
import { type EventEnvelope, parseEnvelope } from "../../domain/events";
import { noteFailure, recordDeadLetter } from "./dead-letters";
import type { Subscriber } from "./subscriber";

export async function consumeEvents(
  batch: MessageBatch<unknown>,
  env: Env,
  subscribers: readonly Subscriber[],
): Promise<void> {
  const perEvent = subscribers.filter((s) => s.handle);
  const batchWise = subscribers.filter((s) => s.handleBatch);
  // Messages about one subject (an order, a SKU) are handled in order; different subjects in parallel.
  // Each body is parsed (and validated) once, here.
  const bySubject = new Map<string, { message: Message<unknown>; event: EventEnvelope | null }[]>();
  const parsed: { message: Message<unknown>; event: EventEnvelope | null }[] = [];
  for (const message of batch.messages) {
    const event = parseEnvelope(message.body);
    parsed.push({ message, event });
    const subject = event?.subject ?? `unreadable:${message.id}`;
    const group = bySubject.get(subject);
    if (group) group.push({ message, event });
    else bySubject.set(subject, [{ message, event }]);
  }
  const handled = new Set<string>();
  await Promise.all(
    [...bySubject.values()].map(async (items) => {
      for (const { message, event } of items) {
        if (await consumeOne(message, event, env, perEvent)) handled.add(message.id);
      }
    }),
  );
  // Subscribers that take the whole delivery see the events every per-event subscriber handled, in delivery order.
  const retried = new Set<string>();
  for (const subscriber of batchWise) {
    const mine: { message: Message<unknown>; event: EventEnvelope }[] = [];
    for (const { message, event } of parsed) {
      if (!handled.has(message.id) || retried.has(message.id)) continue;
      if (event && subscriber.types.includes(event.type)) mine.push({ message, event });
    }
    if (mine.length === 0) continue;
    try {
      await subscriber.handleBatch?.(
        mine.map((m) => m.event),
        env,
      );
    } catch (err) {
      console.error(
        JSON.stringify({
          level: "error",
          message: "batch handler failed",
          subscriber: subscriber.name,
          error: String(err),
        }),
      );
      for (const { message, event } of mine) {
        await noteFailure(env, {
          eventId: event.id,
          subscribers: [subscriber.name],
          error: String(err),
          attempts: message.attempts,
        }).catch(() => {});
        message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
        retried.add(message.id);
      }
    }
  }
  for (const message of batch.messages) if (handled.has(message.id) && !retried.has(message.id)) message.ack();
}

/**
 * Runs the per-event subscribers for one message. Returns true when all of them handled it (the caller acks it
 * once the batch-wise subscribers are done too); otherwise the message was already acked (unreadable) or retried.
 */
async function consumeOne(
  message: Message<unknown>,
  event: EventEnvelope | null,
  env: Env,
  subscribers: readonly Subscriber[],
): Promise<boolean> {
  if (!event) {
    // Not an event we can read: retrying cannot help, so it goes straight to the dead letters.
    await recordDeadLetter(env, message.body, message.attempts);
    message.ack();
    return false;
  }
  const failed: string[] = [];
  try {
    const listening = subscribers.filter((s) => s.types.includes(event.type));
    if (listening.length === 0) return true;
    const db = getDb(env.DB);
    // Only subscribers that asked for exactly-once pay for the dedup read and write.
    const marked = listening.filter((s) => s.exactlyOnce).map((s) => s.name);
    const done = marked.length > 0 ? await consumersThatProcessed(db, event.id, marked) : [];
    const handled = new Set(done.map((r) => r.consumer));
    const succeeded: string[] = [];
    const failures: string[] = [];
    for (const subscriber of listening) {
      if (handled.has(subscriber.name)) continue;
      try {
        await subscriber.handle?.(event, env);
        if (subscriber.exactlyOnce) succeeded.push(subscriber.name);
      } catch (err) {
        failed.push(subscriber.name);
        failures.push(`${subscriber.name}: ${String(err)}`);
      }
    }
    // One write marks every subscriber that succeeded, so a retry runs only the ones that failed.
    if (succeeded.length > 0) {
      await markProcessed(db, event.id, succeeded, Date.now());
    }
    if (failures.length > 0) throw new Error(failures.join("; "));
    return true;
  } catch (err) {
    console.error(
      JSON.stringify({ level: "error", message: "event handler failed", event: event.id, error: String(err) }),
    );
    // Who failed and how, for the dead letter if the queue gives up (best effort: the retry matters more).
    await noteFailure(env, {
      eventId: event.id,
      subscribers: failed,
      error: String(err),
      attempts: message.attempts,
    }).catch(() => {});
    message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
    return false;
  }
}

/** The dead-letter queue's consumer: park the message where staff can see it (GET /api/admin/dead-letters). */
export async function consumeDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    await recordDeadLetter(env, message.body, message.attempts);
    message.ack();
  }
}

/** True when `consumer` has already handled `eventId` (tests and diagnostics). */
export async function wasProcessed(env: Env, consumer: string, eventId: string): Promise<boolean> {
  const row = await processedMark(getDb(env.DB), consumer, eventId);
  return row !== undefined;
}
