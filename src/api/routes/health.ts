import type { Client } from '@temporalio/client';
import type { Request, Response } from 'express';
import type pg from 'pg';
import { z } from 'zod';
import { checkDatabase, checkTemporal } from '../../admin/health-checks';
import type { Config } from '../../lib/config';
import { isOperator, type OperatorDeps } from '../operator';
import type { ApiRouter } from '../routing';

const Status = z.enum(['ok', 'fail']);
const PublicHealth = z.object({ status: Status }).meta({
  id: 'PublicHealth',
  description: 'What anyone sees: ok or fail. Details need the operator token or an administrator.',
});
const ProcessHealth = z
  .object({ status: z.literal('ok'), startedAt: z.string(), uptimeSeconds: z.int() })
  .meta({ id: 'ProcessHealth' });
export const DbHealth = z
  .object({ status: z.enum(['ok', 'unavailable']), latencyMs: z.int().optional(), error: z.string().optional() })
  .meta({ id: 'DatabaseHealth' });
export const TemporalHealth = z
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
      const check = await checkDatabase(deps.pool);
      await answer(req, res, check.status === 'ok', check);
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
      const check = await checkTemporal(deps.temporal, deps.config);
      await answer(req, res, check.status === 'ok', check);
    },
  );
}
