import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { newApiKey } from '../../accounts/api-keys';
import { apiKeys } from '../../db/schema';
import type { ApiDeps } from '../app';
import { currentUser } from '../auth';
import type { ApiRouter } from '../routing';
import { IdParams, PaginationQuery, Timestamp, Uuid, paginated } from '../schemas';
import { tenantScope, type ApiKey } from '../tenancy';

const ApiKeyView = z
  .object({
    id: Uuid,
    name: z.string(),
    prefix: z.string().meta({ description: 'The first characters of the key', example: 'kd_Zx81qP' }),
    createdAt: Timestamp,
    lastUsedAt: Timestamp.nullable(),
  })
  .meta({ id: 'ApiKey' });

const CreatedApiKey = ApiKeyView.extend({
  key: z.string().meta({ description: 'The key itself. Shown only now; store it safely.' }),
}).meta({ id: 'CreatedApiKey' });

function view(key: ApiKey) {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
  };
}

export function apiKeyRoutes(api: ApiRouter, deps: Pick<ApiDeps, 'db'>) {
  api.route(
    {
      method: 'post',
      path: '/api-keys',
      summary: 'Create a long-lived API key for an integration',
      tags: ['accounts'],
      access: 'user',
      body: z.strictObject({ name: z.string().trim().min(1).max(100) }),
      bodyExample: { name: '1C integration' },
      responses: { 201: { description: 'The key, shown once', schema: CreatedApiKey } },
    },
    async ({ body }, req, res) => {
      const { key, prefix, hash } = newApiKey();
      const [row] = await deps.db
        .insert(apiKeys)
        .values({ userId: currentUser(req).userId, name: body.name, prefix, keyHash: hash })
        .returning();
      res.status(201).json({ ...view(row!), key });
    },
  );

  api.route(
    {
      method: 'get',
      path: '/api-keys',
      summary: 'List active API keys',
      tags: ['accounts'],
      access: 'user',
      query: PaginationQuery,
      responses: { 200: { description: 'Keys that are not revoked', schema: paginated(ApiKeyView, 'ApiKeyPage') } },
    },
    async ({ query }, req, res) => {
      const { items, total } = await tenantScope(deps.db, currentUser(req).userId).listApiKeys(query);
      res.json({ items: items.map(view), page: query.page, limit: query.limit, total });
    },
  );

  api.route(
    {
      method: 'delete',
      path: '/api-keys/:id',
      summary: 'Revoke an API key',
      description: 'Requests with a revoked key answer 401. Revoking twice is harmless.',
      tags: ['accounts'],
      access: 'user',
      params: IdParams,
      responses: { 204: { description: 'Revoked' } },
    },
    async ({ params }, req, res) => {
      const key = await tenantScope(deps.db, currentUser(req).userId).apiKey(params.id);
      if (!key.revokedAt) await deps.db.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, key.id));
      res.status(204).end();
    },
  );
}
