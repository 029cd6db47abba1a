import { z } from 'zod';
import {
  completeDemperConfig,
  DEMPER_CONFIG_LIMITS,
  demperConfigIssues,
  type DemperConfig,
} from '../../domain/demper-config';
import {
  configureDemper,
  demperStatus,
  DemperRejectedError,
  DemperUnavailableError,
  pauseDemper,
  resumeDemper,
} from '../../stores/demper-control';
import { changeActivity } from '../../stores/activity';
import { setAllStoresPaused } from '../../stores/pause-all';
import { PAUSED_BY_MERCHANT } from '../../workflows/messages';
import type { ApiDeps } from '../app';
import { currentUser } from '../auth';
import { HttpError } from '../problem';
import type { ApiRouter } from '../routing';
import { IdParams, Timestamp, Uuid } from '../schemas';
import { tenantScope } from '../tenancy';
import { sharedAnswers } from '../../lib/shared-answers';

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (00:00–23:59)');

const WorkingHours = z
  .strictObject({
    from: clock.meta({ example: '09:00' }),
    to: clock.meta({ example: '23:00' }),
  })
  .meta({ description: 'Local time in Asia/Almaty; `from` after `to` spans midnight, equal means all day' });

const seconds = z.int().min(DEMPER_CONFIG_LIMITS.minIntervalSeconds).max(DEMPER_CONFIG_LIMITS.maxIntervalSeconds);

const DemperConfigView = z
  .object({
    intervalSeconds: seconds.meta({ description: 'How often a quiet product is checked', example: 300 }),
    hotIntervalSeconds: seconds.meta({
      description: 'How often a product whose rivals moved recently is checked',
      example: 60,
    }),
    maxPushesPerSecond: z
      .number()
      .meta({ description: 'Price pushes per second for the merchant (at most 2)', example: 1.5 }),
    workingHours: WorkingHours.nullable(),
    dryRun: z.boolean().meta({ description: 'Decide and record proposals without pushing any price' }),
  })
  .meta({ id: 'DemperConfig' });

const DemperConfigPatch = z
  .strictObject({
    intervalSeconds: seconds.optional(),
    hotIntervalSeconds: seconds.optional(),
    maxPushesPerSecond: z.number().gt(0).max(DEMPER_CONFIG_LIMITS.maxPushesPerSecond).optional(),
    workingHours: WorkingHours.nullable().optional(),
    dryRun: z.boolean().optional(),
  })
  .meta({ id: 'DemperConfigPatch', description: 'Only the fields given change' });

const CycleView = z.object({
  cycle: z.int(),
  startedAt: Timestamp,
  finishedAt: Timestamp.nullable(),
  checked: z.int().meta({ description: 'Products whose card was read and a price decided' }),
  changed: z.int().meta({ description: 'Prices pushed (proposed, in a dry run)' }),
  heldAtFloor: z.int().meta({ description: 'Products held at their floor by a rival below it' }),
  errors: z.int(),
  deferred: z.int().meta({ description: 'Changes left for later by the change budget or a breaker' }),
  withoutAvailabilities: z.int().meta({
    description: 'Pushes sent without the offer’s pickup points because the cabinet showed none (Kaspi kept its own)',
  }),
});

export const ChangeBudgetView = z
  .object({
    used: z.int().meta({ description: 'Price changes sent within the rolling window' }),
    limit: z.int().meta({ description: 'Changes the window allows (`DEMPER_CHANGE_BUDGET`)', example: 240 }),
    windowSeconds: z.int().meta({ example: 1800 }),
  })
  .meta({
    id: 'ChangeBudget',
    description: "The merchant's price-change budget: Kaspi bans a merchant who changes prices too often",
  });

const DemperStatusView = z
  .object({
    storeId: Uuid,
    state: z.enum(['running', 'paused', 'stopped']).meta({ description: '`stopped`: no loop runs for the store' }),
    pausedReason: z.string().nullable().meta({ example: 'paused_by_merchant' }),
    cycle: z.int().meta({ description: 'Number of the latest cycle' }),
    lastCycle: CycleView.nullable(),
    nextCheckAt: Timestamp.nullable(),
    breakers: z
      .array(z.object({ surface: z.enum(['writes', 'reads']), until: Timestamp, reason: z.string() }))
      .meta({ description: 'Surfaces the loop sends nothing to until the time given' }),
    config: DemperConfigView,
    pushesWithoutAvailabilities: z.int().meta({
      description:
        'Price pushes this loop sent without the offer’s pickup points since it started, because neither the catalog nor ' +
        'the cabinet’s offer details showed any; sync the catalog to give them their points',
    }),
    changeBudget: ChangeBudgetView,
  })
  .meta({ id: 'DemperStatus' });

