import { z } from 'zod';
import { PROXY_MODULES } from '../../domain/plans';
import { poolCounts } from '../../proxies/pool';
import type { ApiDeps } from '../app';
import type { ApiRouter } from '../routing';

const ProxyHealth = z
  .object({
    status: z.enum(['ok', 'low']).meta({ description: '`low` when the free pool is below `PROXY_POOL_MIN`' }),
    poolMin: z.int(),
    proxies: z.object({
      total: z.int(),
      available: z.int().meta({ description: 'Free, ready to allocate' }),
      allocated: z.int(),
      dead: z.int(),
      resting: z.int().meta({ description: 'Not dead, resting after a spent budget or benched after a ban, now' }),
    }),
    allocatedByModule: z.object(Object.fromEntries(PROXY_MODULES.map((m) => [m, z.int()]))),
    usersWithProxies: z.int(),
    limitProfile: z.object({
      profile: z.enum(['measured', 'seed']),
      budgetRequests: z.int(),
      budgetWindowSeconds: z.number(),
      restSeconds: z.number(),
      banBenchSeconds: z.number(),
    }),
  })
  .meta({ id: 'ProxyHealth' });

export function proxyHealthRoutes(api: ApiRouter, deps: Pick<ApiDeps, 'db' | 'config'>) {
  api.route(
    {
      method: 'get',
      path: '/health/proxies',
      summary: 'The proxy pool: counts by status, allocation per module, users with proxies',
      description: 'For operators: `Authorization: Bearer <OPERATOR_TOKEN>`, or an administrator’s credentials.',
      tags: ['operations'],
      access: 'operator',
      responses: { 200: { description: 'Counts only; no addresses or credentials', schema: ProxyHealth } },
    },
    async (_input, _req, res) => {
      const counts = await poolCounts(deps.db);
      const { limits, poolMin } = deps.config.proxies;
      res.json({
        status: counts.available < poolMin ? 'low' : 'ok',
        poolMin,
        proxies: {
          total: counts.total,
          available: counts.available,
          allocated: counts.allocated,
          dead: counts.dead,
          resting: counts.resting,
        },
        allocatedByModule: counts.allocatedByModule,
        usersWithProxies: counts.usersWithProxies,
        limitProfile: {
          profile: limits.profile,
          budgetRequests: limits.budgetRequests,
          budgetWindowSeconds: limits.budgetWindowSeconds,
          restSeconds: limits.restSeconds,
          banBenchSeconds: limits.banBenchSeconds,
        },
      });
    },
  );
}
