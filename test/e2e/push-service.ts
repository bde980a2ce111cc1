/**
 * Web Push for the browser tests. Headless Chromium has no push service on this closed network, so:
 * - `fakePushManager` (a page init script) replaces `PushManager.prototype.subscribe` and `getSubscription`: the
 *   subscription has real P-256 keys made in the page by Web Crypto and an https endpoint under
 *   `https://push.example.test/push/…`; the page keeps the private key where the test can read it.
 * - `startPushService()` is the local push service (RFC 8030) that run.mjs points the Worker's
 *   PUSH_ENDPOINT_OVERRIDE at: it records each POST by path and answers 201.
 * - `decryptPush` opens a message as the browser would (RFC 8291 / RFC 8188 aes128gcm) with the page's keys.
 * Everything between (the /api/push routes, the service worker registration, the Worker's encryption and VAPID
 * signature, the queue) is the shop's real code.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { BrowserContext, Page } from "playwright-core";

export const PUSH_ORIGIN = "https://push.example.test";

/** What the page's fake PushManager made: the subscription as `toJSON()` gives it, and its private key. */
export type FakeDevice = {
  json: { endpoint: string; expirationTime: null; keys: { p256dh: string; auth: string } };
  privateJwk: JsonWebKey;
  /** The key the page subscribed with (the shop's VAPID public key), base64url. */
  applicationServerKey: string;
};

/** Runs in the page before its scripts: a PushManager that subscribes without a push service. */
function fakePushManager(origin: string) {
  const b64url = (buf: ArrayBuffer | Uint8Array) =>
    btoa(String.fromCharCode(...new Uint8Array(buf)))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "");
  let current: PushSubscription | null = null;
  const w = window as unknown as { __fakePush?: FakeDevice };
  PushManager.prototype.subscribe = async function subscribe(options?: PushSubscriptionOptionsInit) {
    if (current) return current;
    const keys = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
    const raw = await crypto.subtle.exportKey("raw", keys.publicKey);
    const auth = crypto.getRandomValues(new Uint8Array(16));
    const endpoint = `${origin}/push/e2e-${crypto.randomUUID()}`;
    const json = { endpoint, expirationTime: null, keys: { p256dh: b64url(raw), auth: b64url(auth) } };
    const serverKey = options?.applicationServerKey;
    w.__fakePush = {
      json,
      privateJwk: await crypto.subtle.exportKey("jwk", keys.privateKey),
      applicationServerKey:
        typeof serverKey === "string" ? serverKey : serverKey ? b64url(serverKey as ArrayBuffer) : "",
    };
    const subscription = {
      endpoint,
      expirationTime: null,
      options: { userVisibleOnly: true, applicationServerKey: null },
      getKey: (name: string) => (name === "p256dh" ? raw : name === "auth" ? auth.buffer : null),
      toJSON: () => json,
      unsubscribe: async () => {
        current = null;
        return true;
      },
    };
    current = subscription as unknown as PushSubscription;
    return current;
  };
  PushManager.prototype.getSubscription = async function getSubscription() {
    return current;
  };
}

/** Notifications allowed for the shop and the fake PushManager in every page of `context`. */
export async function withFakePush(context: BrowserContext, baseUrl: string): Promise<void> {
  await context.grantPermissions(["notifications"], { origin: baseUrl });
  await context.addInitScript(fakePushManager, PUSH_ORIGIN);
}

/** The device the page subscribed (after it clicked a push opt-in). */
export async function fakeDevice(page: Page): Promise<FakeDevice> {
  const device = await page.evaluate(() => (window as unknown as { __fakePush?: FakeDevice }).__fakePush);
  assert.ok(device, "the page subscribed through PushManager.subscribe");
  return device;
}

type Received = { headers: Record<string, string | string[] | undefined>; body: Buffer };

/** The local push service on run.mjs's E2E_PUSH_PORT (one per test file; files run one at a time). */
export async function startPushService() {
  const port = Number(process.env.E2E_PUSH_PORT);
  assert.ok(port > 0, "run.mjs gives the push service's port in E2E_PUSH_PORT");
  const received = new Map<string, Received[]>();
  let ids = 0;
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (req.method !== "POST" || !path.startsWith("/push/")) {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.set(path, [...(received.get(path) ?? []), { headers: req.headers, body: Buffer.concat(chunks) }]);
      res.writeHead(201, { location: `${PUSH_ORIGIN}/messages/msg_${++ids}` }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    /** What was pushed to `endpoint`, waiting up to `timeoutMs` for the first message. */
    async messagesFor(endpoint: string, timeoutMs: number): Promise<Received[]> {
      const path = new URL(endpoint).pathname;
      const deadline = Date.now() + timeoutMs;
      while (!received.has(path)) {
        if (Date.now() > deadline) throw new Error(`nothing was pushed to ${path} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
      return received.get(path) ?? [];
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const fromB64url = (text: string) => new Uint8Array(Buffer.from(text, "base64url"));

/** RFC 8291 §3.4 with RFC 8188's aes128gcm record: the JSON the service worker would get. */
export async function decryptPush(device: FakeDevice, body: Buffer): Promise<Record<string, unknown>> {
  const { subtle } = globalThis.crypto;
  const bytes = new Uint8Array(body);
  const salt = bytes.slice(0, 16);
  const idlen = bytes[20] ?? 0;
  const serverPublic = bytes.slice(21, 21 + idlen);
  const ciphertext = bytes.slice(21 + idlen);
  const hkdf = async (saltBytes: BufferSource, ikm: BufferSource, info: BufferSource, length: number) => {
    const key = await subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
    return new Uint8Array(
      await subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: saltBytes, info }, key, length * 8),
    );
  };
  const privateKey = await subtle.importKey("jwk", device.privateJwk, { name: "ECDH", namedCurve: "P-256" }, false, [
    "deriveBits",
  ]);
  const serverKey = await subtle.importKey("raw", serverPublic, { name: "ECDH", namedCurve: "P-256" }, false, []);
  const ecdh = new Uint8Array(await subtle.deriveBits({ name: "ECDH", public: serverKey }, privateKey, 256));
  const text = new TextEncoder();
  const clientPublic = fromB64url(device.json.keys.p256dh);
  const info = new Uint8Array([...text.encode("WebPush: info\0"), ...clientPublic, ...serverPublic]);
  const ikm = await hkdf(fromB64url(device.json.keys.auth), ecdh, info, 32);
  const cek = await hkdf(salt, ikm, text.encode("Content-Encoding: aes128gcm\0"), 16);
  const nonce = await hkdf(salt, ikm, text.encode("Content-Encoding: nonce\0"), 12);
  const aes = await subtle.importKey("raw", cek, "AES-GCM", false, ["decrypt"]);
  const padded = new Uint8Array(await subtle.decrypt({ name: "AES-GCM", iv: nonce }, aes, ciphertext));
  // The last record ends with the delimiter 0x02, then only zero padding.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  assert.equal(padded[end], 2, "an RFC 8188 last-record delimiter");
  return JSON.parse(new TextDecoder().decode(padded.slice(0, end)));
}

/** The VAPID header (RFC 8292) names the shop's key: `vapid t=<JWT>, k=<public key>`. */
export function assertVapid(headers: Received["headers"], publicKey: string): void {
  const header = String(headers.authorization ?? "");
  assert.match(header, /^vapid t=[^,]+, k=/);
  assert.equal(header.split("k=")[1], publicKey);
  assert.equal(headers["content-encoding"], "aes128gcm");
}
