import {
  condition,
  continueAsNew,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { failureOf } from './failures';
import { ordersPollStatusQuery, pollNowSignal, type OrdersPollState, type OrdersPollStatus } from './messages';

const { deliverStoreNotifications, alertStoreOwner } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumAttempts: 3 },
});

export interface OrdersPollInput {
  storeId: string;
  /** `ORDERS_HEARTBEAT_TIMEOUT_SECONDS`: how soon a poll whose worker died runs again elsewhere. */
  heartbeatTimeoutSeconds: number;
  /** Carried across continue-as-new. */
  state?: OrdersPollState;
}

/** Runs continue as new after this many polls even if Temporal does not ask, to keep histories short. */
const POLLS_PER_RUN = 500;
/** `ORDERS_POLL_INTERVAL`'s default, for the wait after a failed poll (a poll that worked says the worker's setting). */
const FALLBACK_INTERVAL_SECONDS = 600;

/**
 * The orders of one store (`orders:<storeId>`), while it has a Shop API token: every
 * `ORDERS_POLL_INTERVAL` (or at once on `pollNow`) one heartbeating activity reads the orders changed
 * since the watermark and stores them with the messages they call for; the store's sender then sends
 * what is due, and the loop wakes again for the next poll or for the next message waiting for its time
 * (working hours, a review request). Only the watermark and counters cross continue-as-new. Ends when
 * the store is deleted or loses its token, or when cancelled.
 */
export async function ordersPollWorkflow(input: OrdersPollInput): Promise<OrdersPollState> {
  const state: OrdersPollState = input.state ?? {
    watermarkMs: null,
    baselineDone: false,
    counters: { polls: 0, newOrders: 0, statusChanges: 0, messagesQueued: 0, messagesSent: 0 },
    lastPollAt: null,
  };
  const { pollOrders } = proxyActivities<Activities>({
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: `${input.heartbeatTimeoutSeconds} seconds`,
    retry: {
      initialInterval: '2 seconds',
      maximumInterval: '1 minute',
      maximumAttempts: 5,
      nonRetryableErrorTypes: ['KaspiSessionExpired', 'KaspiBadRequest'],
    },
  });
  let phase: OrdersPollStatus['phase'] = 'polling';
  let pollRequested = true;
  let nextPollAtMs: number | null = null;
  let lastError: string | null = null;
  let tokenRefused = false;
  let pollsThisRun = 0;

  setHandler(pollNowSignal, () => {
    pollRequested = true;
  });
  setHandler(ordersPollStatusQuery, (): OrdersPollStatus => ({
    storeId: input.storeId,
    ...state,
    phase,
    nextPollAt: nextPollAtMs === null ? null : new Date(nextPollAtMs).toISOString(),
    lastError,
  }));

  try {
    for (;;) {
      if (pollRequested || Date.now() >= (nextPollAtMs ?? 0)) {
        pollRequested = false;
        phase = 'polling';
        let intervalSeconds = FALLBACK_INTERVAL_SECONDS;
        try {
          const result = await pollOrders({
            storeId: input.storeId,
            watermarkMs: state.watermarkMs,
            baseline: !state.baselineDone,
          });
          intervalSeconds = result.intervalSeconds;
          if (result.outcome !== 'polled') {
            log.info('orders poll ends', { storeId: input.storeId, outcome: result.outcome });
            phase = 'stopped';
            return state;
          }
          state.watermarkMs = result.watermarkMs;
          state.baselineDone = true;
          state.counters.polls++;
          state.counters.newOrders += result.newOrders;
          state.counters.statusChanges += result.statusChanges;
          state.counters.messagesQueued += result.queued;
          state.lastPollAt = new Date().toISOString();
          lastError = null;
          tokenRefused = false;
        } catch (error) {
          if (isCancellation(error)) throw error;
          const failure = failureOf(error);
          lastError = `${failure.type}: ${failure.message}`;
          log.warn('orders poll failed', { storeId: input.storeId, error: lastError });
          if (failure.type === 'KaspiSessionExpired' && !tokenRefused) {
            tokenRefused = true;
            await alertStoreOwner({
              storeId: input.storeId,
              kind: 'shop_api_token_refused',
              message:
                'Kaspi refused the Shop API token of your store, so its orders are not being read. Set a new token.',
              link: `/api/v1/stores/${input.storeId}`,
            });
          }
        }
        pollsThisRun++;
        nextPollAtMs = Date.now() + intervalSeconds * 1000;
      }

      const delivery = await deliverStoreNotifications({ storeId: input.storeId });
      state.counters.messagesSent += delivery.sent;

      if (pollsThisRun >= POLLS_PER_RUN || workflowInfo().continueAsNewSuggested) {
        await continueAsNew<typeof ordersPollWorkflow>({ ...input, state });
      }
      phase = 'waiting';
      const wakeAtMs = Math.min(nextPollAtMs!, delivery.nextAttemptAtMs ?? Number.POSITIVE_INFINITY);
      await condition(() => pollRequested, Math.max(1, wakeAtMs - Date.now()));
    }
  } catch (error) {
    if (!isCancellation(error)) throw error;
    log.info('orders poll cancelled', { storeId: input.storeId });
    phase = 'stopped';
    return state;
  }
}
