import { and, count, desc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { alerts, kaspiStores } from '../../db/schema';
import { almatyDate } from '../../domain/almaty-time';
import { productCounts } from '../../products/listing';
import { changeActivity } from '../../stores/activity';
import type { ApiDeps } from '../app';
import { currentUser } from '../auth';
import type { ApiRouter } from '../routing';
import { IdParams, PaginationQuery, Timestamp, Uuid, paginated } from '../schemas';
import { tenantScope } from '../tenancy';
import { budgetOf, ChangeBudgetView } from './demper';

const count_ = z.int();

const Overview = z
  .object({
    storeId: Uuid,
    products: z.object({
      total: count_,
      active: count_.meta({ description: 'Switched on' }),
      first: count_.meta({ description: 'First on their card at the last check' }),
      notFirst: count_,
      atFloor: count_.meta({ description: 'Held at their floor by a rival selling below it' }),
      priceWar: count_,
      error: count_.meta({ description: 'Their card could not be read lately' }),
      unchecked: count_,
      noFloor: count_.meta({ description: 'Switched on without any floor: the demper will not lower them' }),
    }),
    firstShareToday: z.number().nullable().meta({
      description: 'Share of today (Almaty) the active products spent first, 0–1, over the time they were watched',
    }),
    changesToday: count_.meta({ description: 'Price changes sent today (Almaty)' }),
    changeBudget: ChangeBudgetView,
    demper: z.object({
      state: z.enum(['running', 'paused']),
      pausedReason: z.string().nullable(),
    }),
  })
  .meta({ id: 'StoreOverview' });

const AlertView = z
  .object({
    id: Uuid,
    kind: z.string().meta({ example: 'session_expired' }),
    message: z.string(),
    storeId: Uuid.nullable().meta({ description: 'The store it is about, when it is about one' }),
    storeName: z.string().nullable(),
    createdAt: Timestamp,
  })
  .meta({ id: 'Alert' });

const STORE_IN_LINK = /\/stores\/([0-9a-f-]{36})(?:\/|$)/;

export function overviewRoutes(api: ApiRouter, deps: Pick<ApiDeps, 'db' | 'config'>) {
  api.route(
    {
      method: 'get',
      path: '/stores/:id/overview',
      summary: 'The store at a glance: products by state, time spent first today, changes against the budget',
      tags: ['demper'],
      access: 'user',
      params: IdParams,
      responses: { 200: { description: 'The overview', schema: Overview } },
    },
    async ({ params }, req, res) => {
      const store = await tenantScope(deps.db, currentUser(req).userId).store(params.id);
      const now = new Date();
      const [counts, activity] = await Promise.all([
        productCounts(deps.db, store.id, almatyDate(now)),
        changeActivity(deps.db, store.id, now, budgetOf(deps.config)),
      ]);
      const { firstShareToday, ...products } = counts;
      res.json({
        storeId: store.id,
        products,
        firstShareToday,
        ...activity,
        demper: { state: store.demperPausedReason ? 'paused' : 'running', pausedReason: store.demperPausedReason },
      });
    },
  );

  api.route(
    {
      method: 'get',
      path: '/alerts',
      summary: 'What the merchant should know: lost sessions, price bans, products stuck at their floors',
      tags: ['accounts'],
      access: 'user',
      query: PaginationQuery,
      responses: { 200: { description: 'Newest first', schema: paginated(AlertView, 'AlertPage') } },
    },
    async ({ query }, req, res) => {
      const { userId } = currentUser(req);
      const mine = and(eq(alerts.audience, 'user'), eq(alerts.userId, userId));
      const [rows, [total]] = await Promise.all([
        deps.db
          .select()
          .from(alerts)
          .where(mine)
          .orderBy(desc(alerts.createdAt), desc(alerts.id))
          .limit(query.limit)
          .offset((query.page - 1) * query.limit),
        deps.db.select({ n: count() }).from(alerts).where(mine),
      ]);
      const storeIds = [...new Set(rows.flatMap((r) => r.link?.match(STORE_IN_LINK)?.[1] ?? []))];
      const stores = storeIds.length
        ? await deps.db
            .select({ id: kaspiStores.id, name: kaspiStores.name })
            .from(kaspiStores)
            .where(and(inArray(kaspiStores.id, storeIds), eq(kaspiStores.userId, userId)))
        : [];
      const names = new Map(stores.map((s) => [s.id, s.name]));
      res.json({
        items: rows.map((a) => {
          const storeId = a.link?.match(STORE_IN_LINK)?.[1] ?? null;
          return {
            id: a.id,
            kind: a.kind,
            message: a.message,
            storeId: storeId && names.has(storeId) ? storeId : null,
            storeName: (storeId && names.get(storeId)) ?? null,
            createdAt: a.createdAt.toISOString(),
          };
        }),
        page: query.page,
        limit: query.limit,
        total: total?.n ?? 0,
      });
    },
  );
}
