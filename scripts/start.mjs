// `npm start`: build the storefront, apply local D1 migrations, seed (idempotently) and serve the shop with
// `wrangler dev` on http://localhost:8787 (or $PORT). State lives under .wrangler/ between runs.
// `npm run dev` (`--watch`): the same, and `vite build --watch` beside the server rebuilds the storefront on
// every change under web/ (wrangler dev reloads the Worker itself and serves the new assets).
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ACCOUNTS, DEFAULT_SEED_PASSWORD } from "./seed-data.mjs";
import { ROOT, wranglerSpawn, wranglerSync } from "./wrangler.mjs";

const port = process.env.PORT || "8787";
const watch = process.argv.includes("--watch");
const vite = fileURLToPath(new URL("../node_modules/.bin/vite", import.meta.url));
const step = (n, what) => console.log(`${n}/4 ${what}…`);

step(1, "building storefront");
const build = spawnSync(vite, ["build", "--logLevel", "warn"], { cwd: ROOT, stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);

step(2, "applying local D1 migrations");
wranglerSync(["d1", "migrations", "apply", "DB", "--local"], { quiet: true });

step(3, "seeding");
spawnSync(process.execPath, [fileURLToPath(new URL("./seed.mjs", import.meta.url))], { cwd: ROOT, stdio: "inherit" });

step(4, `starting the server${watch ? " and the storefront watcher" : ""}`);
const children = [wranglerSpawn(["dev", "--port", port, "--ip", "127.0.0.1", "--show-interactive-dev-session=false"])];
if (watch) {
  // The first build above already wrote dist/client, so the server never starts without assets.
  children.push(spawn(vite, ["build", "--watch", "--logLevel", "warn"], { cwd: ROOT, stdio: "inherit" }));
}
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    for (const child of children) child.kill(signal);
  });
}
children[0].on("exit", (code) => {
  for (const child of children.slice(1)) child.kill("SIGTERM");
  process.exit(code ?? 0);
});

// The URL and the accounts come once the server answers, after wrangler's banner, where they are seen.
const url = `http://localhost:${port}`;
const deadline = Date.now() + 120_000;
for (;;) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/api/plans`);
    if (res.status < 500) break;
  } catch {
    // not listening yet
  }
  if (Date.now() > deadline) {
    console.error(`The server did not answer on port ${port} within 2 minutes; see wrangler's output above.`);
    break;
  }
  await new Promise((r) => setTimeout(r, 250));
}
const password = process.env.SEED_PASSWORD || DEFAULT_SEED_PASSWORD;
console.log(`\nThe Bracelet Shop is ready on ${url}  (staff console: /admin, API reference: /docs)`);
console.log("Dev accounts (local only):");
for (const a of ACCOUNTS) console.log(`  ${a.role.padEnd(9)} ${a.email.padEnd(22)} password: ${password}`);
if (watch) console.log("Watching web/: the storefront rebuilds on change; reload the page to see it.");
console.log("");
