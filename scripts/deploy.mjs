// `npm run deploy` (and `npm run provision`, which stops before deploying): makes the production environment of
// wrangler.toml real with wrangler's own commands. It reads what exists in the Cloudflare account, plans
// (scripts/provision-plan.mjs), creates what is missing (D1, queues, R2 bucket), writes the D1 id into
// [env.production], applies D1 migrations remotely, checks the required secrets (naming the missing ones) and
// then builds and deploys. After deploying it purges the cached pages (docs/catalog.md, "Deploys"), so none links
// assets the deploy removed. A second run finds everything and only deploys and purges.
//
//   node scripts/deploy.mjs [--provision-only] [--dry-run] [--state state.json] [--env production] [--url https://…]
//
// --url names the shop's address for the purge when `wrangler deploy` prints none to take it from.
// --dry-run prints the plan and changes nothing; with --state it plans for a recorded account state (the JSON
// shape of `Remote` in provision-plan.mjs) instead of asking Cloudflare.
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { unstable_readConfig } from "wrangler";
import {
  bucketsIn,
  DEPLOY_KEY_PLACEHOLDER,
  declaredQueues,
  deployedUrl,
  describePlan,
  pendingIn,
  planProvision,
  queuesIn,
  writeD1Id,
} from "./provision-plan.mjs";
import { ROOT, WRANGLER_ENV } from "./wrangler.mjs";

const { values: args } = parseArgs({
  options: {
    "dry-run": { type: "boolean", default: false },
    "provision-only": { type: "boolean", default: false },
    state: { type: "string" },
    env: { type: "string", default: "production" },
    url: { type: "string" },
  },
});
const envName = args.env;
const CONFIG = path.join(ROOT, "wrangler.toml");

