import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type pg from 'pg';
import type { Config } from '../../lib/config';

/** A poller counts as live if it asked for work this recently (long polls last about a minute). */
const LIVE_POLLER_SECONDS = 90;
const CHECK_TIMEOUT_MS = 3000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function livePollers(client: Client, namespace: string, taskQueue: string, type: temporal.api.enums.v1.TaskQueueType) {
  const { pollers } = await client.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: type,
  });
  const cutoff = Date.now() - LIVE_POLLER_SECONDS * 1000;
  return (pollers ?? []).filter((p) => {
    const seconds = Number(p.lastAccessTime?.seconds ?? 0);
    return seconds * 1000 >= cutoff;
  }).length;
}

export function healthRouter(deps: { pool: pg.Pool; temporal: Client; config: Config }): Router {
  const router = Router();
  const startedAt = new Date();

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok', startedAt: startedAt.toISOString(), uptimeSeconds: Math.round(process.uptime()) });
  });

  router.get('/health/db', async (_req, res) => {
    const started = performance.now();
    try {
      await withTimeout(deps.pool.query('select 1'), CHECK_TIMEOUT_MS, 'PostgreSQL');
      res.json({ status: 'ok', latencyMs: Math.round(performance.now() - started) });
    } catch (err) {
      res.status(503).json({ status: 'unavailable', error: err instanceof Error ? err.message : String(err) });
    }
  });

  router.get('/health/temporal', async (_req, res) => {
    const { namespace, taskQueue, address } = deps.config.temporal;
    try {
      await withTimeout(deps.temporal.workflowService.describeNamespace({ namespace }), CHECK_TIMEOUT_MS, 'Temporal');
      const [workflowPollers, activityPollers] = await withTimeout(
        Promise.all([
          livePollers(deps.temporal, namespace, taskQueue, temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
          livePollers(deps.temporal, namespace, taskQueue, temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY),
        ]),
        CHECK_TIMEOUT_MS,
        'Temporal',
      );
      const polling = workflowPollers > 0 && activityPollers > 0;
      res.status(polling ? 200 : 503).json({
        status: polling ? 'ok' : 'no_worker',
        address,
        namespace: { name: namespace, reachable: true },
        taskQueue: { name: taskQueue, workflowPollers, activityPollers },
      });
    } catch (err) {
      res.status(503).json({
        status: 'unavailable',
        address,
        namespace: { name: namespace, reachable: false },
        error: err instanceof Error ? err.message : String(err),
      });
    }
  });

  return router;
}
