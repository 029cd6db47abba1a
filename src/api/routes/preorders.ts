import { z } from 'zod';
import { PREORDER_MAX_DAYS, PREORDER_MIN_DAYS, PREORDER_POINTS, PREORDER_STATUSES } from '../../domain/preorders';
import { XLSX_CONTENT_TYPE } from '../../lib/spreadsheet';
import { PRICE_LIST_FORMATS, preorderWorkbook } from '../../preorders/price-list';
import {
  AlreadyOnPreorder,
  createPreorder,
  deletePreorder,
  pointIssues,
  PreorderRefused,
  storePreorders,
  updatePreorder,
  type PreorderIssue,
} from '../../preorders/records';
import { preorderCounts, uploadRun } from '../../preorders/upload-status';
import { isDemperRunning } from '../../stores/demper-control';
import {
  preorderUploadWorkflowId,
  preorderWithdrawWorkflowId,
  priceListUploadWorkflowId,
  storeSearchAttributes,
} from '../../workflows/messages';
import type { preorderUploadWorkflow, preorderWithdrawWorkflow } from '../../workflows';
import type { PreorderUploadInput } from '../../workflows/preorder-upload';
import type { ApiDeps } from '../app';
import { currentUser } from '../auth';
import { HttpError } from '../problem';
import type { ApiRouter } from '../routing';
import { IdParams, PaginationQuery, Tenge, Timestamp, Uuid, paginated, XLSX_RESPONSE } from '../schemas';
import { tenantScope, type Preorder, type Store } from '../tenancy';

const Warehouses = z
  .array(
    z.strictObject({
      point: z
        .int()
        .min(1)
        .max(PREORDER_POINTS.length)
        .meta({ description: 'Pickup point number: 1 is PP1', example: 1 }),
      quantity: z.int().min(0).max(1_000_000).meta({ description: 'Units offered at that point', example: 10 }),
    }),
  )
  .min(1)
  .max(PREORDER_POINTS.length)
  .refine((w) => new Set(w.map((x) => x.point)).size === w.length, 'each point at most once')
  .refine((w) => w.some((x) => x.quantity > 0), 'at least one point needs a quantity above 0')
  .meta({ description: 'Quantities per pickup point (PP1–PP5, the columns of Kaspi’s price list)' });

const Days = z
  .int()
  .min(PREORDER_MIN_DAYS)
  .max(PREORDER_MAX_DAYS)
  .meta({ description: 'Days until it ships (1–30)', example: 14 });
const Model = z.string().trim().min(1).max(255);
const Brand = z.string().trim().min(1).max(100);
const Price = Tenge.min(1);

const CreateBody = z.strictObject({
  productId: Uuid.meta({ description: 'The product to put on preorder' }),
  days: Days,
  warehouses: Warehouses,
  price: Price.optional().meta({ description: "Default: the product's live price" }),
  model: Model.optional().meta({ description: "Default: the product's name" }),
  brand: Brand.optional().meta({ description: "Default: the product's brand (Kaspi's price list requires one)" }),
});

const PatchBody = z.strictObject({
  days: Days.optional(),
  warehouses: Warehouses.optional(),
  price: Price.optional(),
  model: Model.optional(),
  brand: Brand.optional(),
});

const UploadBody = z.strictObject({}).meta({ description: 'Nothing to give: every preorder of the store is sent' });

const PriceListUploadBody = z.strictObject({
  format: z
    .enum(PRICE_LIST_FORMATS)
    .default('xlsx')
    .meta({ description: "Kaspi's Excel layout (default) or the XML price list" }),
  wholeAssortment: z.literal(true).meta({
    description:
      'Must be true: the file replaces the whole assortment at Kaspi, which removes every offer a price list leaves out',
  }),
});

