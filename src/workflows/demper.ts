/**
 * One store's demper loop (`demper:<storeId>`), alive while the store is connected. Two loops run side by
 * side. The check loop runs the cycles: each checks the products that are due (hottest first) in a few batch
 * activities, then sleeps until the next product is due, a shut surface opens again, or a message wakes it.
 * The push loop sends the changes the checks recorded, in paced, budgeted activities, one step at a time:
 * a batch signals the changes it records (`changesRecorded`), so they go out while it reads on.
 * What the loops know lives in `DemperState`, with the breakers for the merchant's writes (429) and for
 * reads (no capacity), so nothing is sent to a surface that is shut. History stays small: activities return
 * counts, and the loop continues as new with its state when the history grows.
 */

import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { assertValidDemperConfig, decisionMaxAgeSeconds } from '../domain/demper-config';
import { DemperState, type DemperCarried } from './demper-state';
import {
  changesRecordedSignal,
  configureUpdate,
  demperStatusQuery,
  pauseSignal,
  resumeSignal,
  STORE_GONE,
  STORE_ID_KEY,
  USER_ID_KEY,
  wakeSignal,
  type CycleSummary,
} from './messages';

export interface DemperWorkflowInput {
  storeId: string;
  userId: string;
  /** The state a previous run handed over (continue-as-new); absent on a fresh start. */
  carried?: DemperCarried;
}

/** Check batches per cycle; products still due after them start the next cycle at once. */
const MAX_BATCHES_PER_CYCLE = 20;

const { loadDemperLoop } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** A re-login may wait for another worker's login of the same merchant, then drive Chromium through it. */
const { checkStoreSession } = proxyActivities<Activities>({
  startToCloseTimeout: '4 minutes',
  retry: { initialInterval: '5 seconds', maximumAttempts: 3 },
});

/** The push loop goes on after a request that found the writes shut (`patched()`, CONTRIBUTING.md). */
const PUSH_LOOP_SURVIVES_SHUT_WRITES = 'demper-push-loop-survives-shut-writes';

