// `npm start`: build the storefront, apply local D1 migrations, seed (idempotently) and serve the shop with
// `wrangler dev` on http://localhost:8787 (or $PORT). State lives under .wrangler/ between runs.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ACCOUNTS, DEFAULT_SEED_PASSWORD } from "./seed-data.mjs";
import { ROOT, wranglerSpawn, wranglerSync } from "./wrangler.mjs";

const port = process.env.PORT || "8787";
const vite = fileURLToPath(new URL("../node_modules/.bin/vite", import.meta.url));
const build = spawnSync(vite, ["build", "--logLevel", "warn"], { cwd: ROOT, stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);

wranglerSync(["d1", "migrations", "apply", "DB", "--local"], { quiet: true });
spawnSync(process.execPath, [fileURLToPath(new URL("./seed.mjs", import.meta.url))], { cwd: ROOT, stdio: "inherit" });

const password = process.env.SEED_PASSWORD || DEFAULT_SEED_PASSWORD;
console.log(`\nThe Bracelet Shop on http://localhost:${port}  (staff console: /admin)`);
console.log("Dev accounts (local only):");
for (const a of ACCOUNTS) console.log(`  ${a.role.padEnd(9)} ${a.email.padEnd(22)} password: ${password}`);
console.log("");

const dev = wranglerSpawn(["dev", "--port", port, "--ip", "127.0.0.1", "--show-interactive-dev-session=false"]);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code) => process.exit(code ?? 0));