const Requested = z.object({
  storeId: Uuid,
  state: z.enum(['running', 'paused']).meta({ description: 'The state the loop was asked to take' }),
});

/**
 * How long one answer of a loop's status serves every request for that store. Each answer is a
 * query the loop's workflow must take between its own tasks; a status screen in many tabs or an
 * integration polling hard would otherwise queue behind them and slow every other store's answers.
 */
const STATUS_SHARED_MS = 1_000;

export function demperRoutes(api: ApiRouter, deps: Pick<ApiDeps, 'db' | 'temporal' | 'config'>) {
  const control = { db: deps.db, temporal: deps.temporal, config: deps.config };
  const statuses = sharedAnswers(STATUS_SHARED_MS, (storeId) => demperStatus(control, storeId));

  api.route(
    {
      method: 'get',
      path: '/stores/:id/demper',
      summary: "The store's demper loop: state, last cycle, next check, breakers, configuration",
      tags: ['demper'],
      access: 'user',
      params: IdParams,
      responses: {
        200: { description: 'Status', schema: DemperStatusView },
        503: { description: 'The loop did not answer' },
      },
    },
    async ({ params }, req, res) => {
      const store = await tenantScope(deps.db, currentUser(req).userId).store(params.id);
      const [status, activity] = await Promise.all([
        unavailableAs503(() => statuses.get(store.id)),
        changeActivity(deps.db, store.id, new Date(), budgetOf(deps.config)),
      ]);
      res.json({ ...status, changeBudget: activity.changeBudget });
    },
  );

  api.route(
    {
      method: 'patch',
      path: '/stores/:id/demper',
      summary: "Configure the store's demper loop",
      description: 'Intervals, push rate, working hours (Asia/Almaty) and dry run. Applies from the next cycle.',
      tags: ['demper'],
      access: 'user',
      params: IdParams,
      body: DemperConfigPatch,
      bodyExample: { intervalSeconds: 120, hotIntervalSeconds: 30, workingHours: { from: '09:00', to: '23:00' } },
      responses: { 200: { description: 'The configuration now in force', schema: DemperConfigView } },
    },
    async ({ params, body }, req, res) => {
      const store = await tenantScope(deps.db, currentUser(req).userId).store(params.id);
      const next: DemperConfig = { ...completeDemperConfig(store.demperConfig), ...body };
      const issues = demperConfigIssues(next);
      if (issues.length > 0) {
        throw new HttpError(400, 'The configuration is not valid.', {
          type: 'urn:kaspi-demper:validation',
          errors: issues.map((i) => ({ field: `body.${i.field}`, message: i.message })),
        });
      }
      try {
        const view = await configureDemper(control, store.id, next);
        statuses.forget(store.id);
        res.json(view);
      } catch (error) {
        if (error instanceof DemperRejectedError) throw new HttpError(422, error.message);
        if (error instanceof DemperUnavailableError) throw new HttpError(503, error.message);
        throw error;
      }
    },
  );

  for (const action of ['pause', 'resume'] as const) {
    api.route(
      {
        method: 'post',
        path: `/stores/:id/demper/${action}`,
        summary: action === 'pause' ? "Pause the store's demper: no more price pushes" : "Resume the store's demper",
        tags: ['demper'],
        access: 'user',
        params: IdParams,
        responses: { 202: { description: 'Asked; the loop follows within moments', schema: Requested } },
      },
      async ({ params }, req, res) => {
        const store = await tenantScope(deps.db, currentUser(req).userId).store(params.id);
        if (action === 'pause') await pauseDemper(control, store.id, PAUSED_BY_MERCHANT);
        else await resumeDemper(control, store.id);
        statuses.forget(store.id);
        res.status(202).json({ storeId: store.id, state: action === 'pause' ? 'paused' : 'running' });
      },
    );

    api.route(
      {
        method: 'post',
        path: `/demper/${action}`,
        summary:
          action === 'pause'
            ? "Pause the demper of every one of the merchant's stores"
            : "Resume the demper of every one of the merchant's stores",
        tags: ['demper'],
        access: 'user',
        responses: {
          202: { description: 'Asked', schema: z.object({ stores: z.int().meta({ description: 'Stores asked' }) }) },
        },
      },
      async (_input, req, res) => {
        const storeIds = await setAllStoresPaused(control, currentUser(req).userId, action === 'pause');
        for (const storeId of storeIds) statuses.forget(storeId);
        res.status(202).json({ stores: storeIds.length });
      },
    );
  }
}

async function unavailableAs503<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof DemperUnavailableError) throw new HttpError(503, error.message);
    throw error;
  }
}

/** The change budget the push step spends against, from configuration. */
export function budgetOf(config: ApiDeps['config']) {
  return { limit: config.demper.changeBudget, windowSeconds: config.demper.changeBudgetWindowSeconds };
}
