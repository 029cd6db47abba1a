import { z } from 'zod';
import { applyProposal, foreignChangeIds, listProposals, listStoreDecisions } from '../../products/proposals';
import { isDemperRunning, wakeDemper } from '../../stores/demper-control';
import type { ApiDeps } from '../app';
import { currentUser } from '../auth';
import { HttpError } from '../problem';
import type { ApiRouter } from '../routing';
import { IdParams, PaginationQuery, Uuid, paginated } from '../schemas';
import { tenantScope } from '../tenancy';
import { priceChangeView, StoreDecisionView } from '../views';

const ApplyBody = z
  .strictObject({
    changeIds: z
      .array(z.uuid())
      .min(1)
      .max(500)
      .optional()
      .meta({ description: 'The proposals to apply; all that stand when left out' }),
  })
  .meta({ id: 'ApplyProposals' });

const Applied = z
  .object({
    applied: z.array(Uuid).meta({ description: 'The price changes recorded for pushing, one per applied proposal' }),
    skipped: z
      .array(z.object({ id: Uuid, reason: z.string() }))
      .meta({ description: 'Proposals not applied, and why' }),
  })
  .meta({ id: 'AppliedProposals' });

/** How many standing proposals "apply all" takes at once. */
const APPLY_ALL_AT_MOST = 500;

export function decisionRoutes(api: ApiRouter, deps: Pick<ApiDeps, 'db' | 'temporal' | 'config'>) {
  const control = { db: deps.db, temporal: deps.temporal, config: deps.config };

  api.route(
    {
      method: 'get',
      path: '/stores/:id/decisions',
      summary: "The store's latest price decisions across its products",
      description:
        'What the live stream (`/stores/{id}/events`) carries as `decision` events, for catching up: newest first.',
      tags: ['demper'],
      access: 'user',
      params: IdParams,
      query: PaginationQuery,
      responses: { 200: { description: 'Newest first', schema: paginated(StoreDecisionView, 'StoreDecisionPage') } },
    },
    async ({ params, query }, req, res) => {
      const store = await tenantScope(deps.db, currentUser(req).userId).store(params.id);
      const { items, total } = await listStoreDecisions(deps.db, store.id, query);
      res.json({
        items: items.map((d) => ({ ...priceChangeView(d), productName: d.productName })),
        page: query.page,
        limit: query.limit,
        total,
      });
    },
  );

  api.route(
    {
      method: 'get',
      path: '/stores/:id/proposals',
      summary: "A dry run's standing proposals: each product's newest decision, when it is a proposal",
      tags: ['demper'],
      access: 'user',
      params: IdParams,
      query: PaginationQuery,
      responses: { 200: { description: 'Newest first', schema: paginated(StoreDecisionView, 'ProposalPage') } },
    },
    async ({ params, query }, req, res) => {
      const store = await tenantScope(deps.db, currentUser(req).userId).store(params.id);
      const { items, total } = await listProposals(deps.db, store.id, query);
      res.json({
        items: items.map((p) => ({ ...priceChangeView(p), productName: p.productName })),
        page: query.page,
        limit: query.limit,
        total,
      });
    },
  );

  api.route(
    {
      method: 'post',
      path: '/stores/:id/proposals/apply',
      summary: 'Apply proposals: their prices are pushed like manual prices',
      description:
        'Each applied proposal becomes a price change of the merchant’s own (keeping its reason and rival), pushed by ' +
        'the store’s loop through the usual paced, budgeted path, and the proposal is marked `applied`. A proposal ' +
        'that a newer decision followed, or whose prices are outside the product’s floor and ceiling as they are now, ' +
        'is skipped and said why. A given id that is no decision of this store refuses the whole request (422 naming ' +
        'it) before anything is applied. 409 when the store’s loop is not running.',
      tags: ['demper'],
      access: 'user',
      params: IdParams,
      body: ApplyBody,
      bodyExample: {},
      responses: {
        200: { description: 'What was applied and what was not', schema: Applied },
        409: { description: "The store's demper loop is not running" },
        422: { description: 'A given id is no decision of this store; nothing was applied' },
      },
    },
    async ({ params, body }, req, res) => {
      const store = await tenantScope(deps.db, currentUser(req).userId).store(params.id);
      // Checked before anything is applied: an id of another store's decision must not half-apply a request.
      const foreign = new Set(await foreignChangeIds(deps.db, store.id, body.changeIds ?? []));
      if (foreign.size > 0) {
        throw new HttpError(422, 'Some ids are no decisions of this store; nothing was applied.', {
          errors: (body.changeIds ?? []).flatMap((id, i) =>
            foreign.has(id) ? [{ field: `body.changeIds.${i}`, message: 'no decision of this store has this id' }] : [],
          ),
        });
      }
      if (!(await isDemperRunning(control, store.id))) {
        throw new HttpError(409, "The store's demper loop is not running, so nothing would push the prices.");
      }
      const ids =
        body.changeIds ??
        (await listProposals(deps.db, store.id, { limit: APPLY_ALL_AT_MOST, page: 1 })).items.map((p) => p.id);
      const applied: string[] = [];
      const skipped: { id: string; reason: string }[] = [];
      for (const id of ids) {
        const outcome = await applyProposal(deps.db, store.id, store.points, id);
        if ('applied' in outcome) applied.push(outcome.applied.id);
        else skipped.push({ id, reason: outcome.skipped });
      }
      if (applied.length > 0) await wakeDemper(control, store.id, 'manual_price');
      res.json({ applied, skipped });
    },
  );
}
