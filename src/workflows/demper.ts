/**
 * One store's demper loop (`demper:<storeId>`), alive while the store is connected. Each cycle checks
 * the products that are due (hottest first) in a few batch activities, then pushes the changes they
 * recorded in one paced, budgeted activity, and sleeps until the next product is due or a message
 * wakes it. Breakers for the merchant's writes (429) and for reads (no capacity) live here, so the
 * loop sends nothing to a surface that is shut. History stays small: activities return counts, and
 * the loop continues as new with its state when the history grows.
 */

import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  isCancellation,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  assertValidDemperConfig,
  decisionMaxAgeSeconds,
  DEFAULT_DEMPER_CONFIG,
  type DemperConfig,
} from '../domain/demper-config';
import { FULL_WRITE_BUCKET, type WriteBucket } from '../domain/write-budget';
import {
  configureUpdate,
  demperStatusQuery,
  pauseSignal,
  resumeSignal,
  STORE_GONE,
  STORE_ID_KEY,
  USER_ID_KEY,
  wakeSignal,
  type Breaker,
  type CycleSummary,
  type DemperStatus,
} from './messages';

export interface DemperWorkflowInput {
  storeId: string;
  userId: string;
  /** The state a previous run handed over (continue-as-new); absent on a fresh start. */
  carried?: DemperCarried;
}

export interface DemperCarried {
  cycle: number;
  /** Paused while set: why (the merchant, a lost session). */
  pausedReason: string | null;
  config: DemperConfig;
  breakers: Breaker[];
  lastCycle: CycleSummary | null;
  bucket: WriteBucket;
  nextCheckAt: string | null;
  manualPending: boolean;
  failuresInARow: number;
  /** Absent in state carried by runs from before it was counted. */
  pushesWithoutAvailabilities?: number;
}

/** Check batches per cycle; products still due after them start the next cycle at once. */
const MAX_BATCHES_PER_CYCLE = 20;
/** After an activity failed for good, the loop waits this long, doubling per failure in a row, at most the interval. */
const FAILURE_BACKOFF_MS = 5_000;

const { loadDemperLoop } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** A re-login may wait for another worker's login of the same merchant, then drive Chromium through it. */
const { checkStoreSession } = proxyActivities<Activities>({
  startToCloseTimeout: '4 minutes',
  retry: { initialInterval: '5 seconds', maximumAttempts: 3 },
});

