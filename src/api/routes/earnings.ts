import { z } from 'zod';
import { almatyDate } from '../../domain/almaty-time';
import { earningsSummary, productEarningsPage } from '../../earnings/report';
import type { ApiDeps } from '../app';
import { currentUser } from '../auth';
import type { ApiRouter } from '../routing';
import { IdParams, PaginationQuery, Tenge, Uuid, paginated } from '../schemas';
import { tenantScope } from '../tenancy';

const DAY_MS = 86_400_000;
const MAX_DAYS = 400;
const DEFAULT_DAYS = 7;

const Day = z.iso.date().meta({ description: 'An Almaty day, `YYYY-MM-DD`', example: '2026-12-01' });

const Period = z.strictObject({
  from: Day.optional().meta({ description: `First day (included); default ${DEFAULT_DAYS - 1} days before \`to\`` }),
  to: Day.optional().meta({ description: 'Last day (included); default today in Almaty' }),
});

function period(q: z.infer<typeof Period>, ctx: z.RefinementCtx) {
  const to = q.to ?? almatyDate(new Date());
  const from = q.from ?? almatyDate(new Date(Date.parse(to) - (DEFAULT_DAYS - 1) * DAY_MS));
  if (from > to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must not be after to' });
  if (Date.parse(to) - Date.parse(from) >= MAX_DAYS * DAY_MS) {
    ctx.addIssue({ code: 'custom', path: ['from'], message: `the period may span at most ${MAX_DAYS} days` });
  }
  return { from, to };
}

const Share = z.number().min(0).max(1).nullable().meta({ description: 'From 0 to 1; null when nothing was watched' });
const Sales = z.object({ orders: z.int(), revenue: Tenge });

const Figures = {
  watchedSeconds: z.int().meta({ description: 'Seconds the demper watched the product(s)' }),
  firstSeconds: z.int().meta({ description: 'Of those, seconds we were first on the card' }),
  floorSeconds: z.int().meta({ description: 'Of those, seconds held at the floor under a cheaper rival' }),
  firstShare: Share,
  firstShareWhereAllowed: Share.meta({ description: 'firstSeconds / (watchedSeconds − floorSeconds)' }),
  floorShare: Share,
  changes: z.int().meta({ description: 'Price changes sent to Kaspi' }),
  whileFirst: Sales.meta({ description: 'Orders and revenue of lines sold while first' }),
  notFirst: Sales.meta({ description: 'Orders and revenue of lines sold while not first' }),
  marginGivenUp: Tenge.meta({
    description: 'What the lines sold while first would have added at the highest price still first',
  }),
};

const ProductEarningsView = z
  .object({
    productId: Uuid,
    sku: z.string(),
    name: z.string(),
    position: z.int().nullable(),
    price: Tenge.nullable(),
    floor: Tenge.nullable(),
    cheapestRival: z
      .object({ merchantId: z.string(), name: z.string().nullable(), price: Tenge.nullable() })
      .nullable()
      .meta({ description: 'The cheapest other offer at the last check' }),
    ...Figures,
  })
  .meta({ id: 'ProductEarnings' });

const EarningsView = z
  .object({
    from: Day,
    to: Day,
    ...Figures,
    changesByReason: z.record(z.string(), z.int()).meta({
      description: 'Changes sent by the reason that decided them (`manual`, `preorder` for those not the demper’s)',
    }),
    unwatched: Sales.meta({ description: 'Sales of products the demper was not watching' }),
    stuckAtFloor: z.array(ProductEarningsView).meta({ description: 'Held at the floor ≥ half the time; at most 10' }),
    losingTo: z
      .array(z.object({ merchantId: z.string(), name: z.string().nullable(), products: z.array(ProductEarningsView) }))
      .meta({ description: 'Rivals ahead on products first < half the time, most products first; at most 10' }),
  })
  .meta({ id: 'Earnings' });

export function earningsRoutes(api: ApiRouter, deps: Pick<ApiDeps, 'db'>) {
  api.route(
    {
      method: 'get',
      path: '/stores/:id/earnings',
      summary: 'What the demper earned the store',
      description:
        'Over a period of Almaty days: time first, at the floor, changes sent and why, sales while first and not, ' +
        'and the margin given up; with the products stuck at the floor and the rivals we keep losing to. ' +
        'Definitions: docs/API.md, "What the demper earns".',
      tags: ['earnings'],
      access: 'user',
      params: IdParams,
      query: Period.transform(period),
      responses: { 200: { description: 'The period’s figures', schema: EarningsView } },
    },
    async ({ params, query }, req, res) => {
      const store = await tenantScope(deps.db, currentUser(req).userId).store(params.id);
      res.json({ ...query, ...(await earningsSummary(deps.db, { storeId: store.id, ...query })) });
    },
  );

  api.route(
    {
      method: 'get',
      path: '/stores/:id/earnings/products',
      summary: 'What the demper earned, per product',
      description: 'The same figures per product over the period, the most watched first.',
      tags: ['earnings'],
      access: 'user',
      params: IdParams,
      query: Period.extend(PaginationQuery.shape).transform((q, ctx) => ({
        ...period(q, ctx),
        page: q.page,
        limit: q.limit,
      })),
      responses: {
        200: { description: 'One page of products', schema: paginated(ProductEarningsView, 'ProductEarningsPage') },
      },
    },
    async ({ params, query }, req, res) => {
      const store = await tenantScope(deps.db, currentUser(req).userId).store(params.id);
      const page = await productEarningsPage(deps.db, { storeId: store.id, ...query });
      res.json({ ...page, page: query.page, limit: query.limit });
    },
  );
}
