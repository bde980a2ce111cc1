/**
 * Dead letters: events the queue gave up on after its retries. The consumer notes each failure (which
 * subscribers threw, and how) while it retries; when the dead-letter queue hands the message over, the note goes
 * onto its dead letter, so staff see who failed and why. Staff replay a dead letter (the same envelope, same id,
 * back through the queue: exactly-once subscribers skip what they already did, the others are idempotent by their
 * own keys) or discard it with a note; either way the row records who did what, and when.
 */
import { getDb } from "../../db/client";
import {
  closeOpenDeadLetters,
  type DeadLetterRow,
  findDeadLetter,
  findEventFailure,
  insertDeadLetter,
  listDeadLetterRows,
  openDeadLetters,
  reopenDeadLetters,
  upsertEventFailure,
} from "../../db/dead-letters";
import type { DeadLetterStatus } from "../../db/schema";
import { parseEnvelope } from "../../domain/events";
import { newId } from "../../lib/ids";

/** Keeps the last failure of an event still being retried (one small write, only when something failed). */
export async function noteFailure(
  env: Env,
  failure: { eventId: string; subscribers: string[]; error: string; attempts: number },
): Promise<void> {
  const row = {
    eventId: failure.eventId,
    subscribers: failure.subscribers.join(","),
    error: failure.error.slice(0, 2_000),
    attempts: failure.attempts,
    failedAt: Date.now(),
  };
  await upsertEventFailure(getDb(env.DB), row);
}

/** Parks a message the queue gave up on (or could not read at all), with its last failure when one was noted. */
export async function recordDeadLetter(env: Env, body: unknown, attempts: number): Promise<void> {
  const event = parseEnvelope(body);
  const db = getDb(env.DB);
  const failure = event ? await findEventFailure(db, event.id) : undefined;
  await insertDeadLetter(
    db,
    {
      id: newId("dl"),
      eventId: event?.id ?? null,
      type: event?.type ?? null,
      body: JSON.stringify(body) ?? "null",
      attempts,
      receivedAt: Date.now(),
      subscribers: failure?.subscribers ?? null,
      lastError: event ? (failure?.error ?? null) : "Not a readable event envelope",
    },
    event?.id ?? null,
  );
}

export type DeadLetterView = {
  id: string;
  eventId: string | null;
  type: string | null;
  subject: string | null;
  occurredAt: number | null;
  subscribers: string[];
  lastError: string | null;
  attempts: number;
  receivedAt: number;
  status: DeadLetterStatus;
  resolvedAt: number | null;
  resolvedBy: string | null;
  note: string | null;
  /** The message as the queue delivered it (the event envelope when readable). */
  body: unknown;
};

function view(row: DeadLetterRow): DeadLetterView {
  let body: unknown = row.body;
  try {
    body = JSON.parse(row.body);
  } catch {
    // kept as the raw text
  }
  const event = parseEnvelope(body);
  return {
    id: row.id,
    eventId: row.eventId,
    type: row.type,
    subject: event?.subject ?? null,
    occurredAt: event?.occurredAt ?? null,
    subscribers: row.subscribers ? row.subscribers.split(",") : [],
    lastError: row.lastError,
    attempts: row.attempts,
    receivedAt: row.receivedAt,
    status: row.status,
    resolvedAt: row.resolvedAt,
    resolvedBy: row.resolvedBy,
    note: row.note,
    body,
  };
}

export async function listDeadLetters(env: Env, status?: DeadLetterStatus): Promise<DeadLetterView[]> {
  const rows = await listDeadLetterRows(getDb(env.DB), status);
  return rows.map(view);
}

export type DeadLetterResult =
  | { ok: true; deadLetter: DeadLetterView }
  | { ok: false; reason: "not_found" | "invalid_state"; message: string };

async function openRow(env: Env, id: string) {
  const row = await findDeadLetter(getDb(env.DB), id);
  if (!row) return { ok: false as const, reason: "not_found" as const, message: "No such dead letter" };
  if (row.status !== "open") {
    return {
      ok: false as const,
      reason: "invalid_state" as const,
      message: `This dead letter was already ${row.status}`,
    };
  }
  return { ok: true as const, row };
}

/**
 * Claims open rows (so two clicks cannot both send) and sends their envelopes back to the queue. If the queue
 * refuses them, the claim is undone and the error thrown: nothing is marked replayed that was not sent.
 */
async function replayRows(env: Env, ids: string[], by: string): Promise<DeadLetterRow[]> {
  if (ids.length === 0) return [];
  const db = getDb(env.DB);
  const claimed = await closeOpenDeadLetters(db, { ids, status: "replayed", by, at: Date.now() });
  try {
    for (let i = 0; i < claimed.length; i += 100) {
      await env.EVENTS.sendBatch(
        claimed.slice(i, i + 100).map((r) => ({ body: JSON.parse(r.body), contentType: "json" as const })),
      );
    }
  } catch (err) {
    await reopenDeadLetters(
      db,
      claimed.map((r) => r.id),
    );
    throw err;
  }
  return claimed;
}

/** Sends one dead letter's event back through the queue. Only readable events can be replayed. */
export async function replayDeadLetter(env: Env, id: string, by: string): Promise<DeadLetterResult> {
  const found = await openRow(env, id);
  if (!found.ok) return found;
  if (!parseEnvelope(safeJson(found.row.body))) {
    return { ok: false, reason: "invalid_state", message: "This message is not a readable event; discard it instead" };
  }
  const [row] = await replayRows(env, [id], by);
  if (!row) return { ok: false, reason: "invalid_state", message: "This dead letter was already handled" };
  return { ok: true, deadLetter: view(row) };
}

/** Sends every open, readable dead letter back through the queue (at most 500 a call). */
export async function replayAllDeadLetters(env: Env, by: string): Promise<{ replayed: number; skipped: number }> {
  const open = await openDeadLetters(getDb(env.DB), 500);
  const readable = open.filter((r) => parseEnvelope(safeJson(r.body)));
  const replayed = await replayRows(
    env,
    readable.map((r) => r.id),
    by,
  );
  return { replayed: replayed.length, skipped: open.length - readable.length };
}

/** Closes a dead letter without replaying it; the note says why. */
export async function discardDeadLetter(env: Env, id: string, by: string, note: string): Promise<DeadLetterResult> {
  const found = await openRow(env, id);
  if (!found.ok) return found;
  const [row] = await closeOpenDeadLetters(getDb(env.DB), {
    ids: [id],
    status: "discarded",
    by,
    at: Date.now(),
    note,
  });
  if (!row) return { ok: false, reason: "invalid_state", message: "This dead letter was already handled" };
  return { ok: true, deadLetter: view(row) };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
