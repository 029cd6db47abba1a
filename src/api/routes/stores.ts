import { z } from 'zod';
import { disconnectStore } from '../../stores/disconnect';
import type { ApiDeps } from '../app';
import { currentUser } from '../auth';
import type { ApiRouter } from '../routing';
import { IdParams, PaginationQuery, Timestamp, Uuid, paginated } from '../schemas';
import { tenantScope, type Store } from '../tenancy';

export const StoreView = z
  .object({
    id: Uuid,
    merchantUid: z.string().meta({ example: '30012345' }),
    name: z.string().meta({ example: 'Gadget Shop' }),
    sessionState: z.enum(['active', 'expired', 'needs_reauth']),
    sessionVerifiedAt: Timestamp.nullable().meta({ description: 'When Kaspi last accepted the session' }),
    connectedVia: z
      .enum(['cookies', 'password', 'sms'])
      .nullable()
      .meta({ description: 'How the current session was obtained' }),
    autoRelogin: z.boolean().meta({ description: 'An expired session is renewed with the remembered password' }),
    points: z.array(
      z.object({
        code: z.string().meta({ example: 'PP1' }),
        cityId: z.string().meta({ example: '750000000' }),
        name: z.string().optional(),
        enabled: z.boolean(),
      }),
    ),
    demperPausedReason: z.string().nullable(),
    hasShopApiToken: z.boolean(),
    lastSyncAt: Timestamp.nullable(),
    createdAt: Timestamp,
  })
  .meta({ id: 'Store' });

/** What a merchant sees of a store: never its session, credentials or token. */
export function storeView(store: Store): z.infer<typeof StoreView> {
  return {
    id: store.id,
    merchantUid: store.merchantUid,
    name: store.name,
    sessionState: store.sessionState,
    sessionVerifiedAt: store.sessionVerifiedAt?.toISOString() ?? null,
    connectedVia: store.connectedVia,
    autoRelogin: store.autoRelogin,
    points: store.points,
    demperPausedReason: store.demperPausedReason,
    hasShopApiToken: store.shopApiTokenEnc !== null,
    lastSyncAt: store.lastSyncAt?.toISOString() ?? null,
    createdAt: store.createdAt.toISOString(),
  };
}

export function storeRoutes(api: ApiRouter, deps: Pick<ApiDeps, 'db' | 'temporal' | 'config'>) {
  api.route(
    {
      method: 'get',
      path: '/stores',
      summary: "The signed-in merchant's Kaspi stores",
      tags: ['stores'],
      access: 'user',
      query: PaginationQuery,
      responses: { 200: { description: 'Stores, newest first', schema: paginated(StoreView, 'StorePage') } },
    },
    async ({ query }, req, res) => {
      const { items, total } = await tenantScope(deps.db, currentUser(req).userId).listStores(query);
      res.json({ items: items.map(storeView), page: query.page, limit: query.limit, total });
    },
  );

  api.route(
    {
      method: 'get',
      path: '/stores/:id',
      summary: 'One store',
      tags: ['stores'],
      access: 'user',
      params: IdParams,
      responses: { 200: { description: 'The store', schema: StoreView } },
    },
    async ({ params }, req, res) => {
      res.json(storeView(await tenantScope(deps.db, currentUser(req).userId).store(params.id)));
    },
  );

  api.route(
    {
      method: 'delete',
      path: '/stores/:id',
      summary: 'Disconnect a store',
      description:
        'The store disappears from every list, its Kaspi session and token are forgotten, and its demper loop and orders poll stop.',
      tags: ['stores'],
      access: 'user',
      params: IdParams,
      responses: { 204: { description: 'Disconnected' } },
    },
    async ({ params }, req, res) => {
      const store = await tenantScope(deps.db, currentUser(req).userId).store(params.id);
      await disconnectStore({ db: deps.db, temporal: deps.temporal, config: deps.config, logger: req.log }, store.id);
      res.status(204).end();
    },
  );
}
