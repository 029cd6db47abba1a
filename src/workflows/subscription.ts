import {
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { PROXY_MODULES, planOf, planProxySplit, type ProxyModule } from '../domain/plans';
import {
  cancelSignal,
  renewSignal,
  subscriptionStatusQuery,
  type ModuleProxies,
  type SubscriptionState,
  type SubscriptionStatus,
} from './messages';

/** Allocation gives up after a few tries, so a broken allocation is undone instead of hanging the payment. */
const ALLOCATION_RETRY = { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 4 };
/** Releases, downgrades and bookkeeping must eventually happen: they retry until they do. */
const UNTIL_DONE_RETRY = { initialInterval: '1 second', maximumInterval: '1 minute' };
const { activatePlan, closeSubscription, downgradeToFree, alertAdmins } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: UNTIL_DONE_RETRY,
});
/** `SUBSCRIPTION_HEARTBEAT_TIMEOUT_SECONDS`'s default, for runs started before it was passed in. */
const DEFAULT_HEARTBEAT_TIMEOUT_SECONDS = 30;

export interface SubscriptionInput {
  userId: string;
  plan: string;
  /** ISO 8601; the period ends then unless renewed. */
  periodEnd: string;
  /** While a plan's proxies are short, how often to try to allocate the rest. */
  shortageRetrySeconds: number;
  /** `SUBSCRIPTION_HEARTBEAT_TIMEOUT_SECONDS`: how soon an allocation or release whose worker died runs again. */
  heartbeatTimeoutSeconds?: number;
}

export interface SubscriptionResult {
  userId: string;
  plan: string;
  endedBy: 'expired' | 'cancelled';
}

/**
 * One paid subscription's life (`subscription:<userId>`), as a saga: allocate each module's proxies
 * (the release registered before each allocation), activate the plan's limits, wait for the period's
 * end, a renewal or a cancel, then run the releases where cancellation cannot stop them and go back
 * to the free plan. A shortage of proxies does not hold the plan back: it starts with what the pool
 * had, keeps trying for the rest, and tells the administrators.
 */
