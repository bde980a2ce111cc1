/**
 * A browser and a push service for the push tests: a subscription's keys made as PushManager.subscribe() makes
 * them, RFC 8291 decryption as the browser does it, the VAPID check, and what the local push service of
 * test/global/push-server.ts received.
 */
import { env } from "cloudflare:workers";
import { expect, inject } from "vitest";

export const pushServer = inject("pushServerUrl");
/** The Worker's env with the test's local push service standing in for every push endpoint. */
export const pushEnv = { ...env, PUSH_ENDPOINT_OVERRIDE: pushServer } as unknown as Env;
export const PUSH_ORIGIN = "https://push.example.test";

export const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
export const fromB64url = (text: string) =>
  Uint8Array.from(atob(text.replaceAll("-", "+").replaceAll("_", "/")), (ch) => ch.charCodeAt(0));
export const concat = (...parts: Uint8Array<ArrayBuffer>[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** What a browser holds after PushManager.subscribe(): the key pair and auth secret stay on the device. */
export async function browser(name: string) {
  const keys = (await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, [
    "deriveBits",
  ])) as CryptoKeyPair;
  const publicRaw = new Uint8Array((await crypto.subtle.exportKey("raw", keys.publicKey)) as ArrayBuffer);
  const auth = crypto.getRandomValues(new Uint8Array(16));
  const path = `/push/${name}-${crypto.randomUUID()}`;
  return {
    path,
    keys,
    publicRaw,
    auth,
    json: {
      endpoint: `${PUSH_ORIGIN}${path}`,
      expirationTime: null,
      keys: { p256dh: b64url(publicRaw), auth: b64url(auth) },
    },
  };
}
export type Browser = Awaited<ReturnType<typeof browser>>;

/** RFC 8291 §3.4 and RFC 8188, as the browser does it: the body decrypts only with the subscription's keys. */
export async function decrypt(b: Browser, body: Uint8Array<ArrayBuffer>): Promise<string> {
  const salt = body.slice(0, 16);
  const idlen = body[20]!;
  const serverPublic = body.slice(21, 21 + idlen);
  const ciphertext = body.slice(21 + idlen);
  const hkdf = async (saltBytes: BufferSource, ikm: BufferSource, info: BufferSource, bytes: number) => {
    const key = await crypto.subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
    return new Uint8Array(
      await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: saltBytes, info }, key, bytes * 8),
    );
  };
  const serverKey = await crypto.subtle.importKey(
    "raw",
    serverPublic,
    { name: "ECDH", namedCurve: "P-256" },
    false,
    [],
  );
  const ecdh = new Uint8Array(
    await crypto.subtle.deriveBits({ name: "ECDH", public: serverKey } as EcdhKeyDeriveParams, b.keys.privateKey, 256),
  );
  const text = new TextEncoder();
  const ikm = await hkdf(b.auth, ecdh, concat(text.encode("WebPush: info\0"), b.publicRaw, serverPublic), 32);
  const cek = await hkdf(salt, ikm, text.encode("Content-Encoding: aes128gcm\0"), 16);
  const nonce = await hkdf(salt, ikm, text.encode("Content-Encoding: nonce\0"), 12);
  const aes = await crypto.subtle.importKey("raw", cek, "AES-GCM", false, ["decrypt"]);
  const padded = new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv: nonce }, aes, ciphertext));
  // The last record ends with the delimiter 0x02, followed only by zero padding.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  expect(padded[end]).toBe(2);
  return new TextDecoder().decode(padded.slice(0, end));
}

/** RFC 8292: `vapid t=<JWT>, k=<public key>`, the JWT ES256-signed by the key in `k`, for the endpoint's origin. */
export async function verifyVapid(header: string) {
  const match = /^vapid t=([^,]+), k=(.+)$/.exec(header);
  expect(match).not.toBeNull();
  const [, jwt, k] = match!;
  expect(k).toBe(env.VAPID_PUBLIC_KEY);
  const [head, claims, signature] = jwt!.split(".");
  const key = await crypto.subtle.importKey("raw", fromB64url(k!), { name: "ECDSA", namedCurve: "P-256" }, false, [
    "verify",
  ]);
  const valid = await crypto.subtle.verify(
    { name: "ECDSA", hash: "SHA-256" },
    key,
    fromB64url(signature!),
    new TextEncoder().encode(`${head}.${claims}`),
  );
  expect(valid).toBe(true);
  expect(JSON.parse(new TextDecoder().decode(fromB64url(head!)))).toMatchObject({ alg: "ES256" });
  return JSON.parse(new TextDecoder().decode(fromB64url(claims!))) as { aud: string; exp: number; sub: string };
}

export type Received = { headers: Record<string, string>; body: string };
export async function received(path: string): Promise<Received[]> {
  return (await (await fetch(`${pushServer}/requests?path=${encodeURIComponent(path)}`)).json()) as Received[];
}

/** The JSON a browser's service worker would get from one received request. */
export async function payloadOf(b: Browser, request: Received): Promise<Record<string, unknown>> {
  return JSON.parse(await decrypt(b, fromB64url(request.body.replaceAll("+", "-").replaceAll("/", "_"))));
}
