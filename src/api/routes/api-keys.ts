import { z } from 'zod';
import { issueApiKey, MAX_ACTIVE_API_KEYS, revokeApiKey, TooManyApiKeys } from '../../accounts/api-key-issue';
import type { ApiDeps } from '../app';
import { currentUser, signedInWithToken } from '../auth';
import { HttpError } from '../problem';
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
    expiresAt: Timestamp.nullable().meta({ description: 'When the key stops working; null: never' }),
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
    expiresAt: key.expiresAt?.toISOString() ?? null,
  };
}

export function apiKeyRoutes(api: ApiRouter, deps: Pick<ApiDeps, 'db'>) {
  api.route(
    {
      method: 'post',
      path: '/api-keys',
      summary: 'Create a long-lived API key for an integration',
      description:
        `Optionally with \`expiresAt\` (in the future), after which the key stops working. At most ${MAX_ACTIVE_API_KEYS} ` +
        'active keys per account (409 beyond: revoke one first). Only a signed-in session creates keys: a request ' +
        'made with an API key answers 403, so a leaked key cannot mint others.',
      tags: ['accounts'],
      access: 'user',
      body: z.strictObject({
        name: z.string().trim().min(1).max(100),
        expiresAt: Timestamp.optional()
          .refine((at) => at === undefined || Date.parse(at) > Date.now(), 'must be in the future')
          .meta({ description: 'When the key stops working; never when left out' }),
      }),
      bodyExample: { name: '1C integration' },
      responses: {
        201: { description: 'The key, shown once', schema: CreatedApiKey },
        403: { description: 'The request was made with an API key' },
        409: { description: `Already ${MAX_ACTIVE_API_KEYS} active keys` },
      },
    },
    async ({ body }, req, res) => {
      const { userId } = signedInWithToken(req);
      let row;
      try {
        row = await issueApiKey(deps.db, userId, {
          name: body.name,
          expiresAt: body.expiresAt ? new Date(body.expiresAt) : null,
        });
      } catch (error) {
        if (error instanceof TooManyApiKeys) throw new HttpError(409, error.message);
        throw error;
      }
      res.status(201).json({ ...view(row), key: row.key });
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
      await revokeApiKey(deps.db, key);
      res.status(204).end();
    },
  );
}