function run(bin, argv, { capture = false } = {}) {
  const exe = path.join(ROOT, "node_modules/.bin", bin);
  const r = spawnSync(exe, argv, {
    cwd: ROOT,
    env: WRANGLER_ENV,
    stdio: capture ? "pipe" : "inherit",
    encoding: "utf8",
  });
  return { ok: r.status === 0, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}
const wrangler = (argv, opts) => run("wrangler", argv, opts);

function must(result, what) {
  if (!result.ok) {
    process.stderr.write(result.out);
    console.error(`\n${what} failed: is \`wrangler login\` done (or CLOUDFLARE_API_TOKEN set)?`);
    process.exit(1);
  }
  return result.out;
}

const config = unstable_readConfig({ config: CONFIG, env: envName });
if (config.vars?.ENVIRONMENT !== envName) {
  console.error(`[env.${envName}] is missing from wrangler.toml (or its vars lack ENVIRONMENT = "${envName}")`);
  process.exit(1);
}
const declared = {
  env: envName,
  vars: Object.fromEntries(Object.entries(config.vars ?? {}).map(([k, v]) => [k, String(v)])),
  d1: config.d1_databases.map((d) => ({ ...d, database_id: d.database_id ?? "" })),
  queues: declaredQueues(config.queues),
  r2: config.r2_buckets.map((b) => b.bucket_name),
  ratelimits: (config.ratelimits ?? []).map((r) => ({ name: r.name, namespace_id: r.namespace_id })),
};

/** What the account has, asked of Cloudflare through wrangler (read-only commands). */
function readRemote() {
  const d1 = JSON.parse(must(wrangler(["d1", "list", "--json"], { capture: true }), "wrangler d1 list")).map((d) => ({
    name: d.name,
    uuid: d.uuid,
  }));
  const queues = queuesIn(
    must(wrangler(["queues", "list"], { capture: true }), "wrangler queues list"),
    declared.queues,
  );
  const r2 = bucketsIn(must(wrangler(["r2", "bucket", "list"], { capture: true }), "wrangler r2 bucket list"));
  // Before the first deploy the Worker does not exist and has no secrets; `wrangler secret put` creates it.
  const listed = wrangler(["secret", "list", "--env", envName, "--format", "json"], { capture: true });
  let secrets = [];
  if (listed.ok) {
    try {
      secrets = JSON.parse(listed.out.slice(listed.out.indexOf("["))).map((s) => s.name);
    } catch {
      secrets = [];
    }
  }
  const pendingMigrations = {};
  for (const db of declared.d1) {
    if (!d1.some((d) => d.name === db.database_name)) continue;
    const r = wrangler(["d1", "migrations", "list", db.binding, "--remote", "--env", envName], { capture: true });
    pendingMigrations[db.binding] = r.ok ? pendingIn(r.out) : null;
  }
  return { d1, queues, r2, secrets, pendingMigrations };
}

const remote = args.state ? JSON.parse(readFileSync(args.state, "utf8")) : readRemote();
const plan = planProvision({ declared, remote, deploy: !args["provision-only"] });
console.log(`Plan for [env.${envName}]${args["dry-run"] ? " (dry run: nothing is changed)" : ""}:`);
for (const line of describePlan(plan, envName)) console.log(`  ${line}`);
if (args["dry-run"]) process.exit(plan.ready ? 0 : 2);

/**
 * Asks the just-deployed version to purge the cached pages. Its key is new with this deploy: until the new version
 * answers everywhere, the old one refuses it (401), so this retries for up to 90 s.
 */
async function purgePages(base, path, key) {
  const deadline = Date.now() + 90_000;
  let last = "";
  for (;;) {
    try {
      const res = await fetch(new URL(path, base), { method: "POST", headers: { authorization: `Bearer ${key}` } });
      if (res.ok) return { ok: true, detail: await res.text() };
      last = `${res.status} ${await res.text()}`;
    } catch (err) {
      last = err.message;
    }
    if (Date.now() > deadline) return { ok: false, detail: last };
    await new Promise((r) => setTimeout(r, 3000));
  }
}

// One key per deploy: the purge hook accepts only the version this run uploaded.
const deployKey = randomUUID();
let deployedAt = args.url ?? null;

for (const step of plan.steps) {
  if ((step.kind === "build" || step.kind === "deploy" || step.kind === "purge-pages") && !plan.ready) break;
  switch (step.kind) {
    case "create-d1": {
      const out = must(wrangler(step.command, { capture: true }), `wrangler ${step.command.join(" ")}`);
      const id = out.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/)?.[0];
      if (!id) must({ ok: false, out }, "reading the new database's id");
      writeFileSync(CONFIG, writeD1Id(readFileSync(CONFIG, "utf8"), envName, step.binding, id));
      console.log(`created D1 ${step.name} (${id}) and wrote its id into wrangler.toml`);
      break;
    }
    case "write-d1-id":
      writeFileSync(CONFIG, writeD1Id(readFileSync(CONFIG, "utf8"), envName, step.binding, step.id));
      console.log(`wrote database_id ${step.id} into wrangler.toml`);
      break;
    case "build":
      must(run("vite", ["build", "--logLevel", "warn"]), "vite build");
      break;
    case "deploy": {
      const command = step.command.map((a) => a.replace(DEPLOY_KEY_PLACEHOLDER, deployKey));
      const out = must(wrangler(command, { capture: true }), `wrangler ${step.command.join(" ")}`);
      process.stdout.write(out);
      deployedAt ??= deployedUrl(out);
      break;
    }
    case "purge-pages": {
      if (!deployedAt) {
        console.error(
          `\nDeployed, but the cached pages were not purged: wrangler printed no URL. Run again with --url https://<shop>.`,
        );
        process.exit(1);
      }
      const purged = await purgePages(deployedAt, step.path, deployKey);
      if (!purged.ok) {
        console.error(`\nDeployed, but purging the cached pages at ${deployedAt}${step.path} failed: ${purged.detail}`);
        process.exit(1);
      }
      console.log(`purged cached pages (tags ${step.tags.join(", ")}) at ${deployedAt}: ${purged.detail}`);
      break;
    }
    default:
      must(wrangler(step.command), `wrangler ${step.command.join(" ")}`);
  }
}

if (!plan.ready) {
  console.error("\nNot deployed. Fix these first:");
  for (const name of plan.missingSecrets)
    console.error(`  secret ${name} is not set: wrangler secret put ${name} --env ${envName}`);
  for (const p of plan.problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(args["provision-only"] ? "\nProvisioned. Deploy with `npm run deploy`." : "\nDeployed.");
