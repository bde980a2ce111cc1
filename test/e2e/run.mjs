// Browser tests: builds nothing (npm test ran `vite build`), starts `wrangler dev` on a free loopback port with
// its own fresh, migrated and seeded state, runs every test/e2e/*.e2e.ts with node's test runner (which
// drives Debian's chromium through playwright-core), and stops the server.
import { spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ROOT, wranglerSpawn, wranglerSync } from "../../scripts/wrangler.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const files = readdirSync(here)
  .filter((f) => f.endsWith(".e2e.ts"))
  .filter((f) => !process.argv[2] || f.includes(process.argv[2]))
  .map((f) => path.join(here, f));
if (files.length === 0) {
  console.error("no browser tests found in test/e2e");
  process.exit(1);
}

const freePort = () =>
  new Promise((resolve) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
const port = await freePort();
// Web Push is on in the browser tests: a VAPID key pair made for this run (never one in the repo), and every push
// the Worker sends goes to the local push service a test starts on `pushPort` (test/e2e/push-service.ts), with
// the endpoint's path; PUSH_ENDPOINT_OVERRIDE is honoured only with TEST_MODE = "1".
const pushPort = await freePort();
const vapid = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
const vapidPublic = Buffer.from(await crypto.subtle.exportKey("raw", vapid.publicKey)).toString("base64url");
const vapidPrivate = (await crypto.subtle.exportKey("jwk", vapid.privateKey)).d;
const pushVars = {
  VAPID_PUBLIC_KEY: vapidPublic,
  VAPID_PRIVATE_KEY: vapidPrivate,
  VAPID_SUBJECT: "mailto:shop@example.com",
  TEST_MODE: "1",
  PUSH_ENDPOINT_OVERRIDE: `http://127.0.0.1:${pushPort}`,
};
const state = mkdtempSync(path.join(tmpdir(), "shop-e2e-"));
wranglerSync(["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], { quiet: true });
const seed = spawn(process.execPath, [path.join(ROOT, "scripts/seed.mjs"), "--persist-to", state], {
  stdio: "inherit",
});
await new Promise((r) => seed.on("exit", r));

const logFile = path.join(state, "wrangler-dev.log");
const log = createWriteStream(logFile);
const dev = wranglerSpawn(
  [
    "dev",
    "--port",
    String(port),
    "--ip",
    "127.0.0.1",
    "--persist-to",
    state,
    "--show-interactive-dev-session=false",
    ...Object.entries(pushVars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
  ],
  { stdio: ["ignore", "pipe", "pipe"] },
);
dev.stdout.pipe(log);
dev.stderr.pipe(log);
const baseUrl = `http://127.0.0.1:${port}`;

let code = 1;
try {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await fetch(`${baseUrl}/api/products`);
      if (res.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`wrangler dev did not answer within 60 s; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const runner = spawn(process.execPath, ["--test", "--test-concurrency=1", ...files], {
    stdio: "inherit",
    env: { ...process.env, E2E_BASE_URL: baseUrl, E2E_PUSH_PORT: String(pushPort), E2E_VAPID_PUBLIC_KEY: vapidPublic },
  });
  code = await new Promise((r) => runner.on("exit", (c) => r(c ?? 1)));
} catch (err) {
  console.error(String(err));
} finally {
  dev.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 500));
  if (code === 0) rmSync(state, { recursive: true, force: true });
  else console.error(`wrangler dev log kept at ${logFile}`);
}
process.exit(code);
