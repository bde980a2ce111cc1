import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Every suite runs inside workerd with the bindings of wrangler.toml: real D1, Durable Objects, Queues and
// alarms. Migrations are read here (Node side) and applied by test/setup.ts inside the runtime.
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  // A VAPID key pair made for this run (never a fixed one in the repo): push is configured in the tests.
  const vapid = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
  const vapidPublic = Buffer.from(await crypto.subtle.exportKey("raw", vapid.publicKey)).toString("base64url");
  const vapidPrivate = (await crypto.subtle.exportKey("jwk", vapid.privateKey)).d ?? "";
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            TEST_MODE: "1",
            VAPID_PUBLIC_KEY: vapidPublic,
            VAPID_PRIVATE_KEY: vapidPrivate,
            VAPID_SUBJECT: "mailto:shop@example.com",
          },
        },
      }),
    ],
    test: {
      include: ["test/**/*.test.ts"],
      exclude: ["test/e2e/**"],
      setupFiles: ["./test/setup.ts"],
      // Node-side servers the Workers code talks to over real HTTP (test/global/, one file each).
      globalSetup: [
        "./test/global/mail-server.ts",
        "./test/global/stripe-server.ts",
        "./test/global/push-server.ts",
        "./test/global/sms-server.ts",
      ],
      testTimeout: 20_000,
      hookTimeout: 20_000,
    },
  };
});
