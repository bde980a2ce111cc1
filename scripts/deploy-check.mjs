// `npm run deploy:check` (part of `npm test`): bundles the production Worker exactly as `npm run deploy` would,
// without uploading (`wrangler deploy --dry-run --outdir`), and prints the bundle size. Fails when the
// production configuration does not bundle. Needs `vite build` first (the static assets).
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { ROOT, wranglerSync } from "./wrangler.mjs";

const outdir = path.join(ROOT, ".wrangler", "deploy-check");
rmSync(outdir, { recursive: true, force: true });
let out;
try {
  out = wranglerSync(["deploy", "--dry-run", "--outdir", outdir, "--env", "production"], { quiet: true });
} catch (err) {
  console.error(`deploy dry run failed: ${err.message}`);
  process.exit(1);
}
const total = out.match(/Total Upload:.*$/m)?.[0] ?? "Total Upload: (not printed)";
const files = readdirSync(outdir).filter((f) => /\.(js|mjs|wasm)$/.test(f));
const bytes = files.reduce((sum, f) => sum + statSync(path.join(outdir, f)).size, 0);
const gz = files.reduce((sum, f) => sum + gzipSync(readFileSync(path.join(outdir, f))).length, 0);
console.log(
  `deploy dry run [env.production]: ${total}; worker bundle ${files.join(", ")} = ${(bytes / 1024).toFixed(1)} KiB (gzip ${(gz / 1024).toFixed(1)} KiB; the Free plan allows 3 MiB, Paid 10 MiB compressed)`,
);
