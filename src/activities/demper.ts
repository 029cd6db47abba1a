/**
 * The demper loop's activities: what a run starts from, a check of the store's due products, and a push of
 * its pending price changes. Each loads the store afresh: one deleted or disconnected meanwhile ends the loop.
 */
import { cancellationSignal, Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { databaseClock } from '../db/clock';
import type { DemperConfig } from '../domain/demper-config';
import type { WorkingHours } from '../domain/check-schedule';
import type { ChangeBudget, WriteBucket } from '../domain/write-budget';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import { manyHeldAtFloor, pricePushesBanned } from '../demper/alerts';
import { checkDueProducts, type CheckResult } from '../demper/check';
import { pushPendingChanges, type PushResult } from '../demper/push';
import { loadDemperStore } from '../demper/store';
import { changesRecordedSignal } from '../workflows/messages';
import type { ActivityDeps } from './deps';
import { heartbeatingSleep, pacedHeartbeat } from './heartbeating-sleep';
import { storeGone } from './store-gone';

/** What a loop learns at the start of each run: the store's durable state, and the worker's settings. */
export interface DemperLoopStart {
  store: { userId: string; pausedReason: string | null; config: DemperConfig } | null;
  settings: { heartbeatTimeoutSeconds: number; historyLimitEvents: number };
}

export interface CheckProductsInput {
  storeId: string;
  cycle: number;
  /** The check batch within the cycle; absent from loops that ran before batches were told apart. */
  batch?: number;
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

function changeBudgetOf(config: Config): ChangeBudget {
  return { limit: config.demper.changeBudget, windowSeconds: config.demper.changeBudgetWindowSeconds };
}

export function createDemperActivities(deps: ActivityDeps) {
  const { db, config, logger } = deps;

  /** Heartbeats, and stops the activity between products once it was cancelled (or timed out). */
  const progress = (done: number) => {
    pacedHeartbeat({ done });
    if (cancellationSignal().aborted) throw new CancelledFailure(String(cancellationSignal().reason ?? 'cancelled'));
  };

  const storeOrGone = async (storeId: string) => {
    const store = await loadDemperStore(db, storeId);
    if (!store) throw storeGone(storeId);
    return store;
  };

  /** What a check and a push both run with: Kaspi, the database's clock, a logger naming the store and cycle, heartbeats. */
  const runDeps = async (storeId: string, cycle: number) => ({
    db,
    urls: config.kaspi,
    timeoutMs: config.kaspiClient.timeoutMs,
    logger: logger.child({ storeId, cycle }),
    now: await databaseClock(db),
    sleep: heartbeatingSleep,
    progress,
  });

  /**
   * Tells the loop running this activity that changes wait to be pushed. One signal is in flight at a
   * time; changes recorded meanwhile send one more after it. A signal that fails is only logged, and
   * `delivered()` says so: the loop then pushes what the batch recorded when the batch ends.
   */
  const loopNotifier = (log: Logger) => {
    const workflowId = Context.current().info.workflowExecution?.workflowId;
    if (workflowId === undefined)
      return { changesRecorded: () => undefined, settled: () => Promise.resolve(), delivered: () => false };
    const loop = deps.temporal.workflow.getHandle(workflowId);
    let sending: Promise<void> | null = null;
    let again = false;
    let failed = false;
    const send = (): Promise<void> =>
      loop
        .signal(changesRecordedSignal)
        .catch((error: unknown) => {
          failed = true;
          // The loop was stopped meanwhile: nothing is wrong, and a later run sends or drops what waits.
          if (error instanceof WorkflowNotFoundError) log.info('the loop ended while the batch ran; its changes wait');
          else log.warn({ err: error }, 'could not tell the loop that changes wait; they go out when the batch ends');
        })
        .then(() => {
          if (!again) return;
          again = false;
          return send();
        });
    return {
      changesRecorded: () => {
        if (sending) again = true;
        else sending = send().finally(() => (sending = null));
      },
      settled: () => sending ?? Promise.resolve(),
      delivered: () => !failed,
    };
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

    async checkProducts(input: CheckProductsInput): Promise<CheckResult & { changesSignalled: boolean }> {
      const store = await storeOrGone(input.storeId);
      const run = await runDeps(store.id, input.cycle);
      const loop = loopNotifier(run.logger);
      const result = await checkDueProducts(
        {
          ...run,
          changesRecorded: loop.changesRecorded,
          channel: deps.readChannel,
          batchSize: config.demper.batchSize,
          concurrency: config.demper.readConcurrency,
          budget: changeBudgetOf(config),
          readAheadSeconds: config.demper.readAheadSeconds,
        },
        {
          store,
          cycle: input.cycle,
          batch: input.batch ?? 0,
          config: input.config,
          writesBlocked: input.writesBlocked,
        },
      );
      await loop.settled();
      await manyHeldAtFloor(deps, store, result.heldAtFloor);
      return { ...result, changesSignalled: loop.delivered() };
    },

    async pushPriceChanges(input: PushPriceChangesInput): Promise<PushResult> {
      const store = await storeOrGone(input.storeId);
      const result = await pushPendingChanges(
        {
          ...(await runDeps(store.id, input.cycle)),
          keyring: deps.keyring,
          budget: changeBudgetOf(config),
          readAheadSeconds: config.demper.readAheadSeconds,
        },
        { ...input, userId: store.userId, merchantUid: store.merchantUid },
      );
      if (result.merchantThrottled && result.writesBlockedUntil)
        await pricePushesBanned(deps, store, result.writesBlockedUntil);
      return result;
    },
  };
}
