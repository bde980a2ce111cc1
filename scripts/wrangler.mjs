// Runs the project's own wrangler (on the Node 22 of node_modules/.bin) with metrics off: the machine has
// no route to Cloudflare's hosts, and local commands must not wait on them.
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN_DIR = fileURLToPath(new URL("../node_modules/.bin", import.meta.url));
const BIN = `${BIN_DIR}/wrangler`;
// node_modules/.bin first, so wrangler's `#!/usr/bin/env node` finds the Node 22 of the `node` package.
export const WRANGLER_ENV = {
  ...process.env,
  PATH: `${BIN_DIR}:${process.env.PATH ?? ""}`,
  WRANGLER_SEND_METRICS: "false",
};

/** Runs wrangler to completion, failing the script on a non-zero exit. */
export function wranglerSync(args, { quiet = false } = {}) {
  const r = spawnSync(BIN, args, { cwd: ROOT, env: WRANGLER_ENV, stdio: quiet ? "pipe" : "inherit", encoding: "utf8" });
  if (r.status !== 0) {
    if (quiet) process.stderr.write(`${r.stdout ?? ""}${r.stderr ?? ""}`);
    throw new Error(`wrangler ${args.join(" ")} exited with ${r.status}`);
  }
  return r.stdout ?? "";
}

/** Starts a long-running wrangler (dev server) and returns the child process. */
export function wranglerSpawn(args, opts = {}) {
  return spawn(BIN, args, { cwd: ROOT, env: { ...WRANGLER_ENV, ...opts.env }, stdio: opts.stdio ?? "inherit" });
}
