/**
 * The one way to start, stop, pause, resume, configure and look at a store's demper loop
 * (`demperWorkflow`, id `demper:<storeId>`): used by the API, by the store connection (connect,
 * reconnect, delete) and by activities that must pause a loop. The store row keeps the durable part
 * (configuration, why it is paused), so a loop started again picks it up.
 */

import { type Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { kaspiStores, products } from '../db/schema';
import { completeDemperConfig, type DemperConfig } from '../domain/demper-config';
import type { Config } from '../lib/config';
import { demperWorkflow } from '../workflows/demper';
import {
  configureUpdate,
  demperStatusQuery,
  demperWorkflowId,
  PAUSED_BY_MERCHANT,
  pauseSignal,
  resumeSignal,
  storeSearchAttributes,
  wakeSignal,
  type DemperStatus,
  type WakeReason,
} from '../workflows/messages';

export interface DemperControlDeps {
  temporal: Client;
  db: Db;
  config: Pick<Config, 'temporal'>;
}

export { demperWorkflowId };

/** How long the API waits for a loop to answer a query or an update before saying it is unavailable. */
const ANSWER_DEADLINE_MS = 5_000;

/** Starts the store's loop, or wakes the running one: safe to call again (connect, reconnect). */
export async function startDemper(deps: DemperControlDeps, store: { id: string; userId: string }): Promise<void> {
  await deps.temporal.workflow.signalWithStart(demperWorkflow, {
    workflowId: demperWorkflowId(store.id),
    taskQueue: deps.config.temporal.taskQueue,
    args: [{ storeId: store.id, userId: store.userId }],
    signal: wakeSignal,
    signalArgs: [{ reason: 'started' }],
    typedSearchAttributes: storeSearchAttributes(store),
  });
}

/** Stops the loop for good (the store was deleted or disconnected); a loop that is not running is fine. */
export async function stopDemper(deps: DemperControlDeps, storeId: string): Promise<void> {
  try {
    await deps.temporal.workflow.getHandle(demperWorkflowId(storeId)).cancel();
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
}

/** Pauses the loop and records why; a loop started later begins paused. */
export async function pauseDemper(
  deps: DemperControlDeps,
  storeId: string,
  reason = PAUSED_BY_MERCHANT,
): Promise<void> {
  await deps.db.update(kaspiStores).set({ demperPausedReason: reason }).where(eq(kaspiStores.id, storeId));
  await signalIfRunning(deps, storeId, (handle) => handle.signal(pauseSignal, { reason }));
}

export async function resumeDemper(deps: DemperControlDeps, storeId: string): Promise<void> {
  await deps.db.update(kaspiStores).set({ demperPausedReason: null }).where(eq(kaspiStores.id, storeId));
  await signalIfRunning(deps, storeId, (handle) => handle.signal(resumeSignal));
}

/** Asks a running loop to look at the products now; false when the loop is not running. */
export async function wakeDemper(deps: DemperControlDeps, storeId: string, reason: WakeReason): Promise<boolean> {
  return signalIfRunning(deps, storeId, (handle) => handle.signal(wakeSignal, { reason }));
}

export async function isDemperRunning(deps: DemperControlDeps, storeId: string): Promise<boolean> {
  try {
    const description = await deps.temporal.workflow.getHandle(demperWorkflowId(storeId)).describe();
    return description.status.name === 'RUNNING';
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

export class DemperUnavailableError extends Error {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(detail, options);
    this.name = 'DemperUnavailableError';
  }
}

export class DemperRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DemperRejectedError';
  }
}

/**
 * Saves a store's configuration and hands it to the running loop, which applies it from its next
 * cycle. The loop validates it again (the `configure` update's validator).
 */
export async function configureDemper(
  deps: DemperControlDeps,
  storeId: string,
  config: DemperConfig,
): Promise<DemperConfig> {
  await deps.db.update(kaspiStores).set({ demperConfig: config }).where(eq(kaspiStores.id, storeId));
  // Checks scheduled under longer intervals come no later than the new quiet interval allows.
  await deps.db
    .update(products)
    .set({ nextCheckAt: sql`least(${products.nextCheckAt}, now() + make_interval(secs => ${config.intervalSeconds}))` })
    .where(and(eq(products.storeId, storeId), eq(products.active, true)));
  if (!(await isDemperRunning(deps, storeId))) return config;
  try {
    return await deps.temporal.withDeadline(Date.now() + ANSWER_DEADLINE_MS, () =>
      deps.temporal.workflow.getHandle(demperWorkflowId(storeId)).executeUpdate(configureUpdate, { args: [config] }),
    );
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
      throw new DemperRejectedError(error.cause.message);
    }
    if (error instanceof WorkflowNotFoundError) return config;
    throw new DemperUnavailableError(
      'the demper loop did not take the configuration in time; it is saved and applies when the loop runs',
      {
        cause: error,
      },
    );
  }
}

export type DemperStatusView = Omit<DemperStatus, 'state'> & { state: DemperStatus['state'] | 'stopped' };

/** The running loop's own status, or — when no loop runs — what the store row says. */
export async function demperStatus(deps: DemperControlDeps, storeId: string): Promise<DemperStatusView> {
  if (await isDemperRunning(deps, storeId)) {
    try {
      const status = await deps.temporal.withDeadline(Date.now() + ANSWER_DEADLINE_MS, () =>
        deps.temporal.workflow.getHandle(demperWorkflowId(storeId)).query(demperStatusQuery),
      );
      // A cycle summary carried from a run that did not count pushes without points yet says 0.
      return {
        ...status,
        lastCycle: status.lastCycle && {
          ...status.lastCycle,
          withoutAvailabilities: status.lastCycle.withoutAvailabilities ?? 0,
        },
      };
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) {
        throw new DemperUnavailableError('the demper loop did not answer in time (is a worker running?)', {
          cause: error,
        });
      }
    }
  }
  const [store] = await deps.db
    .select({ pausedReason: kaspiStores.demperPausedReason, config: kaspiStores.demperConfig })
    .from(kaspiStores)
    .where(eq(kaspiStores.id, storeId));
  return {
    storeId,
    state: 'stopped',
    pausedReason: store?.pausedReason ?? null,
    cycle: 0,
    lastCycle: null,
    nextCheckAt: null,
    breakers: [],
    config: completeDemperConfig(store?.config),
    pushesWithoutAvailabilities: 0,
  };
}

type Handle = ReturnType<Client['workflow']['getHandle']>;

async function signalIfRunning(
  deps: DemperControlDeps,
  storeId: string,
  send: (handle: Handle) => Promise<void>,
): Promise<boolean> {
  try {
    await send(deps.temporal.workflow.getHandle(demperWorkflowId(storeId)));
    return true;
  } catch (error) {
    // A loop that is not running (never started, stopped) has nothing to signal; the store row is enough.
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}
