import { describe, expect, it } from "vitest";
import {
  bucketsIn,
  type Declared,
  declaredQueues,
  deployedUrl,
  describePlan,
  pendingIn,
  planProvision,
  queuesIn,
  type Remote,
  writeD1Id,
} from "../scripts/provision-plan.mjs";

const UUID = "0b6f3c2e-1a2b-4c3d-8e9f-0123456789ab";

const declared: Declared = {
  env: "production",
  vars: { ENVIRONMENT: "production", PAYMENT_PROVIDER: "stripe", SHOP_TEST_MODE: "" },
  d1: [{ binding: "DB", database_name: "bracelet-shop", database_id: "" }],
  queues: ["shop-events", "shop-events-dlq"],
  r2: ["bracelet-shop-images"],
  ratelimits: [
    { name: "AUTH_EMAIL_LIMITER", namespace_id: "1001" },
    { name: "AUTH_IP_LIMITER", namespace_id: "1002" },
  ],
};

const empty: Remote = { d1: [], queues: [], r2: [], secrets: null, pendingMigrations: {} };

/** An account where everything of `declared` exists and is applied. */
const complete: Remote = {
  d1: [{ name: "bracelet-shop", uuid: UUID }],
  queues: ["shop-events", "shop-events-dlq"],
  r2: ["bracelet-shop-images"],
  secrets: ["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"],
  pendingMigrations: { DB: [] },
};
const provisioned: Declared = { ...declared, d1: [{ ...declared.d1[0]!, database_id: UUID }] };

const kinds = (plan: { steps: { kind: string }[] }) => plan.steps.map((s) => s.kind);

describe("the provisioning plan", () => {
  it("creates everything on an empty account, applies every migration, and names the missing secrets", () => {
    const plan = planProvision({ declared, remote: empty });
    expect(plan.steps.map((s) => ("command" in s ? s.command.join(" ") : s.kind))).toEqual([
      "d1 create bracelet-shop",
      "queues create shop-events",
      "queues create shop-events-dlq",
      "r2 bucket create bracelet-shop-images",
      "d1 migrations apply DB --remote --env production",
      "vite build",
      "deploy --env production --var DEPLOY_KEY:<fresh random key>",
      "purge-pages",
    ]);
    expect(plan.missingSecrets).toEqual(["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"]);
    expect(plan.ready).toBe(false);
  });

  it("changes nothing on a second run: only build, deploy and the pages' purge, and nothing at all when provisioning", () => {
    const plan = planProvision({ declared: provisioned, remote: complete });
    expect(kinds(plan)).toEqual(["build", "deploy", "purge-pages"]);
    expect(plan.ready).toBe(true);
    const again = planProvision({ declared: provisioned, remote: complete, deploy: false });
    expect(again.steps).toEqual([]);
    expect(describePlan(again)).toEqual(["nothing to do: everything exists and every migration is applied"]);
  });

  it("writes the id of a database that exists but is not in the configuration yet, creating nothing", () => {
    const plan = planProvision({ declared, remote: complete, deploy: false });
    expect(plan.steps).toEqual([{ kind: "write-d1-id", binding: "DB", name: "bracelet-shop", id: UUID }]);
  });

  it("creates only the missing queue and bucket and applies only pending migrations", () => {
    const remote: Remote = {
      ...complete,
      queues: ["shop-events"],
      r2: [],
      pendingMigrations: { DB: ["0007_stock_shards.sql"] },
    };
    const plan = planProvision({ declared: provisioned, remote, deploy: false });
    expect(kinds(plan)).toEqual(["create-queue", "create-r2", "migrate"]);
    expect(plan.steps[0]).toMatchObject({ name: "shop-events-dlq" });
    expect(describePlan(plan).at(-1)).toContain("0007_stock_shards.sql");
  });

  it("asks for the test gateway's secret in test mode instead of Stripe's", () => {
    const testShop: Declared = {
      ...provisioned,
      vars: { ENVIRONMENT: "production", PAYMENT_PROVIDER: "", SHOP_TEST_MODE: "1" },
    };
    expect(planProvision({ declared: testShop, remote: complete }).missingSecrets).toEqual(["PAYMENT_WEBHOOK_SECRET"]);
    const ok = planProvision({ declared: testShop, remote: { ...complete, secrets: ["PAYMENT_WEBHOOK_SECRET"] } });
    expect(ok.ready).toBe(true);
  });

  it("purges the cached pages after every deploy, so none links the assets the deploy removed, and says so in the dry run", () => {
    const plan = planProvision({ declared: provisioned, remote: complete });
    expect(plan.steps.at(-1)).toEqual({ kind: "purge-pages", path: "/_deploy/purge", tags: ["pages", "catalog"] });
    expect(describePlan(plan)).toEqual([
      "vite build",
      "wrangler deploy --env production --var DEPLOY_KEY:<fresh random key>",
      "POST <deployed URL>/_deploy/purge   # purge cached pages (tags pages, catalog) everywhere: none may link assets this deploy removed",
    ]);
  });

  it("finds the deployed address in wrangler's output: workers.dev, or a custom domain printed without a scheme", () => {
    const bindings = 'Your Worker has access to the following bindings:\n  env.EMAIL_API_URL ("https://api.example")\n';
    expect(
      deployedUrl(
        `${bindings}Uploaded bracelet-shop-production (3.1 sec)\nDeployed bracelet-shop-production triggers (0.9 sec)\n  https://bracelet-shop-production.acme.workers.dev\n  schedule: */5 * * * *\n`,
      ),
    ).toBe("https://bracelet-shop-production.acme.workers.dev");
    expect(
      deployedUrl(
        `${bindings}Uploaded bracelet-shop (3 sec)\nDeployed bracelet-shop triggers (1 sec)\n  shop.example.com (custom domain)\n`,
      ),
    ).toBe("https://shop.example.com");
    expect(deployedUrl("Uploaded bracelet-shop (3 sec)\nNo deploy targets for bracelet-shop\n")).toBeNull();
  });

  it("refuses to deploy a shop that could take no payments, and bad rate-limit ids, naming each", () => {
    const noProvider: Declared = {
      ...provisioned,
      vars: { ENVIRONMENT: "production", PAYMENT_PROVIDER: "", SHOP_TEST_MODE: "" },
      ratelimits: [
        { name: "A", namespace_id: "" },
        { name: "B", namespace_id: "7" },
        { name: "C", namespace_id: "7" },
      ],
    };
    const plan = planProvision({ declared: noProvider, remote: complete });
    expect(plan.ready).toBe(false);
    expect(plan.problems).toEqual([
      'ratelimit A: namespace_id must be a positive integer, is ""',
      "ratelimit C: namespace_id 7 is used twice",
      expect.stringMatching(/^PAYMENT_PROVIDER: /),
    ]);
  });
});

