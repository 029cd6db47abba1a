import { z } from 'zod';
import { importProxies } from '../../proxies/import';
import type { ApiDeps } from '../app';
import type { ApiRouter } from '../routing';

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

export function adminProxyRoutes(api: ApiRouter, deps: Pick<ApiDeps, 'db' | 'keyring' | 'config'>) {
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
