import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type pg from 'pg';
import type { Config } from '../lib/config';
import { scrubCredentials } from '../lib/logger';

/**
 * The checks behind `/health/db`, `/health/temporal` and the admin's system screen: does PostgreSQL
 * answer, and is a worker polling the task queue. Each is bounded, so a dead dependency answers in
 * seconds, and its error is scrubbed of credentials.
 */

/** A poller counts as live if it asked for work this recently (long polls last about a minute). */
const LIVE_POLLER_SECONDS = 90;
const CHECK_TIMEOUT_MS = 3000;

export type DatabaseCheck = { status: 'ok'; latencyMs: number } | { status: 'unavailable'; error: string };

export type TemporalCheck =
  | {
      status: 'ok' | 'no_worker';
      address: string;
      namespace: { name: string; reachable: true };
      taskQueue: { name: string; workflowPollers: number; activityPollers: number };
    }
  | { status: 'unavailable'; address: string; namespace: { name: string; reachable: false }; error: string };

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Temporal calls that are cancelled at the deadline, so no retry of theirs outlives the request. */
function temporalWithin<T>(client: Client, ms: number, fn: () => Promise<T>): Promise<T> {
  return client.connection.withAbortSignal(AbortSignal.timeout(ms), fn).catch((err: unknown) => {
    if (err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError')) {
      throw new Error(`Temporal did not answer within ${ms} ms`);
    }
    throw err;
  });
}

async function livePollers(
  client: Client,
  namespace: string,
  taskQueue: string,
  type: temporal.api.enums.v1.TaskQueueType,
) {
  const { pollers } = await client.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: type,
  });
  const cutoff = Date.now() - LIVE_POLLER_SECONDS * 1000;
  return (pollers ?? []).filter((p) => Number(p.lastAccessTime?.seconds ?? 0) * 1000 >= cutoff).length;
}

const failure = (err: unknown) => scrubCredentials(err instanceof Error ? err.message : String(err));

export async function checkDatabase(pool: pg.Pool): Promise<DatabaseCheck> {
  const started = performance.now();
  try {
    await withTimeout(pool.query('select 1'), CHECK_TIMEOUT_MS, 'PostgreSQL');
    return { status: 'ok', latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    return { status: 'unavailable', error: failure(err) };
  }
}

/** The namespace answers and workers poll the task queue for both workflow and activity tasks. */
export async function checkTemporal(client: Client, config: Pick<Config, 'temporal'>): Promise<TemporalCheck> {
  const { namespace, taskQueue, address } = config.temporal;
  try {
    const [workflowPollers, activityPollers] = await temporalWithin(client, CHECK_TIMEOUT_MS, async () => {
      await client.workflowService.describeNamespace({ namespace });
      return Promise.all([
        livePollers(client, namespace, taskQueue, temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
        livePollers(client, namespace, taskQueue, temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY),
      ]);
    });
    return {
      status: workflowPollers > 0 && activityPollers > 0 ? 'ok' : 'no_worker',
      address,
      namespace: { name: namespace, reachable: true },
      taskQueue: { name: taskQueue, workflowPollers, activityPollers },
    };
  } catch (err) {
    return { status: 'unavailable', address, namespace: { name: namespace, reachable: false }, error: failure(err) };
  }
}
