/**
 * Import rules checked by `npm run check:deps` (part of `npm test`): no import circles anywhere, the pure
 * layers stay pure (STYLE.md: routes → durable / db / services → adapters → domain; docs/layout.md), and D1
 * queries are built only in src/db (and the adapters' own small stores).
 * TypeScript 7 has no compiler API that dependency-cruiser can use yet, so it parses with swc (@swc/core, a dev
 * dependency); the "missing-tsc-transpiler" notice it prints is expected and harmless.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "An import circle: two modules that need each other belong together or need a third home.",
      from: {},
      // Type-only imports do not count: the web's typed client reads AppType from src/worker.ts (`import type`,
      // erased at build), while the Worker's pages link the web's islands; no code runs in a circle.
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
    {
      name: "domain-is-pure",
      severity: "error",
      comment: "src/domain is plain TypeScript: no platform (cloudflare:*), no HTTP framework, no database layer.",
      from: { path: "^src/domain/" },
      to: { path: "^(cloudflare:|(node_modules/)?(hono|drizzle-orm|drizzle-kit|@hono/[^/]+)(/|$))" },
    },
    {
      name: "domain-imports-only-domain",
      severity: "error",
      comment: "src/domain depends on nothing above it (db, durable, services, routes, http); src/lib is plain too.",
      from: { path: "^src/domain/" },
      to: { path: "^src/(?!domain/|lib/)" },
    },
    {
      name: "adapters-are-leaves",
      severity: "error",
      comment:
        "src/adapters talks to the outside world (payment providers, channels, the queue, R2) for the layers above; " +
        "it may use db, domain and lib, never services, durable objects, routes or HTTP plumbing.",
      from: { path: "^src/adapters/" },
      to: { path: "^src/(services|durable|routes|pages|http)/|^src/worker\\.ts$" },
    },
    {
      name: "services-not-into-routes",
      severity: "error",
      comment: "Services, objects and queries serve the routes; they never reach up into routes or pages.",
      from: { path: "^src/(services|durable|db|adapters)/" },
      to: { path: "^src/(routes|pages)/|^src/worker\\.ts$" },
    },
    {
      name: "routes-query-through-db",
      severity: "error",
      comment: "Routes ask src/db's named (db, args) functions; drizzle and the schema stay there.",
      from: { path: "^src/(routes|pages)/" },
      to: { path: "^((node_modules/)?drizzle-orm(/|$)|src/db/schema\\.ts$)" },
    },
    {
      name: "http-query-through-db",
      severity: "error",
      comment:
        "The HTTP plumbing (middleware: sessions, Idempotency-Key) asks src/db's named (db, args) functions; " +
        "drizzle and the schema stay there (a role's type comes from src/domain/accounts.ts).",
      from: { path: "^src/http/" },
      to: { path: "^((node_modules/)?drizzle-orm(/|$)|src/db/schema\\.ts$)" },
    },
    {
      name: "services-query-through-db",
      severity: "error",
      comment:
        "Services ask src/db's named (db, args) functions and batch the statements those return; they build no " +
        "drizzle query themselves (a batch's item type from drizzle-orm/batch is allowed). Adapters keep their own " +
        "small stores (the event log, Stripe's id map).",
      from: { path: "^src/services/" },
      to: { path: "^(node_modules/)?drizzle-orm(/(?!batch)|$)" },
    },
    {
      name: "durable-query-through-db",
      severity: "error",
      comment:
        "Durable Objects reach D1 through src/db's named (db, args) functions and batch the statements those " +
        "return (a batch's item type from drizzle-orm/batch is allowed); a table from src/db/schema.ts only as a " +
        "type. Their own SQLite storage is theirs (src/durable/kit/sql.ts).",
      from: { path: "^src/durable/" },
      to: { path: "^(node_modules/)?drizzle-orm(/(?!batch)|$)" },
    },
    {
      name: "tables-stay-in-db",
      severity: "error",
      comment:
        "A service or Durable Object that needs a D1 row's shape imports it from src/db/schema.ts as a type only: " +
        "with a table in hand a query could be built without drizzle's operators.",
      from: { path: "^src/(services|durable)/" },
      to: { path: "^src/db/schema\\.ts$", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "web-not-into-durable",
      severity: "error",
      comment: "The browser code takes the order's types from src/domain, never from a Durable Object's file.",
      from: { path: "^web/" },
      to: { path: "^src/durable/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    parser: "swc",
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
