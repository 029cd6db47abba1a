import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { Request, Response } from 'express';
import type pg from 'pg';
import { z } from 'zod';
import type { Config } from '../../lib/config';
import { scrubCredentials } from '../../lib/logger';
import { isOperator, type OperatorDeps } from '../operator';
import type { ApiRouter } from '../routing';

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

const Status = z.enum(['ok', 'fail']);
const PublicHealth = z.object({ status: Status }).meta({
  id: 'PublicHealth',
  description: 'What anyone sees: ok or fail. Details need the operator token or an administrator.',
});
const ProcessHealth = z
  .object({ status: z.literal('ok'), startedAt: z.string(), uptimeSeconds: z.int() })
  .meta({ id: 'ProcessHealth' });
const DbHealth = z
  .object({ status: z.enum(['ok', 'unavailable']), latencyMs: z.int().optional(), error: z.string().optional() })
  .meta({ id: 'DatabaseHealth' });
const TemporalHealth = z
  .object({
    status: z.enum(['ok', 'no_worker', 'unavailable']),
    address: z.string(),
    namespace: z.object({ name: z.string(), reachable: z.boolean() }),
    taskQueue: z.object({ name: z.string(), workflowPollers: z.int(), activityPollers: z.int() }).optional(),
    error: z.string().optional(),
  })
  .meta({ id: 'TemporalHealth' });

const DETAILS =
  'Anyone gets `{status: "ok" | "fail"}`; with the operator token (`Authorization: Bearer <OPERATOR_TOKEN>`) or an ' +
  'administrator’s credentials the answer has the details.';

export function healthRoutes(api: ApiRouter, deps: OperatorDeps & { pool: pg.Pool; temporal: Client; config: Config }) {
  const startedAt = new Date();
  /** The full answer for operators, `{status: ok|fail}` for everyone else. */
  const answer = async (req: Request, res: Response, healthy: boolean, details: object) => {
    res.status(healthy ? 200 : 503).json((await isOperator(deps, req)) ? details : { status: healthy ? 'ok' : 'fail' });
  };

  api.route(
    {
      method: 'get',
      path: '/health',
      summary: 'The API process is up',
      description: DETAILS,
      tags: ['operations'],
      access: 'public',
      responses: { 200: { description: 'Up', schema: z.union([PublicHealth, ProcessHealth]) } },
    },
    async (_input, req, res) => {
      await answer(req, res, true, {
        status: 'ok',
        startedAt: startedAt.toISOString(),
        uptimeSeconds: Math.round(process.uptime()),
      });
    },
  );

  api.route(
    {
      method: 'get',
      path: '/health/db',
      summary: 'PostgreSQL answers a query',
      description: DETAILS,
      tags: ['operations'],
      access: 'public',
      responses: {
        200: { description: 'Reachable', schema: z.union([PublicHealth, DbHealth]) },
        503: { description: 'Unreachable', schema: z.union([PublicHealth, DbHealth]) },
      },
    },
    async (_input, req, res) => {
      const started = performance.now();
      try {
        await withTimeout(deps.pool.query('select 1'), CHECK_TIMEOUT_MS, 'PostgreSQL');
        await answer(req, res, true, { status: 'ok', latencyMs: Math.round(performance.now() - started) });
      } catch (err) {
        await answer(req, res, false, {
          status: 'unavailable',
          error: scrubCredentials(err instanceof Error ? err.message : String(err)),
        });
      }
    },
  );

  api.route(
    {
      method: 'get',
      path: '/health/temporal',
      summary: 'The Temporal namespace is reachable and a worker polls the task queue',
      description: DETAILS,
      tags: ['operations'],
      access: 'public',
      responses: {
        200: { description: 'Reachable, with live workers', schema: z.union([PublicHealth, TemporalHealth]) },
        503: { description: 'Unreachable, or no worker polling', schema: z.union([PublicHealth, TemporalHealth]) },
      },
    },
    async (_input, req, res) => {
      const { namespace, taskQueue, address } = deps.config.temporal;
      try {
        const [workflowPollers, activityPollers] = await temporalWithin(deps.temporal, CHECK_TIMEOUT_MS, async () => {
          await deps.temporal.workflowService.describeNamespace({ namespace });
          return Promise.all([
            livePollers(
              deps.temporal,
              namespace,
              taskQueue,
              temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
            ),
            livePollers(
              deps.temporal,
              namespace,
              taskQueue,
              temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
            ),
          ]);
        });
        const polling = workflowPollers > 0 && activityPollers > 0;
        await answer(req, res, polling, {
          status: polling ? 'ok' : 'no_worker',
          address,
          namespace: { name: namespace, reachable: true },
          taskQueue: { name: taskQueue, workflowPollers, activityPollers },
        });
      } catch (err) {
        await answer(req, res, false, {
          status: 'unavailable',
          address,
          namespace: { name: namespace, reachable: false },
          error: scrubCredentials(err instanceof Error ? err.message : String(err)),
        });
      }
    },
  );
}
