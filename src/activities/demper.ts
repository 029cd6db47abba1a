import { cancellationSignal, heartbeat } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import { databaseClock } from '../db/clock';
import type { DemperConfig } from '../domain/demper-config';
import type { WorkingHours } from '../domain/check-schedule';
import type { WriteBucket } from '../domain/write-budget';
import { checkDueProducts, type CheckResult } from '../demper/check';
import { pushPendingChanges, type PushResult } from '../demper/push';
import { loadDemperStore } from '../demper/store';
import type { ActivityDeps } from './deps';
import { heartbeatingSleep } from './heartbeating-sleep';
import { storeGone } from './store-gone';
import { manyHeldAtFloor, pricePushesBanned } from '../demper/alerts';

/** What a loop learns at the start of each run: the store's durable state, and the worker's settings. */
export interface DemperLoopStart {
  store: { userId: string; pausedReason: string | null; config: DemperConfig } | null;
  settings: { heartbeatTimeoutSeconds: number; historyLimitEvents: number };
}

export interface CheckProductsInput {
  storeId: string;
  cycle: number;
  config: DemperConfig;
  writesBlocked: boolean;
}

export interface PushPriceChangesInput {
  storeId: string;
  /** For logs: the cycle the loop was in when it asked. */
  cycle: number;
  decisionMaxAgeSeconds: number;
  maxPushesPerSecond: number;
  bucket: WriteBucket;
  manualOnly: boolean;
  workingHours: WorkingHours | null;
}

export function createDemperActivities(deps: ActivityDeps) {
  const { db, config, logger } = deps;

  /** Heartbeats, and stops the activity between products once it was cancelled (or timed out). */
  const progress = (done: number) => {
    heartbeat({ done });
    if (cancellationSignal().aborted) throw new CancelledFailure(String(cancellationSignal().reason ?? 'cancelled'));
  };

  const storeOrGone = async (storeId: string) => {
    const store = await loadDemperStore(db, storeId);
    if (!store) throw storeGone(storeId);
    return store;
  };

  return {
    async loadDemperLoop({ storeId }: { storeId: string }): Promise<DemperLoopStart> {
      const store = await loadDemperStore(db, storeId);
      return {
        store: store && { userId: store.userId, pausedReason: store.pausedReason, config: store.config },
        settings: {
          heartbeatTimeoutSeconds: config.demper.heartbeatTimeoutSeconds,
          historyLimitEvents: config.demper.historyLimitEvents,
        },
      };
    },

    async checkProducts(input: CheckProductsInput): Promise<CheckResult> {
      const store = await storeOrGone(input.storeId);
      const result = await checkDueProducts(
        {
          db,
          channel: deps.readChannel,
          urls: config.kaspi,
          timeoutMs: config.kaspiClient.timeoutMs,
          logger: logger.child({ storeId: store.id, cycle: input.cycle }),
          batchSize: config.demper.batchSize,
          concurrency: config.demper.readConcurrency,
          now: await databaseClock(db),
          sleep: heartbeatingSleep,
          progress,
        },
        { store, cycle: input.cycle, config: input.config, writesBlocked: input.writesBlocked },
      );
      await manyHeldAtFloor(deps, store, result.heldAtFloor);
      return result;
    },

    async pushPriceChanges(input: PushPriceChangesInput): Promise<PushResult> {
      const store = await storeOrGone(input.storeId);
      const result = await pushPendingChanges(
        {
          db,
          keyring: deps.keyring,
          urls: config.kaspi,
          timeoutMs: config.kaspiClient.timeoutMs,
          logger: logger.child({ storeId: store.id, cycle: input.cycle }),
          budget: { limit: config.demper.changeBudget, windowSeconds: config.demper.changeBudgetWindowSeconds },
          now: await databaseClock(db),
          sleep: heartbeatingSleep,
          progress,
        },
        { ...input, merchantUid: store.merchantUid },
      );
      if (result.merchantThrottled && result.writesBlockedUntil) await pricePushesBanned(deps, store, result.writesBlockedUntil);
      return result;
    },
  };
}
