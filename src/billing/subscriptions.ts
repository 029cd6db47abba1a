import type { Client } from '@temporalio/client';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { kaspiStores, products, subscriptions, users } from '../db/schema';
import { FREE_PLAN, planOf, productsToSwitchOff } from '../domain/plans';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import { recordAlert } from '../notify/alerts';
import { renewSignal, subscriptionWorkflowId, USER_ID_KEY } from '../workflows/messages';
import type { subscriptionWorkflow } from '../workflows/subscription';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export class PlanConflictError extends Error {
  constructor(readonly activePlan: string) {
    super(`the ${activePlan} plan is active; another plan can start when it ends`);
  }
}

/**
 * Records that `userId` has `plan` until a new period end, under a lock on the user's active
 * subscription so that payments arriving together each extend it once: the period runs from the
 * current end (or now) for `periodDays`, unless the caller names its end.
 */
export async function extendSubscription(
  tx: Tx,
  input: { userId: string; plan: string; periodEnd?: Date; periodDays: number },
): Promise<Date> {
  const [active] = await tx
    .select()
    .from(subscriptions)
    .where(and(eq(subscriptions.userId, input.userId), eq(subscriptions.status, 'active')))
    .for('update');
  if (active && active.plan !== input.plan) throw new PlanConflictError(active.plan);
  const [{ now }] = (await tx.execute<{ now: Date }>(sql`select now() as now`)).rows as [{ now: Date }];
  const from = Math.max(new Date(now).getTime(), active?.currentPeriodEnd.getTime() ?? 0);
  const periodEnd = input.periodEnd ?? new Date(from + input.periodDays * 86_400_000);
  if (active) {
    await tx.update(subscriptions).set({ currentPeriodEnd: periodEnd }).where(eq(subscriptions.id, active.id));
  } else {
    await tx
      .insert(subscriptions)
      .values({ userId: input.userId, plan: input.plan, status: 'active', currentPeriodEnd: periodEnd });
  }
  return periodEnd;
}

/** Starts the user's subscription workflow, or tells the running one about its new period end. */
export async function startOrRenewSubscription(
  temporal: Client,
  config: Config,
  input: { userId: string; plan: string; periodEnd: Date },
): Promise<string> {
  const workflowId = subscriptionWorkflowId(input.userId);
  const periodEnd = input.periodEnd.toISOString();
  await temporal.workflow.signalWithStart<typeof subscriptionWorkflow, [string]>('subscriptionWorkflow', {
    workflowId,
    taskQueue: config.temporal.taskQueue,
    args: [
      {
        userId: input.userId,
        plan: input.plan,
        periodEnd,
        shortageRetrySeconds: config.proxies.shortageRetrySeconds,
        heartbeatTimeoutSeconds: config.billing.heartbeatTimeoutSeconds,
      },
    ],
    signal: renewSignal,
    signalArgs: [periodEnd],
    typedSearchAttributes: [{ key: USER_ID_KEY, value: input.userId }],
  });
  return workflowId;
}

/**
 * Closes the user's active subscription. A period end that finds the subscription paid further
 * (a renewal got in first) closes nothing and answers the new end instead.
 */
export async function closeActiveSubscription(
  db: Db,
  userId: string,
  endedBy: 'expired' | 'cancelled',
): Promise<{ renewedUntil?: string }> {
  return db.transaction(async (tx) => {
    const [active] = await tx
      .select()
      .from(subscriptions)
      .where(and(eq(subscriptions.userId, userId), eq(subscriptions.status, 'active')))
      .for('update');
    if (!active) return {};
    const [{ renewed }] = (
      await tx.execute<{ renewed: boolean }>(
        sql`select ${active.currentPeriodEnd.toISOString()}::timestamptz > now() as renewed`,
      )
    ).rows as [{ renewed: boolean }];
    if (endedBy === 'expired' && renewed) return { renewedUntil: active.currentPeriodEnd.toISOString() };
    await tx
      .update(subscriptions)
      .set({ status: endedBy, ...(endedBy === 'cancelled' ? { cancelledAt: new Date() } : {}) })
      .where(eq(subscriptions.id, active.id));
    return {};
  });
}

/**
 * Puts the user back on the free plan — unless a subscription became active again meanwhile — and
 * switches off the products beyond the free plan's limit, least valuable first, telling the merchant.
 */
export async function downgradeToFree(
  db: Db,
  logger: Logger,
  input: { userId: string; fromPlan: string },
): Promise<{ switchedOff: number; skipped: boolean }> {
  const outcome = await db.transaction(async (tx) => {
    const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.id, input.userId)).for('update');
    if (!user) return { switchedOff: [] as string[], skipped: true };
    const [active] = await tx
      .select({ id: subscriptions.id })
      .from(subscriptions)
      .where(and(eq(subscriptions.userId, input.userId), eq(subscriptions.status, 'active')));
    if (active) return { switchedOff: [] as string[], skipped: true };
    await tx.update(users).set({ plan: FREE_PLAN }).where(eq(users.id, input.userId));
    const active_ = await tx
      .select({ id: products.id, priceTenge: products.price })
      .from(products)
      .innerJoin(kaspiStores, eq(kaspiStores.id, products.storeId))
      .where(and(eq(kaspiStores.userId, input.userId), isNull(kaspiStores.deletedAt), eq(products.active, true)));
    const off = productsToSwitchOff(active_, planOf(FREE_PLAN).maxActiveProducts);
    if (off.length > 0) await tx.update(products).set({ active: false }).where(inArray(products.id, off));
    return { switchedOff: off, skipped: false };
  });
  if (!outcome.skipped) {
    const limit = planOf(FREE_PLAN).maxActiveProducts;
    const products_ = outcome.switchedOff.length;
    await recordAlert(db, logger, {
      audience: 'user',
      userId: input.userId,
      kind: 'plan_downgraded',
      message:
        `Your ${planOf(input.fromPlan).title} plan has ended and you are on the free plan now (up to ${limit} active products).` +
        (products_ > 0
          ? ` The demper stopped watching ${products_} of your least valuable products; switch them on again after renewing.`
          : ''),
    });
  }
  return { switchedOff: outcome.switchedOff.length, skipped: outcome.skipped };
}