export async function demperWorkflow(input: DemperWorkflowInput): Promise<void> {
  const { storeId } = input;
  const state = DemperState.from(input.carried);

  setHandler(pauseSignal, ({ reason }) => state.pause(reason));
  setHandler(resumeSignal, () => state.resume());
  setHandler(wakeSignal, ({ reason }) => state.wake(reason));
  setHandler(configureUpdate, (next) => state.configure(next), {
    validator: (next) => assertValidDemperConfig(next),
  });
  setHandler(demperStatusQuery, () => state.status(storeId));

  try {
    const start = await loadDemperLoop({ storeId });
    if (!start.store) return;
    state.adoptStore(start.store);
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

    // Pushes run beside the checks, across cycles: a contested product (batches come hottest first) does
    // not wait for the whole sweep, and the sweep does not wait for the paced pushes. One push step runs at
    // a time; changes recorded meanwhile go in the next one, right after it. A step's counts land in the
    // cycle that was running when it started.
    let current = emptySummary(state.cycle);
    /** A push step was asked for and the push loop has not started it yet. */
    let pushWanted = false;
    /** `ended`: pushing stopped for the rest of the run (see the push loop). */
    let pushLoopAt: 'idle' | 'pushing' | 'ended' = 'idle';
    /** What ended a run of push steps (cancellation, the store gone): the check loop rethrows it and ends the same way. */
    let pushFailure: unknown = null;

    const checkLoop = async () => {
      for (;;) {
        if (pushFailure !== null) throw pushFailure;
        const info = workflowInfo();
        if (info.continueAsNewSuggested || info.historyLength >= start.settings.historyLimitEvents) {
          await pushesIdle();
          if (pushFailure !== null) throw pushFailure;
          await condition(allHandlersFinished);
          return await continueAsNew<typeof demperWorkflow>({ storeId, userId: input.userId, carried: state.carry() });
        }
        state.woken = false;
        if (!state.paused) await runCycle();
        else {
          // Paused: the merchant's own prices still go out, nothing else. A pause ends the push loop's run
          // after its step in flight; this loop sends them itself once that step is done.
          await pushesIdle();
          if (state.manualPending && state.blockedUntil('writes') === null) {
            await pushStep(emptySummary(state.cycle), true);
          }
        }
        if (!state.woken) await rest();
      }
    };

    const pushLoop = async () => {
      for (;;) {
        try {
          await condition(() => pushWanted);
        } catch {
          // Only the workflow's cancellation interrupts the wait; the check loop meets it too and ends the run.
          return;
        }
        if (state.blockedUntil('writes') !== null) {
          // Asked while idle, but a step earlier in this cycle shut the writes: the request is dropped, and
          // the next one after the writes open again is served. Runs from before this was mended stopped
          // pushing here for the rest of the run; their histories replay that way.
          pushWanted = false;
          if (patched(PUSH_LOOP_SURVIVES_SHUT_WRITES)) continue;
          pushLoopAt = 'ended';
          return;
        }
        pushLoopAt = 'pushing';
        try {
          do {
            pushWanted = false;
            if (state.blockedUntil('writes') === null) await pushStep(current, false);
          } while (pushWanted && !state.paused);
        } catch (error) {
          pushFailure = error;
        }
        // A request that a pause cut off is dropped: paused, only manual prices go out, and the check loop
        // sends those.
        pushWanted = false;
        pushLoopAt = 'idle';
      }
    };

    /**
     * Asks the push loop for a step. True when the loop was idle: the caller then awaits `pushStarted()`, so
     * the step goes out before the check loop's next activity or timer, in the order running histories hold.
     */
    const askForPush = (): boolean => {
      pushWanted = true;
      return pushLoopAt === 'idle';
    };
    const pushStarted = () => condition(() => !pushWanted);
    // A batch that recorded changes says so while it reads on: they go out now, not when it ends.
    setHandler(changesRecordedSignal, () => {
      if (!state.paused && !state.config.dryRun && state.blockedUntil('writes') === null) askForPush();
    });
    /** Waits until no push step is in flight. */
    const pushesIdle = () => condition(() => pushLoopAt !== 'pushing');

    const runCycle = async () => {
      state.cycle++;
      const summary = emptySummary(state.cycle);
      current = summary;
      const writesBlocked = state.blockedUntil('writes') !== null;
      for (let batch = 0; batch < MAX_BATCHES_PER_CYCLE && state.blockedUntil('reads') === null; batch++) {
        const checked = await attempt(
          () => checkProducts({ storeId, cycle: state.cycle, batch, config: state.config, writesBlocked }),
          summary,
        );
        if (!checked) break;
        state.recordCheck(summary, checked);
        // Changes the batch signalled went out as it read; a loop that missed a signal sends them now.
        const unsent = checked.changed > 0 && checked.changesSignalled !== true;
        if (!state.config.dryRun && unsent && !writesBlocked && askForPush()) await pushStarted();
        if (checked.readsBlockedUntil || !checked.moreDue) break;
      }
      if (state.manualPending && !writesBlocked && askForPush()) await pushStarted();
      summary.finishedAt = new Date().toISOString();
      state.lastCycle = summary;
    };

    /** Sleeps until the next product is due, a shut surface opens again, or a message wakes the loop. */
    const rest = async () => {
      const wakeAt = state.nextWakeMs();
      const woken = () => state.woken || pushFailure !== null;
      if (wakeAt === null) {
        await condition(woken);
        return;
      }
      const timeoutMs = wakeAt - Date.now();
      // At most one interval: a product switched on without a wake signal is still found.
      if (timeoutMs > 0) await condition(woken, Math.min(timeoutMs, state.config.intervalSeconds * 1000));
    };

    const pushStep = async (summary: CycleSummary, manualOnly: boolean) => {
      const pushed = await attempt(
        () =>
          pushPriceChanges({
            storeId,
            cycle: state.cycle,
            decisionMaxAgeSeconds: decisionMaxAgeSeconds(state.config),
            maxPushesPerSecond: state.config.maxPushesPerSecond,
            bucket: state.bucket,
            manualOnly,
            workingHours: state.config.workingHours,
          }),
        summary,
      );
      if (!pushed) return;
      state.recordPush(summary, pushed);
      if (pushed.sessionExpired) {
        // Kaspi refused the session: log in again with the remembered password if there is one (the
        // pushes go out next cycle). Otherwise the activity marks the store needs_reauth and pauses
        // this loop by signal, with the reason saved, so reconnecting the store resumes it; a check
        // that failed outright pauses nothing, and the next push meets the session again.
        await attempt(() => checkStoreSession({ storeId }), summary);
      }
    };

    /** Runs an activity; a failure that outlived its retries is counted and backed off, never fatal. */
    const attempt = async <T>(run: () => Promise<T>, summary: CycleSummary): Promise<T | null> => {
      try {
        const result = await run();
        state.activitySucceeded();
        return result;
      } catch (error) {
        if (isCancellation(error) || !(error instanceof ActivityFailure)) throw error;
        if (error.cause instanceof ApplicationFailure && error.cause.type === STORE_GONE) throw error;
        state.activityFailed(summary);
        return null;
      }
    };

    await Promise.all([checkLoop(), pushLoop()]);
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