const PriceListUploadView = z
  .object({
    state: z.enum(['never', 'running', 'done', 'failed']),
    offers: z.int().nullable().meta({ description: 'Offers in the uploaded file' }),
    preorders: z
      .int()
      .nullable()
      .meta({ description: 'Preorders the file carried (then followed as in a preorder upload)' }),
    refused: z.string().nullable().meta({ description: 'Why nothing was uploaded' }),
    unexpectedBody: z
      .string()
      .nullable()
      .meta({ description: 'Kaspi took the file but answered a body of an unexpected shape: kept as it came' }),
  })
  .meta({ id: 'PriceListUpload' });

const PreorderUploadView = z
  .object({
    state: z.enum(['never', 'running', 'done', 'failed']).meta({
      description: '`running` while the preorders are pushed and then watched until Kaspi shows each one',
    }),
    startedAt: Timestamp.nullable(),
    finishedAt: Timestamp.nullable(),
    uploaded: z.int().nullable().meta({ description: 'Preorders the finished upload sent' }),
    refused: z.string().nullable().meta({ description: 'Why nothing was uploaded' }),
    preorders: z
      .object({ draft: z.int(), processing: z.int(), active: z.int(), failed: z.int() })
      .meta({ description: "The store's preorders by status now: the upload's progress while it runs" }),
  })
  .meta({ id: 'PreorderUpload' });

const PreorderParams = z.strictObject({ id: Uuid, preorderId: Uuid });

const ListQuery = PaginationQuery.extend({ status: z.enum(PREORDER_STATUSES).optional() });