export async function demperWorkflow(input: DemperWorkflowInput): Promise<void> {
  const { storeId } = input;
  const carried = input.carried;
  let cycle = carried?.cycle ?? 0;
  let pausedReason = carried?.pausedReason ?? null;
  const isPaused = () => pausedReason !== null;
  let config = carried?.config ?? DEFAULT_DEMPER_CONFIG;
  let configKnown = carried !== undefined;
  let breakers: Breaker[] = carried?.breakers ?? [];
  let lastCycle = carried?.lastCycle ?? null;
  let bucket = carried?.bucket ?? FULL_WRITE_BUCKET;
  let nextCheckAt = carried?.nextCheckAt ?? null;
  let manualPending = carried?.manualPending ?? false;
  let failuresInARow = carried?.failuresInARow ?? 0;
  let pushesWithoutAvailabilities = carried?.pushesWithoutAvailabilities ?? 0;
  let woken = false;
  let pauseTouched = false;

  const liveBreakers = () => breakers.filter((b) => Date.parse(b.until) > Date.now());
  const blockedUntil = (surface: Breaker['surface']): number | null => {
    const until = breakers.filter((b) => b.surface === surface).map((b) => Date.parse(b.until));
    const latest = Math.max(0, ...until);
    return latest > Date.now() ? latest : null;
  };
  const trip = (surface: Breaker['surface'], until: string, reason: string) => {
    breakers = [...liveBreakers().filter((b) => b.surface !== surface), { surface, until, reason }];
  };

  setHandler(pauseSignal, ({ reason }) => {
    pausedReason = reason;
    pauseTouched = true;
    woken = true;
  });
  setHandler(resumeSignal, () => {
    pausedReason = null;
    pauseTouched = true;
    woken = true;
  });
  setHandler(wakeSignal, ({ reason }) => {
    if (reason === 'manual_price' || reason === 'preorder') manualPending = true;
    woken = true;
  });
  setHandler(
    configureUpdate,
    (next) => {
      config = next;
      configKnown = true;
      woken = true;
      return next;
    },
    { validator: (next) => assertValidDemperConfig(next) },
  );
  setHandler(demperStatusQuery, (): DemperStatus => ({
    storeId,
    state: isPaused() ? 'paused' : 'running',
    pausedReason,
    cycle,
    lastCycle,
    nextCheckAt: isPaused() ? null : nextCheckAt,
    breakers: liveBreakers(),
    config,
    pushesWithoutAvailabilities,
  }));

  try {
    const start = await loadDemperLoop({ storeId });
    if (!start.store) return;
    if (!configKnown) config = start.store.config;
    if (!carried && !pauseTouched && start.store.pausedReason !== null) {
      pausedReason = start.store.pausedReason;
    }
    if (workflowInfo().typedSearchAttributes.get(STORE_ID_KEY) === undefined) {
      upsertSearchAttributes([
        { key: USER_ID_KEY, value: start.store.userId },
        { key: STORE_ID_KEY, value: storeId },
      ]);
    }

    const { checkProducts, pushPriceChanges } = proxyActivities<Activities>({
      startToCloseTimeout: '10 minutes',
      heartbeatTimeout: `${start.settings.heartbeatTimeoutSeconds} seconds`,
      retry: {
        initialInterval: '1 second',
        maximumInterval: '30 seconds',
        maximumAttempts: 5,
        nonRetryableErrorTypes: [STORE_GONE],
      },
    });

    /** Runs an activity; a failure that outlived its retries is counted and backed off, never fatal. */
    const attempt = async <T>(run: () => Promise<T>, summary: CycleSummary): Promise<T | null> => {
      try {
        const result = await run();
        failuresInARow = 0;
        return result;
      } catch (error) {
        if (isCancellation(error) || !(error instanceof ActivityFailure)) throw error;
        if (error.cause instanceof ApplicationFailure && error.cause.type === STORE_GONE) throw error;
        summary.errors++;
        failuresInARow++;
        const backoffMs = Math.min(FAILURE_BACKOFF_MS * 2 ** (failuresInARow - 1), config.intervalSeconds * 1000);
        nextCheckAt = new Date(Date.now() + backoffMs).toISOString();
        return null;
      }
    };

    const pushStep = async (summary: CycleSummary, manualOnly: boolean) => {
      const pushed = await attempt(
        () =>
          pushPriceChanges({
            storeId,
            cycle,
            decisionMaxAgeSeconds: decisionMaxAgeSeconds(config),
            maxPushesPerSecond: config.maxPushesPerSecond,
            bucket,
            manualOnly,
            workingHours: config.workingHours,
          }),
        summary,
      );
      if (!pushed) return;
      manualPending = false;
      bucket = pushed.bucket;
      nextCheckAt = pushed.nextDueAt;
      summary.changed += pushed.sent;
      summary.withoutAvailabilities = (summary.withoutAvailabilities ?? 0) + pushed.withoutAvailabilities;
      pushesWithoutAvailabilities += pushed.withoutAvailabilities;
      summary.deferred += pushed.deferred;
      summary.errors += pushed.failed;
      if (pushed.writesBlockedUntil)
        trip('writes', pushed.writesBlockedUntil, pushed.writesBlockedReason ?? 'writes blocked');
      if (pushed.sessionExpired) {
        // Kaspi refused the session: log in again with the remembered password if there is one (the
        // pushes go out next cycle). Otherwise the activity marks the store needs_reauth and pauses
        // this loop by signal, with the reason saved, so reconnecting the store resumes it; a check
        // that failed outright pauses nothing, and the next push meets the session again.
        await attempt(() => checkStoreSession({ storeId }), summary);
      }
    };

    // Pushes run beside the checks, across cycles: a contested product (batches come hottest first)
    // does not wait for the whole sweep, and the sweep does not wait for the paced pushes. One push
    // step runs at a time; changes recorded meanwhile go in the next one, right after it. Its counts
    // land in the cycle running when it finishes.
    let current = emptySummary(cycle);
    let pushing: Promise<void> | null = null;
    let pushAgain = false;
    /** What ended the push pump (cancellation, the store gone): the loop rethrows it and ends the same way. */
    let pumpFailure: unknown = null;
    const push = () => {
      if (pushing) {
        pushAgain = true;
        return;
      }
      pushing = (async () => {
        try {
          do {
            pushAgain = false;
            if (blockedUntil('writes') === null) await pushStep(current, false);
          } while (pushAgain && !isPaused());
        } catch (error) {
          pumpFailure = error;
        } finally {
          pushing = null;
        }
      })();
    };

    const runCycle = async () => {
      cycle++;
      const summary = emptySummary(cycle);
      current = summary;
      const writesBlocked = blockedUntil('writes') !== null;
      for (let batch = 0; batch < MAX_BATCHES_PER_CYCLE && blockedUntil('reads') === null; batch++) {
        const checked = await attempt(() => checkProducts({ storeId, cycle, config, writesBlocked }), summary);
        if (!checked) break;
        summary.checked += checked.checked;
        summary.heldAtFloor += checked.heldAtFloor;
        summary.errors += checked.errors;
        nextCheckAt = checked.nextDueAt;
        if (config.dryRun) summary.changed += checked.changed;
        else if (checked.changed > 0 && !writesBlocked) push();
        if (checked.readsBlockedUntil) {
          trip(
            'reads',
            checked.readsBlockedUntil,
            'no storefront read capacity (the address is banned or every proxy is busy)',
          );
          break;
        }
        if (!checked.moreDue) break;
      }
      if (manualPending && !writesBlocked) push();
      summary.finishedAt = new Date().toISOString();
      lastCycle = summary;
    };

    /** When the loop should look again; null: only when a message comes. */
    const nextWakeMs = (): number | null => {
      const now = Date.now();
      const writesUntil = blockedUntil('writes');
      if (isPaused()) {
        if (!manualPending) return null;
        if (writesUntil !== null) return writesUntil;
        return nextCheckAt === null ? now : Date.parse(nextCheckAt);
      }
      let at = nextCheckAt === null ? now + config.intervalSeconds * 1000 : Date.parse(nextCheckAt);
      const readsUntil = blockedUntil('reads');
      if (readsUntil !== null) at = Math.max(at, readsUntil);
      // Changes and manual prices wait for the merchant's writes to open again.
      if (writesUntil !== null) at = Math.min(at, writesUntil);
      return at;
    };

    /** Sleeps until the next product is due, a shut surface opens again, or a message wakes the loop. */
    const rest = async () => {
      const wakeAt = nextWakeMs();
      if (wakeAt === null) {
        await condition(() => woken || pumpFailure !== null);
        return;
      }
      const timeoutMs = wakeAt - Date.now();
      // At most one interval: a product switched on without a wake signal is still found.
      if (timeoutMs > 0)
        await condition(() => woken || pumpFailure !== null, Math.min(timeoutMs, config.intervalSeconds * 1000));
    };

    for (;;) {
      if (pumpFailure !== null) throw pumpFailure;
      const info = workflowInfo();
      if (info.continueAsNewSuggested || info.historyLength >= start.settings.historyLimitEvents) {
        await pushing;
        if (pumpFailure !== null) throw pumpFailure;
        await condition(allHandlersFinished);
        const state: DemperCarried = {
          cycle,
          pausedReason,
          config,
          breakers: liveBreakers(),
          lastCycle,
          bucket,
          nextCheckAt,
          manualPending,
          failuresInARow,
          pushesWithoutAvailabilities,
        };
        return await continueAsNew<typeof demperWorkflow>({ storeId, userId: input.userId, carried: state });
      }
      woken = false;
      if (!isPaused()) await runCycle();
      else {
        await pushing;
        // Paused: the merchant's own prices still go out, nothing else.
        if (manualPending && blockedUntil('writes') === null) await pushStep(emptySummary(cycle), true);
      }
      if (!woken) await rest();
    }
  } catch (error) {
    // Cancelled: the store was deleted or disconnected. Gone: the store row is no more.
    if (isCancellation(error)) return;
    if (
      error instanceof ActivityFailure &&
      error.cause instanceof ApplicationFailure &&
      error.cause.type === STORE_GONE
    )
      return;
    throw error;
  }
}

function emptySummary(cycle: number): CycleSummary {
  return {
    cycle,
    startedAt: new Date().toISOString(),
    finishedAt: null,
    checked: 0,
    changed: 0,
    heldAtFloor: 0,
    errors: 0,
    deferred: 0,
    withoutAvailabilities: 0,
  };
}
