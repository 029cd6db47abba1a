import { eq } from 'drizzle-orm';
import { subscriptions, users } from '../db/schema';
import { closeActiveSubscription, downgradeToFree } from '../billing/subscriptions';
import type { ProxyModule } from '../domain/plans';
import { recordAlert } from '../notify/alerts';
import { allocateProxies, releaseProxies } from '../proxies/pool';
import type { ActivityDeps } from './deps';
import { whileHeartbeating } from './heartbeating';

/**
 * The steps of `subscriptionWorkflow`; each is safe to repeat. Allocation and release heartbeat while
 * they run, so one whose worker died runs again within `SUBSCRIPTION_HEARTBEAT_TIMEOUT_SECONDS`.
 */
export function createSubscriptionActivities({ db, logger }: Pick<ActivityDeps, 'db' | 'logger'>) {
  return {
    /** Tops the user's proxies for the module up to `count` (a repeat takes only what is missing). */
    async allocateModuleProxies(input: { userId: string; module: ProxyModule; count: number }) {
      return whileHeartbeating(() => allocateProxies(db, input));
    },

    /** Gives the module's proxies back to the free pool; nothing allocated is fine. */
    async releaseModuleProxies(input: { userId: string; module: ProxyModule }): Promise<number> {
      return whileHeartbeating(() => releaseProxies(db, input));
    },

    /** Puts the plan's limits in force and makes sure the subscription is on record. */
    async activatePlan(input: { userId: string; plan: string; periodEnd: string }): Promise<void> {
      await db.transaction(async (tx) => {
        await tx.update(users).set({ plan: input.plan }).where(eq(users.id, input.userId));
        await tx
          .insert(subscriptions)
          .values({
            userId: input.userId,
            plan: input.plan,
            status: 'active',
            currentPeriodEnd: new Date(input.periodEnd),
          })
          .onConflictDoNothing();
      });
    },

    async closeSubscription(input: { userId: string; endedBy: 'expired' | 'cancelled' }) {
      return closeActiveSubscription(db, input.userId, input.endedBy);
    },

    async downgradeToFree(input: { userId: string; plan: string }) {
      return downgradeToFree(db, logger, { userId: input.userId, fromPlan: input.plan });
    },

    async alertAdmins(input: { kind: string; message: string }): Promise<void> {
      await recordAlert(db, logger, { audience: 'admin', ...input });
    },
  };
}
