// The provisioning planner of `npm run provision` / `npm run deploy` (scripts/deploy.mjs): given what the
// production environment of wrangler.toml declares and what exists in the Cloudflare account, the wrangler
// commands to run, in order. Pure (no I/O), so it is tested for many states (test/provision-plan.test.ts) and
// `--dry-run` prints exactly what a real run would do. A state where everything exists plans no change.
import { configProblems, requiredSecrets } from "../src/domain/payment-setup.ts";

/**
 * @typedef {{ binding: string, database_name: string, database_id?: string, migrations_dir?: string }} D1Decl
 * @typedef {{
 *   env: string,
 *   vars: Record<string, string>,
 *   d1: D1Decl[],
 *   queues: string[],
 *   r2: string[],
 *   ratelimits: { name: string, namespace_id?: string }[],
 * }} Declared
 * @typedef {{
 *   d1: { name: string, uuid: string }[],
 *   queues: string[],
 *   r2: string[],
 *   secrets: string[] | null,
 *   pendingMigrations: Record<string, string[] | null>,
 * }} Remote
 * @typedef {(
 *   | { kind: "create-d1", binding: string, name: string, command: string[] }
 *   | { kind: "write-d1-id", binding: string, name: string, id: string }
 *   | { kind: "create-queue", name: string, command: string[] }
 *   | { kind: "create-r2", name: string, command: string[] }
 *   | { kind: "migrate", binding: string, pending: string[] | null, command: string[] }
 *   | { kind: "build", command: string[] }
 *   | { kind: "deploy", command: string[] }
 *   | { kind: "purge-pages", path: string, tags: string[] }
 * )} Step
 * @typedef {{ steps: Step[], missingSecrets: string[], problems: string[], ready: boolean }} Plan
 */

/**
 * After a deploy, cached pages (Workers Caching, in front of the Worker, keyed by URL) still link the previous
 * build's content-hashed assets, which the deploy removed. The deploy passes the new version a one-time key
 * (`--var DEPLOY_KEY:…`, a fresh random value each run, put in place of `DEPLOY_KEY_PLACEHOLDER`) and then asks
 * it to purge these tags (`POST /_deploy/purge`, src/routes/deploy-hook.ts): `pages` is on every cached HTML
 * page, `catalog` also on the listings (and on pages cached before `pages` existed).
 */
export const DEPLOY_KEY_PLACEHOLDER = "<fresh random key>";
export const PURGE_PATH = "/_deploy/purge";
export const PURGED_TAGS = ["pages", "catalog"];

/** Every queue the environment names: producers, consumers and their dead-letter queues, once each. */
export function declaredQueues(queues) {
  const names = [
    ...(queues?.producers ?? []).map((p) => p.queue),
    ...(queues?.consumers ?? []).flatMap((c) => [c.queue, c.dead_letter_queue]),
  ];
  return [...new Set(names.filter(Boolean))];
}

/**
 * The plan for `declared` against `remote`. `deploy: false` (npm run provision) stops after the migrations.
 * A plan that is not `ready` (a missing secret or setting, a bad rate-limit id) must not deploy: its problems
 * name what to fix.
 *
 * @param {{ declared: Declared, remote: Remote, deploy?: boolean }} input
 * @returns {Plan}
 */
export function planProvision({ declared, remote, deploy = true }) {
  const env = ["--env", declared.env];
  /** @type {Step[]} */
  const steps = [];
  const problems = [];

  for (const db of declared.d1) {
    const existing = remote.d1.find((d) => d.name === db.database_name);
    if (!existing) {
      steps.push({
        kind: "create-d1",
        binding: db.binding,
        name: db.database_name,
        command: ["d1", "create", db.database_name],
      });
    } else if (existing.uuid !== db.database_id) {
      steps.push({ kind: "write-d1-id", binding: db.binding, name: db.database_name, id: existing.uuid });
    }
  }
  const haveQueues = new Set(remote.queues);
  for (const name of declared.queues) {
    if (!haveQueues.has(name)) steps.push({ kind: "create-queue", name, command: ["queues", "create", name] });
  }
  const haveBuckets = new Set(remote.r2);
  for (const name of declared.r2) {
    if (!haveBuckets.has(name)) steps.push({ kind: "create-r2", name, command: ["r2", "bucket", "create", name] });
  }
  // Rate-limit namespaces need no creating: the namespace_id is ours to choose (a positive integer, unique in
  // the account) and the namespace exists from the first deploy that names it.
  const seen = new Set();
  for (const rl of declared.ratelimits) {
    if (!/^[1-9][0-9]*$/.test(rl.namespace_id ?? "")) {
      problems.push(`ratelimit ${rl.name}: namespace_id must be a positive integer, is "${rl.namespace_id ?? ""}"`);
    } else if (seen.has(rl.namespace_id)) {
      problems.push(`ratelimit ${rl.name}: namespace_id ${rl.namespace_id} is used twice`);
    }
    seen.add(rl.namespace_id);
  }
  for (const db of declared.d1) {
    // A database about to be created has every migration pending (null: not known yet, apply them all).
    const pending = remote.d1.some((d) => d.name === db.database_name)
      ? (remote.pendingMigrations[db.binding] ?? null)
      : null;
    if (pending === null || pending.length > 0) {
      steps.push({
        kind: "migrate",
        binding: db.binding,
        pending,
        command: ["d1", "migrations", "apply", db.binding, "--remote", ...env],
      });
    }
  }

  // The secrets the vars call for, checked against the account; then the same check the Worker runs at start.
  const required = requiredSecrets(declared.vars);
  const have = new Set(remote.secrets ?? []);
  const missingSecrets = required.filter((name) => !have.has(name));
  const withSecrets = { ...declared.vars };
  for (const name of have) withSecrets[name] = "(set)";
  for (const p of configProblems(withSecrets)) {
    if (!missingSecrets.includes(p.setting)) problems.push(`${p.setting}: ${p.message}`);
  }

  const ready = missingSecrets.length === 0 && problems.length === 0;
  if (deploy) {
    steps.push({ kind: "build", command: ["vite", "build"] });
    steps.push({ kind: "deploy", command: ["deploy", ...env, "--var", `DEPLOY_KEY:${DEPLOY_KEY_PLACEHOLDER}`] });
    steps.push({ kind: "purge-pages", path: PURGE_PATH, tags: PURGED_TAGS });
  }
  return { steps, missingSecrets, problems, ready };
}

