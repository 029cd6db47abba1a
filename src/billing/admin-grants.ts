/**
 * An administrator granting or cancelling a user's subscription, without a payment. A grant extends the paid
 * period and tells the subscription workflow within one transaction, as a paid event does (`webhook.ts`); a
 * cancel asks the running workflow to end it now.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Db } from '../db';
import type { Config } from '../lib/config';
import { cancelSignal, subscriptionWorkflowId } from '../workflows/messages';
import { extendSubscription, startOrRenewSubscription } from './subscriptions';

export class NoRunningSubscription extends Error {
  constructor() {
    super('The user has no running subscription.');
    this.name = 'NoRunningSubscription';
  }
}

/** Starts or extends the plan; answers the period's end. Another plan being active is a `PlanConflictError`. */
export async function grantSubscription(
  db: Pick<Db, 'transaction'>,
  temporal: Client,
  config: Config,
  input: { userId: string; plan: string; periodEnd?: Date },
): Promise<Date> {
  return db.transaction(async (tx) => {
    const periodEnd = await extendSubscription(tx, { ...input, periodDays: config.billing.periodDays });
    await startOrRenewSubscription(temporal, config, { userId: input.userId, plan: input.plan, periodEnd });
    return periodEnd;
  });
}

/** Ends the user's subscription now: its proxies go back to the pool and the user to the free plan. */
export async function cancelSubscription(temporal: Client, userId: string): Promise<void> {
  try {
    const handle = temporal.workflow.getHandle(subscriptionWorkflowId(userId));
    if ((await handle.describe()).status.name !== 'RUNNING') throw new NoRunningSubscription();
    await handle.signal(cancelSignal);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new NoRunningSubscription();
    throw error;
  }
}
