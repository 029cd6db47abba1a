import { z } from 'zod';
import { systemStatus } from '../../admin/system';
import type { ApiDeps } from '../app';
import type { ApiRouter } from '../routing';
import { Timestamp, Uuid } from '../schemas';
import { DbHealth, TemporalHealth } from './health';

const SystemStatus = z
  .object({
    database: DbHealth,
    temporal: TemporalHealth,
    alerts: z
      .object({
        lastDay: z.int().meta({ description: "Administrators' alerts of the last 24 hours" }),
        undelivered: z.int().meta({ description: 'Not yet sent to any administrator’s Telegram chat' }),
        recent: z.array(
          z.object({
            id: Uuid,
            kind: z.string(),
            message: z.string(),
            link: z.string().optional(),
            createdAt: Timestamp,
            delivered: z.boolean(),
          }),
        ),
      })
      .nullable()
      .meta({ description: 'Null when the database cannot be read' }),
    temporalUi: z.object({ url: z.string(), namespace: z.string() }).meta({
      description: 'A store\'s workflows are at `{url}/namespaces/{namespace}/workflows?query=StoreId="{id}"`',
    }),
  })
  .meta({ id: 'SystemStatus' });

export function adminSystemRoutes(api: ApiRouter, deps: Pick<ApiDeps, 'pool' | 'db' | 'temporal' | 'config'>) {
  api.route(
    {
      method: 'get',
      path: '/admin/system',
      summary: 'PostgreSQL, Temporal, its workers and recent alerts (administrators only)',
      description:
        'Always 200: each part says whether it is up. Temporal is `no_worker` when no worker has polled the task ' +
        'queue for workflow or activity tasks in the last 90 seconds.',
      tags: ['admin'],
      access: 'admin',
      responses: { 200: { description: 'The state of each part', schema: SystemStatus } },
    },
    async (_input, _req, res) => {
      const status = await systemStatus(deps);
      res.json({
        ...status,
        alerts: status.alerts && {
          ...status.alerts,
          recent: status.alerts.recent.map((a) => ({
            id: a.id,
            kind: a.kind,
            message: a.message,
            ...(a.link ? { link: a.link } : {}),
            createdAt: a.createdAt.toISOString(),
            delivered: a.delivered,
          })),
        },
      });
    },
  );
}
