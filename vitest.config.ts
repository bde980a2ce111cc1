import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Every suite runs inside workerd with the bindings of wrangler.toml: real D1, Durable Objects, Queues and
// alarms. Migrations are read here (Node side) and applied by test/setup.ts inside the runtime.
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: { TEST_MIGRATIONS: migrations, TEST_MODE: "1" },
        },
      }),
    ],
    test: {
      include: ["test/**/*.test.ts"],
      exclude: ["test/e2e/**"],
      setupFiles: ["./test/setup.ts"],
      // Node-side servers the Workers code talks to over real HTTP (test/global/, one file each).
      globalSetup: ["./test/global/mail-server.ts", "./test/global/stripe-server.ts"],
      testTimeout: 20_000,
      hookTimeout: 20_000,
    },
  };
});