export async function subscriptionWorkflow(input: SubscriptionInput): Promise<SubscriptionResult> {
  const { userId, plan } = input;
  // Allocations and releases heartbeat: the proxies wait on them, so a dead worker is noticed at once.
  const heartbeatTimeout = `${input.heartbeatTimeoutSeconds ?? DEFAULT_HEARTBEAT_TIMEOUT_SECONDS} seconds`;
  const allocation = proxyActivities<Activities>({
    startToCloseTimeout: '1 minute',
    heartbeatTimeout,
    retry: ALLOCATION_RETRY,
  });
  const { releaseModuleProxies } = proxyActivities<Activities>({
    startToCloseTimeout: '1 minute',
    heartbeatTimeout,
    retry: UNTIL_DONE_RETRY,
  });
  let periodEndMs = Date.parse(input.periodEnd);
  let cancelRequested = false;
  let state: SubscriptionState = 'activating';
  const split = planProxySplit(planOf(plan));
  const proxies = Object.fromEntries(PROXY_MODULES.map((m) => [m, { wanted: split[m], held: 0 }])) as Record<
    ProxyModule,
    ModuleProxies
  >;

  setHandler(renewSignal, (periodEnd) => {
    const ms = Date.parse(periodEnd);
    if (Number.isFinite(ms)) periodEndMs = Math.max(periodEndMs, ms);
  });
  setHandler(cancelSignal, () => {
    cancelRequested = true;
  });
  setHandler(subscriptionStatusQuery, (): SubscriptionStatus => ({
    userId,
    plan,
    state,
    periodEnd: new Date(periodEndMs).toISOString(),
    cancelRequested,
    proxies,
  }));

  const compensations: (() => Promise<unknown>)[] = [];
  const end = async (endedBy: SubscriptionResult['endedBy'], restartIfRenewed = true): Promise<SubscriptionResult> => {
    state = 'ending';
    const periodEndAtClose = periodEndMs;
    await CancellationScope.nonCancellable(async () => {
      for (const compensate of compensations) await compensate();
      for (const module of PROXY_MODULES) proxies[module].held = 0;
      await downgradeToFree({ userId, plan });
    });
    state = 'ended';
    // Paid again while the old period was being closed: start over with the new period.
    if (restartIfRenewed && !cancelRequested && periodEndMs > periodEndAtClose && periodEndMs > Date.now()) {
      await continueAsNew<typeof subscriptionWorkflow>({ ...input, periodEnd: new Date(periodEndMs).toISOString() });
    }
    return { userId, plan, endedBy };
  };

  const allocateMissing = async () => {
    for (const module of PROXY_MODULES) {
      const { wanted, held } = proxies[module];
      if (wanted === 0 || held >= wanted) continue;
      if (held === 0) compensations.unshift(() => releaseModuleProxies({ userId, module }));
      proxies[module].held = (await allocation.allocateModuleProxies({ userId, module, count: wanted })).held;
    }
  };
  const shortage = () => PROXY_MODULES.filter((m) => proxies[m].held < proxies[m].wanted);

  try {
    try {
      await allocateMissing();
      await activatePlan({ userId, plan, periodEnd: new Date(periodEndMs).toISOString() });
    } catch (err) {
      if (isCancellation(err)) throw err;
      log.error('subscription activation failed; undoing it', { userId, plan });
      await CancellationScope.nonCancellable(async () => {
        await alertAdmins({
          kind: 'subscription_activation_failed',
          message: `The ${plan} subscription of user ${userId} could not be activated and was undone: ${(err as Error).message}`,
        });
        await closeSubscription({ userId, endedBy: 'cancelled' });
      });
      await end('cancelled', false);
      throw ApplicationFailure.nonRetryable(
        `activation of the ${plan} plan failed and was undone`,
        'SubscriptionActivationFailed',
      );
    }
    const startedShort = shortage();
    if (startedShort.length > 0) {
      const detail = startedShort.map((m) => `${m} ${proxies[m].held}/${proxies[m].wanted}`).join(', ');
      await alertAdmins({
        kind: 'proxy_shortage',
        message: `User ${userId}'s ${plan} plan started short of proxies (${detail}); retrying every ${input.shortageRetrySeconds} s.`,
      });
    }
    state = 'active';

    for (;;) {
      const short = shortage();
      const untilEndMs = periodEndMs - Date.now();
      const waitMs = short.length > 0 ? Math.min(untilEndMs, input.shortageRetrySeconds * 1000) : untilEndMs;
      if (waitMs > 0) await condition(() => cancelRequested, waitMs);
      if (cancelRequested) {
        await closeSubscription({ userId, endedBy: 'cancelled' });
        return await end('cancelled');
      }
      if (Date.now() >= periodEndMs) {
        const closing = await closeSubscription({ userId, endedBy: 'expired' });
        if (closing.renewedUntil) {
          periodEndMs = Math.max(periodEndMs, Date.parse(closing.renewedUntil));
          continue;
        }
        return await end('expired');
      }
      if (short.length > 0) {
        try {
          await allocateMissing();
        } catch (err) {
          if (isCancellation(err)) throw err;
          // The plan runs on what it holds; the next retry tries again.
          log.warn('topping up proxies failed', { userId, error: (err as Error).message });
        }
      }
      if (workflowInfo().continueAsNewSuggested) {
        await continueAsNew<typeof subscriptionWorkflow>({ ...input, periodEnd: new Date(periodEndMs).toISOString() });
      }
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // Cancelled from Temporal itself (an operator): close and undo like a cancel, then stay cancelled.
    await CancellationScope.nonCancellable(() => closeSubscription({ userId, endedBy: 'cancelled' }));
    cancelRequested = true;
    await end('cancelled');
    throw err;
  }
}
