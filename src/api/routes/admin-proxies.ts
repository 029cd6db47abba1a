import { z } from 'zod';
import { proxyPoolOverview, type ProxyOutOfService } from '../../admin/proxy-pool';
import { PROXY_MODULES } from '../../domain/plans';
import { importProxies } from '../../proxies/import';
import type { ApiDeps } from '../app';
import type { ApiRouter } from '../routing';
import { Timestamp, Uuid } from '../schemas';

const ImportReport = z
  .object({
    imported: z.int().meta({ description: 'New proxies added to the free pool' }),
    updated: z.int().meta({
      description:
        'Known proxies (same host, port and user) whose protocol or password changed; a dead one is back in the pool',
    }),
    rejected: z.array(
      z.object({
        index: z.int().meta({ description: 'Position of the line in `proxies`, from 0' }),
        input: z.string().meta({ description: 'The line, password masked' }),
        reason: z.string(),
      }),
    ),
  })
  .meta({ id: 'ProxyImportReport' });

const OutOfService = z
  .object({
    id: Uuid,
    endpoint: z.string().meta({ description: '`protocol://user@host:port`, never the password' }),
    lastError: z.string().optional(),
    restUntil: Timestamp.optional().meta({ description: 'Sits out until then (benched or resting)' }),
    failureCount: z.int(),
    updatedAt: Timestamp,
  })
  .meta({ id: 'ProxyOutOfService' });

const PoolOverview = z
  .object({
    counts: z.object({
      total: z.int(),
      available: z.int().meta({ description: 'Free, ready to allocate' }),
      allocated: z.int(),
      dead: z.int(),
      resting: z.int().meta({ description: 'Not dead, resting after a spent budget or benched after a ban, now' }),
      usersWithProxies: z.int(),
    }),
    allocatedByModule: z.object(Object.fromEntries(PROXY_MODULES.map((m) => [m, z.int()]))),
    poolMin: z.int().meta({ description: '`PROXY_POOL_MIN`: fewer free proxies than this is an alert' }),
    dead: z.array(OutOfService).meta({ description: 'The latest 100 dead proxies' }),
    benched: z.array(OutOfService).meta({ description: 'Up to 100 proxies sitting out now, longest rest first' }),
    provider: z
      .discriminatedUnion('status', [
        z.object({ status: z.literal('not_configured') }),
        z.object({ status: z.literal('ok'), provider: z.string(), balance: z.number(), currency: z.string() }),
        z.object({ status: z.literal('unavailable'), provider: z.string(), error: z.string() }),
      ])
      .meta({ description: "The proxy provider's balance; `not_configured` without `PROXY_PROVIDER_KEY`" }),
  })
  .meta({ id: 'ProxyPoolOverview' });

function outOfServiceView(p: ProxyOutOfService) {
  return {
    id: p.id,
    endpoint: p.endpoint,
    ...(p.lastError ? { lastError: p.lastError } : {}),
    ...(p.restUntil ? { restUntil: p.restUntil.toISOString() } : {}),
    failureCount: p.failureCount,
    updatedAt: p.updatedAt.toISOString(),
  };
}

export function adminProxyRoutes(api: ApiRouter, deps: Pick<ApiDeps, 'db' | 'keyring' | 'config'>) {
  api.route(
    {
      method: 'get',
      path: '/admin/proxies',
      summary: "The proxy pool: counts, dead and benched proxies, the provider's balance (administrators only)",
      tags: ['admin'],
      access: 'admin',
      responses: { 200: { description: 'The pool; addresses without passwords', schema: PoolOverview } },
    },
    async (_input, _req, res) => {
      const pool = await proxyPoolOverview(deps.db, deps.config);
      const { allocatedByModule, ...counts } = pool.counts;
      res.json({
        counts,
        allocatedByModule,
        poolMin: pool.poolMin,
        dead: pool.dead.map(outOfServiceView),
        benched: pool.benched.map(outOfServiceView),
        provider: pool.provider,
      });
    },
  );

  api.route(
    {
      method: 'post',
      path: '/admin/proxies',
      summary: 'Add proxies to the free pool (administrators only)',
      description:
        'Each line is `http://user:password@host:port` or `socks5://…`. Lines are judged one by one: the valid ones are ' +
        'added (or refreshed, by host, port and user) and each invalid one is reported with its index and reason. ' +
        'Loopback, private, link-local and unspecified addresses (also in numeric spellings, and host names resolving ' +
        'to them) are refused unless `PROXY_ALLOW_PRIVATE_ADDRESSES` is on. Answers 200 with the report even when some ' +
        'lines were rejected. Passwords are stored encrypted.',
      tags: ['admin'],
      access: 'admin',
      body: z.strictObject({ proxies: z.array(z.string().min(1).max(2048)).min(1).max(1000) }),
      bodyExample: { proxies: ['http://user:secret@203.0.113.10:8000', 'socks5://user:secret@203.0.113.11:1080'] },
      responses: { 200: { description: 'What was imported and what was rejected', schema: ImportReport } },
    },
    async ({ body }, _req, res) => {
      res.json(
        await importProxies(deps.db, deps.keyring, body.proxies, {
          allowPrivateAddresses: deps.config.proxies.allowPrivateAddresses,
        }),
      );
    },
  );
}
