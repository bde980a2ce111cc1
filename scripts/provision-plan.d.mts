// Types of scripts/provision-plan.mjs for the TypeScript that imports it (test/provision-plan.test.ts).
export type D1Decl = { binding: string; database_name: string; database_id?: string; migrations_dir?: string };
export type Declared = {
  env: string;
  vars: Record<string, string>;
  d1: D1Decl[];
  queues: string[];
  r2: string[];
  ratelimits: { name: string; namespace_id?: string }[];
};
export type Remote = {
  d1: { name: string; uuid: string }[];
  queues: string[];
  r2: string[];
  secrets: string[] | null;
  pendingMigrations: Record<string, string[] | null>;
};
export type Step =
  | { kind: "create-d1"; binding: string; name: string; command: string[] }
  | { kind: "write-d1-id"; binding: string; name: string; id: string }
  | { kind: "create-queue"; name: string; command: string[] }
  | { kind: "create-r2"; name: string; command: string[] }
  | { kind: "migrate"; binding: string; pending: string[] | null; command: string[] }
  | { kind: "build"; command: string[] }
  | { kind: "deploy"; command: string[] }
  | { kind: "purge-pages"; path: string; tags: string[] };
export type Plan = { steps: Step[]; missingSecrets: string[]; problems: string[]; ready: boolean };

export const DEPLOY_KEY_PLACEHOLDER: string;
export const PURGE_PATH: string;
export const PURGED_TAGS: string[];
/** The deployed Worker's URL as `wrangler deploy` prints it (its workers.dev address or first route), or null. */
export function deployedUrl(output: string): string | null;
export function declaredQueues(queues: {
  producers?: { queue: string }[];
  consumers?: { queue: string; dead_letter_queue?: string }[];
}): string[];
export function planProvision(input: { declared: Declared; remote: Remote; deploy?: boolean }): Plan;
export function describePlan(plan: Plan, envName?: string): string[];
export function writeD1Id(toml: string, envName: string, binding: string, id: string): string;
export function queuesIn(output: string, wanted: string[]): string[];
export function bucketsIn(output: string): string[];
export function pendingIn(output: string): string[];