describe("reading wrangler's output and writing the configuration", () => {
  const toml = [
    "[[d1_databases]]",
    'binding = "DB"',
    'database_id = "00000000-0000-0000-0000-000000000000"',
    "",
    "[[env.production.d1_databases]]",
    'binding = "DB"',
    'database_name = "bracelet-shop"',
    'database_id = ""',
    "",
    "# a comment that stays",
    "[[env.production.durable_objects.bindings]]",
    "",
  ].join("\n");

  it("writes the database id into the production block only, keeping everything else", () => {
    const written = writeD1Id(toml, "production", "DB", UUID);
    expect(written).toBe(toml.replace('database_id = ""', `database_id = "${UUID}"`));
    expect(writeD1Id(written, "production", "DB", UUID)).toBe(written);
    expect(() => writeD1Id(toml, "staging", "DB", UUID)).toThrow(/env\.staging/);
  });

  it("lists every queue the environment names once, dead-letter queues included", () => {
    expect(
      declaredQueues({
        producers: [{ queue: "shop-events" }],
        consumers: [{ queue: "shop-events", dead_letter_queue: "shop-events-dlq" }, { queue: "shop-events-dlq" }],
      }),
    ).toEqual(["shop-events", "shop-events-dlq"]);
  });

  it("finds queues, buckets and pending migrations in wrangler's text output", () => {
    const queues =
      "┌──────┬─────────────────┐\n│ id   │ name            │\n│ 1    │ shop-events-dlq │\n└──────┴─────────────────┘";
    expect(queuesIn(queues, ["shop-events", "shop-events-dlq"])).toEqual(["shop-events-dlq"]);
    expect(bucketsIn("name:           bracelet-shop-images\ncreation_date:  2026-11-27T00:00:00.000Z\n")).toEqual([
      "bracelet-shop-images",
    ]);
    expect(pendingIn("✅ No migrations to apply!")).toEqual([]);
    expect(pendingIn("│ 0006_x.sql │\n│ 0007_stock_shards.sql │")).toEqual(["0006_x.sql", "0007_stock_shards.sql"]);
  });
});
