import { WorkflowIdConflictPolicy, WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { catalogSyncWorkflow } from '../../workflows/catalog-sync';
import {
  blankCatalogProgress,
  catalogSyncProgressQuery,
  catalogSyncWorkflowId,
  storeSearchAttributes,
} from '../../workflows/messages';
import type { ApiDeps } from '../app';
import { currentUser } from '../auth';
import { HttpError } from '../problem';
import type { ApiRouter } from '../routing';
import { IdParams, Timestamp } from '../schemas';
import { tenantScope } from '../tenancy';

const SyncView = z
  .object({
    state: z.enum(['never', 'running', 'done', 'failed']),
    pagesDone: z.int(),
    offersSeen: z.int(),
    offersTotal: z
      .int()
      .nullable()
      .meta({ description: 'Offers in the cabinet list, when Kaspi says: progress is offersSeen of it' }),
    created: z.int(),
    updated: z.int(),
    vanished: z.int(),
    skipped: z.int().meta({ description: 'Offers without a product card id' }),
    unreadable: z.int().meta({
      description:
        'Items of the cabinet list that could not be read; the rest of their page was imported. When one had no SKU, no offer is marked vanished by that sync',
    }),
    unreadableSkus: z.array(z.string()).meta({ description: 'SKUs of the unreadable items (the first 100)' }),
    error: z.string().nullable(),
    lastSyncAt: Timestamp.nullable().meta({ description: 'When a sync last finished' }),
  })
  .meta({ id: 'CatalogSync' });

const NEVER = blankCatalogProgress('never');

export function catalogRoutes(api: ApiRouter, deps: Pick<ApiDeps, 'db' | 'temporal' | 'config'>) {
  api.route(
    {
      method: 'post',
      path: '/stores/:id/sync',
      summary: "Import the store's offers from the Kaspi cabinet",
      description:
        'Creates and updates products from the cabinet offer list (names, prices, city prices, pickup points) ' +
        'and marks offers that left it; demper settings are never changed. A sync already running is reused.',
      tags: ['catalog'],
      access: 'user',
      params: IdParams,
      responses: { 202: { description: 'Started (or already running)', schema: z.object({ workflowId: z.string() }) } },
    },
    async ({ params }, req, res) => {
      const store = await tenantScope(deps.db, currentUser(req).userId).store(params.id);
      const workflowId = catalogSyncWorkflowId(store.id);
      await deps.temporal.workflow.start(catalogSyncWorkflow, {
        workflowId,
        taskQueue: deps.config.temporal.taskQueue,
        args: [
          {
            storeId: store.id,
            userId: store.userId,
            heartbeatTimeoutSeconds: deps.config.catalog.heartbeatTimeoutSeconds,
          },
        ],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        typedSearchAttributes: storeSearchAttributes(store),
      });
      res.status(202).json({ workflowId });
    },
  );

  api.route(
    {
      method: 'get',
      path: '/stores/:id/sync',
      summary: "The store's latest catalog sync and its progress",
      tags: ['catalog'],
      access: 'user',
      params: IdParams,
      responses: { 200: { description: 'Progress', schema: SyncView } },
    },
    async ({ params }, req, res) => {
      const store = await tenantScope(deps.db, currentUser(req).userId).store(params.id);
      const lastSyncAt = store.lastSyncAt?.toISOString() ?? null;
      const handle = deps.temporal.workflow.getHandle(catalogSyncWorkflowId(store.id));
      let status: string;
      try {
        status = (await handle.describe()).status.name;
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
        res.json({ ...NEVER, lastSyncAt });
        return;
      }
      if (status === 'COMPLETED') {
        res.json({ offersTotal: null, ...(await handle.result()), lastSyncAt });
      } else if (status === 'RUNNING') {
        const progress = await deps.temporal
          .withDeadline(Date.now() + 5_000, () => handle.query(catalogSyncProgressQuery))
          .catch(() => {
            throw new HttpError(503, 'The catalog sync did not answer in time (is a worker running?).');
          });
        res.json({ ...progress, lastSyncAt });
      } else {
        res.json({ ...NEVER, state: 'failed', error: `the sync was ${status.toLowerCase()}`, lastSyncAt });
      }
    },
  );
}
