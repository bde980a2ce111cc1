// Prints a fresh VAPID key pair (RFC 8292: ECDSA P-256) for Web Push, in .dev.vars form. Local development
// only; for production put the same three values with `wrangler secret put NAME --env production`.
// The public key is the uncompressed point (65 bytes), the private key the JWK `d`, both base64url.
const { publicKey, privateKey } = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
  "sign",
  "verify",
]);
const b64url = (bytes) => Buffer.from(bytes).toString("base64url");
const raw = new Uint8Array(await crypto.subtle.exportKey("raw", publicKey));
const jwk = await crypto.subtle.exportKey("jwk", privateKey);
console.log(`VAPID_PUBLIC_KEY=${b64url(raw)}`);
console.log(`VAPID_PRIVATE_KEY=${jwk.d}`);
console.log("VAPID_SUBJECT=mailto:shop@example.com");
