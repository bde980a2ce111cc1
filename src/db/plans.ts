/** Queries on the subscription plans the shop sells (`plans`), as the console manages them. */
import { asc, eq } from "drizzle-orm";
import type { Db } from "./client";
import { plans, subscriptions } from "./schema";

export type PlanRow = typeof plans.$inferSelect;
type NewPlan = typeof plans.$inferInsert;

/** Every plan, on sale or not, cheapest first (ties by id, so the order is stable): what admins manage. */
export async function listAllPlans(db: Db): Promise<PlanRow[]> {
  return db.select().from(plans).orderBy(asc(plans.priceCents), asc(plans.id));
}

/** The new plan's row, or undefined when a plan with its id exists. */
export async function insertPlanIfNew(db: Db, values: NewPlan): Promise<PlanRow | undefined> {
  const [row] = await db.insert(plans).values(values).onConflictDoNothing({ target: plans.id }).returning();
  return row;
}

/** The changed plan's row, or undefined when there is no such plan. */
export async function updatePlan(
  db: Db,
  args: { id: string; change: Partial<Omit<NewPlan, "id">> },
): Promise<PlanRow | undefined> {
  const [row] = await db.update(plans).set(args.change).where(eq(plans.id, args.id)).returning();
  return row;
}

/** True when anyone ever subscribed to the plan (its history keeps it). */
export async function planHasSubscriptions(db: Db, planId: string): Promise<boolean> {
  const used = await db
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(eq(subscriptions.planId, planId))
    .limit(1)
    .get();
  return used !== undefined;
}

/** True when the plan was there and is now deleted. */
export async function deletePlan(db: Db, planId: string): Promise<boolean> {
  const [row] = await db.delete(plans).where(eq(plans.id, planId)).returning({ id: plans.id });
  return row !== undefined;
}