export const PreorderView = z
  .object({
    id: Uuid,
    storeId: Uuid,
    productId: Uuid.nullable(),
    sku: z.string(),
    model: z.string(),
    brand: z.string().nullable(),
    price: Tenge,
    days: z.int(),
    warehouses: z.array(z.object({ point: z.int(), quantity: z.int() })),
    status: z.enum(PREORDER_STATUSES).meta({
      description:
        '`draft` until uploaded, `processing` until Kaspi shows it, then `active`; `failed` says why in `error`',
    }),
    uploadedAt: Timestamp.nullable(),
    activatedAt: Timestamp.nullable(),
    error: z.string().nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Preorder' });

function preorderView(p: Preorder): z.infer<typeof PreorderView> {
  return {
    id: p.id,
    storeId: p.storeId,
    productId: p.productId,
    sku: p.sku,
    model: p.model,
    brand: p.brand,
    price: p.price,
    days: p.days,
    warehouses: p.warehouses,
    status: p.status,
    uploadedAt: p.uploadedAt?.toISOString() ?? null,
    activatedAt: p.activatedAt?.toISOString() ?? null,
    error: p.error,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

function refused(issues: PreorderIssue[]): HttpError {
  return new HttpError(422, 'The preorder cannot be made as given.', {
    errors: issues.map((i) => ({ field: `body.${i.field}`, message: i.message })),
  });
}

export function preorderRoutes(api: ApiRouter, deps: Pick<ApiDeps, 'db' | 'temporal' | 'config'>) {
  const scopeOf = (req: Parameters<typeof currentUser>[0]) => tenantScope(deps.db, currentUser(req).userId);
  /** Preorders reach Kaspi through the store's demper loop, the merchant's one writer: it must be running. */
  const requireLoop = async (store: Store, what: string) => {
    if (!(await isDemperRunning(deps, store.id)))
      throw new HttpError(409, `The store's demper loop is not running, so nothing would ${what}.`);
  };

  api.route(
    {
      method: 'get',
      path: '/stores/:id/preorders/export.xlsx',
      summary: "The store's preorders as Kaspi's Excel price list",
      description:
        'Columns `SKU, model, brand, price, PP1..PP5, preorder`: the quantity per pickup point and the preorder days.',
      tags: ['preorders'],
      access: 'user',
      params: IdParams,
      responses: {
        200: XLSX_RESPONSE,
      },
    },
    async ({ params }, req, res) => {
      const store = await scopeOf(req).store(params.id);
      const rows = await storePreorders(deps.db, store.id);
      const file = await preorderWorkbook(rows);
      res.type(XLSX_CONTENT_TYPE).attachment(`preorders-${store.merchantUid}.xlsx`).send(Buffer.from(file));
    },
  );

  api.route(
    {
      method: 'get',
      path: '/stores/:id/preorders',
      summary: "The store's preorders",
      tags: ['preorders'],
      access: 'user',
      params: IdParams,
      query: ListQuery,
      responses: { 200: { description: 'Preorders by SKU', schema: paginated(PreorderView, 'PreorderPage') } },
    },
    async ({ params, query }, req, res) => {
      const { limit, page, status } = query;
      const { items, total } = await scopeOf(req).listPreorders(params.id, { status }, { limit, page });
      res.json({ items: items.map(preorderView), page, limit, total });
    },
  );

  api.route(
    {
      method: 'get',
      path: '/stores/:id/preorders/upload',
      summary: 'The latest preorder upload and its progress',
      description:
        'The upload of `POST /stores/{id}/preorders/upload`: running until every preorder it sent is `active` or ' +
        "`failed`, with the store's preorders counted by status; each preorder's own state is in the list.",
      tags: ['preorders'],
      access: 'user',
      params: IdParams,
      responses: { 200: { description: 'Its state and progress', schema: PreorderUploadView } },
    },
    async ({ params }, req, res) => {
      const store = await scopeOf(req).store(params.id);
      const [run, counts] = await Promise.all([
        uploadRun(deps.temporal, preorderUploadWorkflowId(store.id)),
        preorderCounts(deps.db, store.id),
      ]);
      res.json({
        state: run.state,
        startedAt: run.startedAt?.toISOString() ?? null,
        finishedAt: run.closedAt?.toISOString() ?? null,
        uploaded: run.result ? run.result.uploaded : null,
        refused: run.refused,
        preorders: counts,
      });
    },
  );

  api.route(
    {
      method: 'get',
      path: '/stores/:id/preorders/:preorderId',
      summary: 'One preorder',
      tags: ['preorders'],
      access: 'user',
      params: PreorderParams,
      responses: { 200: { description: 'The preorder', schema: PreorderView } },
    },
    async ({ params }, req, res) => {
      res.json(preorderView(await scopeOf(req).storePreorder(params.id, params.preorderId)));
    },
  );

  api.route(
    {
      method: 'post',
      path: '/stores/:id/preorders',
      summary: 'Put a product on preorder',
      description:
        'The product leaves the demper at once (its price is no longer changed) and the preorder waits as a `draft` ' +
        'until it is uploaded to Kaspi. 409 when the product is already on preorder.',
      tags: ['preorders'],
      access: 'user',
      params: IdParams,
      body: CreateBody,
      bodyExample: {
        productId: '0b9f7c4e-2f1d-4d8a-9a44-6f1f2b7c3d10',
        days: 14,
        warehouses: [{ point: 1, quantity: 10 }],
        brand: 'Samsung',
      },
      responses: {
        201: { description: 'The preorder', schema: PreorderView },
        409: { description: 'The product is already on preorder' },
        422: { description: 'The product, a pickup point, the brand or the price is missing' },
      },
    },
    async ({ params, body }, req, res) => {
      const scope = scopeOf(req);
      const store = await scope.store(params.id);
      let created;
      try {
        created = await createPreorder(deps.db, store, body);
      } catch (error) {
        if (error instanceof PreorderRefused) throw refused(error.issues);
        if (error instanceof AlreadyOnPreorder) throw new HttpError(409, error.message);
        throw error;
      }
      res.status(201).location(`${api.prefix}/stores/${store.id}/preorders/${created.id}`).json(preorderView(created));
    },
  );

  api.route(
    {
      method: 'patch',
      path: '/stores/:id/preorders/:preorderId',
      summary: 'Change a preorder',
      description: 'Changes only the fields given; the preorder goes back to `draft` until it is uploaded again.',
      tags: ['preorders'],
      access: 'user',
      params: PreorderParams,
      body: PatchBody,
      bodyExample: { days: 10, warehouses: [{ point: 1, quantity: 5 }] },
      responses: {
        200: { description: 'The preorder', schema: PreorderView },
        422: { description: 'A pickup point the store does not have' },
      },
    },
    async ({ params, body }, req, res) => {
      const scope = scopeOf(req);
      const store = await scope.store(params.id);
      const preorder = await scope.storePreorder(store.id, params.preorderId);
      const issues = pointIssues(store.points, body.warehouses);
      if (issues.length > 0) throw refused(issues);
      const updated = await updatePreorder(deps.db, preorder, body);
      res.json(preorderView(updated));
    },
  );

  api.route(
    {
      method: 'delete',
      path: '/stores/:id/preorders/:preorderId',
      summary: 'Take a product off preorder',
      description:
        'The product goes back to the demper. A preorder that was uploaded is also taken off at Kaspi: the store’s ' +
        'demper loop pushes its offer with zero preorder days on every point; when that fails for good the merchant ' +
        'gets an alert saying why.',
      tags: ['preorders'],
      access: 'user',
      params: PreorderParams,
      responses: {
        204: { description: 'Deleted' },
        409: {
          description: "The preorder was uploaded and the store's demper loop is not running; nothing was deleted",
        },
        503: { description: 'The withdrawal at Kaspi could not start; nothing was deleted, try again' },
      },
    },
    async ({ params }, req, res) => {
      const scope = scopeOf(req);
      const store = await scope.store(params.id);
      const preorder = await scope.storePreorder(store.id, params.preorderId);
      if (preorder.uploadedAt) await requireLoop(store, 'take the preorder off at Kaspi');
      // Started before the row goes: if the delete then fails, the withdrawal finds the preorder still
      // there and sends nothing; the other way round a failed start would leave Kaspi showing it.
      if (preorder.uploadedAt) await startWithdrawal(store, preorder);
      await deletePreorder(deps.db, preorder);
      res.status(204).end();
    },
  );

  async function startWithdrawal(store: Store, preorder: Preorder) {
    try {
      await deps.temporal.workflow.start<typeof preorderWithdrawWorkflow>('preorderWithdrawWorkflow', {
        taskQueue: deps.config.temporal.taskQueue,
        workflowId: preorderWithdrawWorkflowId(store.id, preorder.sku),
        // A withdrawal of the same offer still running does the job for this one too.
        workflowIdConflictPolicy: 'USE_EXISTING',
        args: [
          {
            storeId: store.id,
            sku: preorder.sku,
            model: preorder.model,
            brand: preorder.brand ?? '',
            priceTenge: preorder.price,
            preorderId: preorder.id,
          },
        ],
        typedSearchAttributes: storeSearchAttributes(store),
      });
    } catch {
      throw new HttpError(503, 'Taking the preorder off at Kaspi could not start; try again in a minute.', {
        headers: { 'Retry-After': '60' },
      });
    }
  }

  api.route(
    {
      method: 'post',
      path: '/stores/:id/preorders/upload',
      summary: "Send the store's preorders to Kaspi",
      description:
        'Each preorder goes through Kaspi’s JSON pricefeed, one offer per push, sent by the store’s demper loop within ' +
        'the merchant’s write pace and change budget: the offer at every pickup point it has (and those the preorder ' +
        'names), `preOrder` days on them, the preorder’s price in every city. Then the public offers are watched: each ' +
        'preorder turns `processing`, then `active` once Kaspi shows it (or `failed` with the reason). No price-list ' +
        'file is uploaded (see `POST /stores/{id}/price-list/upload`).',
      tags: ['preorders'],
      access: 'user',
      params: IdParams,
      body: UploadBody,
      bodyExample: {},
      responses: {
        202: { description: 'The upload started', schema: z.object({ workflowId: z.string(), preorders: z.int() }) },
        409: { description: "The store's demper loop is not running" },
        422: { description: 'Nothing to upload, or the store has no cabinet session' },
        503: { description: 'The worker did not answer; try again' },
      },
    },
    async ({ params }, req, res) => {
      const scope = scopeOf(req);
      const store = await scope.store(params.id);
      const { total } = await scope.listPreorders(store.id, {}, { limit: 1, page: 1 });
      if (total === 0) throw new HttpError(422, 'The store has no preorders to upload.');
      if (!store.sessionEnc) throw new HttpError(422, 'The store has no Kaspi cabinet session: connect it first.');
      await requireLoop(store, 'push the preorders');
      const workflowId = preorderUploadWorkflowId(store.id);
      await startUpload(store, workflowId, { storeId: store.id });
      res.status(202).json({ workflowId, preorders: total });
    },
  );

  api.route(
    {
      method: 'post',
      path: '/stores/:id/price-list/upload',
      summary: 'Upload the whole assortment to Kaspi as one price-list file',
      description:
        'Kaspi takes a price list as the whole assortment and removes every offer the file leaves out, so this is only ' +
        'done when asked for (`wholeAssortment: true`). The file is built from the cabinet’s own list of offers on sale — ' +
        'each with its pickup points and prices as the cabinet shows them, the store’s preorders applied, no stock ' +
        'counts — and is refused (see `refused` in the upload’s status) when it would hold fewer offers than the ' +
        'cabinet: an item of the list that could not be read, an offer without a brand, a list shorter than Kaspi’s count.',
      tags: ['preorders'],
      access: 'user',
      params: IdParams,
      body: PriceListUploadBody,
      bodyExample: { format: 'xlsx', wholeAssortment: true },
      responses: {
        202: { description: 'The upload started; follow it with GET', schema: z.object({ workflowId: z.string() }) },
        422: { description: 'The store has no cabinet session' },
        503: { description: 'The worker did not answer; try again' },
      },
    },
    async ({ params, body }, req, res) => {
      const store = await scopeOf(req).store(params.id);
      if (!store.sessionEnc) throw new HttpError(422, 'The store has no Kaspi cabinet session: connect it first.');
      const workflowId = priceListUploadWorkflowId(store.id);
      await startUpload(store, workflowId, { storeId: store.id, priceList: { format: body.format } });
      res.status(202).json({ workflowId });
    },
  );

  api.route(
    {
      method: 'get',
      path: '/stores/:id/price-list/upload',
      summary: 'The latest whole-assortment upload',
      tags: ['preorders'],
      access: 'user',
      params: IdParams,
      responses: { 200: { description: 'Its state and outcome', schema: PriceListUploadView } },
    },
    async ({ params }, req, res) => {
      const store = await scopeOf(req).store(params.id);
      const run = await uploadRun(deps.temporal, priceListUploadWorkflowId(store.id));
      res.json({
        state: run.state,
        offers: run.result?.offers ?? null,
        preorders: run.result ? run.result.uploaded : null,
        refused: run.refused,
        unexpectedBody: run.result?.unexpectedBody ?? null,
      });
    },
  );

  async function startUpload(store: Store, workflowId: string, input: PreorderUploadInput) {
    try {
      await deps.temporal.workflow.start<typeof preorderUploadWorkflow>('preorderUploadWorkflow', {
        taskQueue: deps.config.temporal.taskQueue,
        workflowId,
        // The newest upload carries every preorder as it is now: it replaces one still watching the last.
        workflowIdConflictPolicy: 'TERMINATE_EXISTING',
        args: [input],
        typedSearchAttributes: storeSearchAttributes(store),
      });
    } catch {
      throw new HttpError(503, 'The upload could not start; try again in a minute.', {
        headers: { 'Retry-After': '60' },
      });
    }
  }
}