/** The plan as lines a person reads (`--dry-run`, and before a real run). */
export function describePlan(plan, envName = "production") {
  const lines = [];
  const cmd = (c) => (c[0] === "vite" ? c.join(" ") : `wrangler ${c.join(" ")}`);
  for (const s of plan.steps) {
    if (s.kind === "write-d1-id")
      lines.push(`write database_id ${s.id} for ${s.binding} (${s.name}) into [env.${envName}]`);
    else if (s.kind === "create-d1") lines.push(`${cmd(s.command)}   # then write its id into [env.${envName}]`);
    else if (s.kind === "purge-pages")
      lines.push(
        `POST <deployed URL>${s.path}   # purge cached pages (tags ${s.tags.join(", ")}) everywhere: none may link assets this deploy removed`,
      );
    else if (s.kind === "migrate")
      lines.push(`${cmd(s.command)}   # ${s.pending === null ? "every migration" : s.pending.join(", ")}`);
    else lines.push(cmd(s.command));
  }
  if (plan.steps.length === 0) lines.push("nothing to do: everything exists and every migration is applied");
  for (const name of plan.missingSecrets)
    lines.push(`MISSING SECRET ${name}: wrangler secret put ${name} --env ${envName}`);
  for (const p of plan.problems) lines.push(`PROBLEM ${p}`);
  return lines;
}

/**
 * wrangler.toml with `id` as the database_id of `binding` in `[env.<envName>]`, everything else (comments,
 * order) untouched. Throws when that block is not there: the script never invents configuration.
 */
export function writeD1Id(toml, envName, binding, id) {
  const header = `[[env.${envName}.d1_databases]]`;
  const blocks = toml.split(/(?=^\[)/m);
  let done = false;
  const out = blocks.map((block) => {
    if (done || !block.startsWith(header) || !new RegExp(`^binding\\s*=\\s*"${binding}"`, "m").test(block))
      return block;
    done = true;
    return /^database_id\s*=.*$/m.test(block)
      ? block.replace(/^database_id\s*=.*$/m, `database_id = "${id}"`)
      : block.replace(/^(binding\s*=.*)$/m, `$1\ndatabase_id = "${id}"`);
  });
  if (!done) throw new Error(`${header} with binding = "${binding}" is not in wrangler.toml`);
  return out.join("");
}

/** Queue names `wrangler queues list` prints (a table): which of `wanted` appear as a whole cell. */
export function queuesIn(output, wanted) {
  return wanted.filter((name) => new RegExp(`(^|[\\s│|])${name.replace(/[-]/g, "\\-")}($|[\\s│|])`, "m").test(output));
}

/** Bucket names `wrangler r2 bucket list` prints (`name: <bucket>` lines). */
export function bucketsIn(output) {
  return [...output.matchAll(/^name:\s+(\S+)/gm)].map((m) => m[1]);
}

/**
 * The deployed Worker's URL from `wrangler deploy`'s output: the first https address it prints after the upload
 * (the workers.dev address, or a route / custom domain, which it prints without a scheme). Null when none.
 */
export function deployedUrl(output) {
  const after = output.slice(Math.max(0, output.search(/Deployed .* triggers|Uploaded /)));
  const url = after.match(/https:\/\/[^\s)]+/)?.[0];
  if (url) return url.replace(/\/+$/, "");
  const route = after.match(/^\s+([a-z0-9.-]+\.[a-z]{2,})(?:\/\*)? \((?:custom domain|zone name)/im)?.[1];
  return route ? `https://${route}` : null;
}

/** Pending migrations from `wrangler d1 migrations list --remote` (file names), [] when none is pending. */
export function pendingIn(output) {
  if (/No migrations to apply/i.test(output)) return [];
  return [...new Set([...output.matchAll(/\b([0-9]{4}_[A-Za-z0-9_-]+\.sql)\b/g)].map((m) => m[1]))];
}
