/**
 * One-click unsubscribe (RFC 8058): a link signed with HMAC-SHA256 over (recipient, kind), so it works without
 * signing in and cannot be forged for another address. `UNSUBSCRIBE_SECRET` (local default below) signs it.
 */
import { getDb } from "../../db/client";
import {
  preferencesOfRecipient,
  storedPreference,
  upsertNotificationPreference,
} from "../../db/notification-preferences";
import { isOptional, type OptionalKind } from "../../domain/preferences";

const encoder = new TextEncoder();
const LOCAL_SECRET = "unsubscribe_local_dev";

const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
const fromB64url = (text: string) =>
  Uint8Array.from(atob(text.replaceAll("-", "+").replaceAll("_", "/")), (ch) => ch.charCodeAt(0));

async function key(env: Env): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    "raw",
    encoder.encode(env.UNSUBSCRIBE_SECRET || LOCAL_SECRET),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
}

/** `<base64url recipient>.<kind>.<base64url mac>` */
export async function unsubscribeToken(env: Env, recipient: string, kind: OptionalKind): Promise<string> {
  const payload = `${b64url(encoder.encode(recipient))}.${kind}`;
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await key(env), encoder.encode(payload)));
  return `${payload}.${b64url(mac)}`;
}

export async function unsubscribeUrl(env: Env, shopUrl: string, recipient: string, kind: OptionalKind) {
  return `${shopUrl}/unsubscribe?token=${encodeURIComponent(await unsubscribeToken(env, recipient, kind))}`;
}

export type TokenSubject = { recipient: string; kind: OptionalKind };

/** The (recipient, kind) a token was signed for, or null for anything forged, altered or malformed. */
export async function verifyUnsubscribeToken(env: Env, token: string): Promise<TokenSubject | null> {
  const [who, kind, mac] = token.split(".");
  if (!who || !kind || !mac || !isOptional(kind)) return null;
  try {
    const ok = await crypto.subtle.verify("HMAC", await key(env), fromB64url(mac), encoder.encode(`${who}.${kind}`));
    return ok ? { recipient: new TextDecoder().decode(fromB64url(who)), kind } : null;
  } catch {
    return null;
  }
}

export async function setPreference(
  env: Env,
  pref: { recipient: string; kind: OptionalKind; channel: string; enabled: boolean },
  now = Date.now(),
): Promise<void> {
  await upsertNotificationPreference(getDb(env.DB), pref, now);
}

/** The stored choices of `recipients`, as one query to put in a D1 batch; `wantsFrom` answers from its rows. */
export { preferencesOf } from "../../db/notification-preferences";

export type Wants = (recipient: string, kind: string, channel: string) => boolean;

/** `wants` answered from rows already read (no row: yes; a kind that is not optional: always). */
export function wantsFrom(
  rows: readonly { recipient: string; kind: string; channel: string; enabled: boolean }[],
): Wants {
  const off = new Set(rows.filter((r) => !r.enabled).map((r) => `${r.recipient}|${r.kind}|${r.channel}`));
  return (recipient, kind, channel) => !isOptional(kind) || !off.has(`${recipient}|${kind}|${channel}`);
}

/** Whether `recipient` still wants `kind` on `channel` (no row: yes). */
export async function wants(env: Env, recipient: string, kind: string, channel: string): Promise<boolean> {
  if (!isOptional(kind)) return true;
  const row = await storedPreference(getDb(env.DB), { recipient, kind, channel });
  return row?.enabled ?? true;
}

/** Channels a shopper can choose per kind. */
export const CUSTOMER_CHANNELS = ["email", "push", "sms"] as const;
export type CustomerChannel = (typeof CUSTOMER_CHANNELS)[number];
export type ChannelPreferences = Record<CustomerChannel, Record<OptionalKind, boolean>>;

/** Every optional kind's setting for one recipient on each channel (no row: on). */
export async function channelPreferences(env: Env, recipient: string): Promise<ChannelPreferences> {
  const rows = await preferencesOfRecipient(getDb(env.DB), recipient);
  const all = () => ({ order: true, marketing: true, billing: true });
  const out: ChannelPreferences = { email: all(), push: all(), sms: all() };
  for (const r of rows) {
    if (isOptional(r.kind) && (CUSTOMER_CHANNELS as readonly string[]).includes(r.channel)) {
      out[r.channel as CustomerChannel][r.kind] = r.enabled;
    }
  }
  return out;
}
