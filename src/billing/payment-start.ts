/**
 * A merchant starting a payment for a plan. One plan is active at a time: the active plan may be renewed,
 * and another chosen only once it ends, so a payment for a different plan is refused before it is recorded.
 */
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db';
import { payments, subscriptions } from '../db/schema';
import { PLANS, type PlanName } from '../domain/plans';

export class OtherPlanActive extends Error {
  constructor(readonly plan: string) {
    super(`The ${plan} plan is active; you can renew it, or choose another plan when it ends.`);
    this.name = 'OtherPlanActive';
  }
}

/** Records a pending payment of the plan's monthly price. */
export async function startPayment(db: Pick<Db, 'select' | 'insert'>, userId: string, planName: PlanName) {
  const [active] = await db
    .select({ plan: subscriptions.plan })
    .from(subscriptions)
    .where(and(eq(subscriptions.userId, userId), eq(subscriptions.status, 'active')));
  if (active && active.plan !== planName) throw new OtherPlanActive(active.plan);
  const plan = PLANS[planName];
  const [payment] = await db
    .insert(payments)
    .values({ userId, plan: plan.name, amount: plan.monthlyPriceTenge })
    .returning();
  return payment!;
}
