import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { openFrom } from '../../db/sealed-columns';
import { ORDER_STATES, ORDER_STATUSES } from '../../kaspi/shop-api';
import { maskPhone } from '../../logins/phone';
import { SALES_GROUPS, salesReport } from '../../orders/sales';
import { salesWorkbook } from '../../orders/sales-workbook';
import { XLSX_CONTENT_TYPE } from '../../lib/spreadsheet';
import { pollOrdersNow } from '../../stores/orders-poll';
import { ordersPollStatusQuery, ordersPollWorkflowId } from '../../workflows/messages';
import type { ApiDeps } from '../app';
import { currentUser } from '../auth';
import { HttpError } from '../problem';
import type { ApiRouter } from '../routing';
import { IdParams, PaginationQuery, Tenge, Timestamp, Uuid, paginated, XLSX_RESPONSE } from '../schemas';
import { tenantScope, type Order } from '../tenancy';

export const OrderView = z
  .object({
    id: Uuid,
    storeId: Uuid,
    code: z.string().meta({ description: "Kaspi's order number", example: '790686780' }),
    status: z
      .string()
      .meta({ description: 'What happened to the order (Kaspi `status`)', example: 'ACCEPTED_BY_MERCHANT' }),
    state: z.string().meta({ description: 'The cabinet tab it is on (Kaspi `state`)', example: 'PICKUP' }),
    totalPrice: Tenge,
    deliveryMode: z.string().nullable().meta({ example: 'DELIVERY_PICKUP' }),
    isKaspiDelivery: z.boolean().nullable(),
    customerName: z.string().nullable(),
    customerPhone: z
      .string()
      .nullable()
      .meta({ description: 'Masked; the full number is kept encrypted', example: '+7 (701) ***-**-67' }),
    entries: z.array(
      z.object({
        sku: z.string(),
        name: z.string(),
        quantity: z.int(),
        basePrice: Tenge,
        totalPrice: Tenge,
      }),
    ),
    creationDate: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Order' });

const OrdersQuery = PaginationQuery.extend({
  status: z.enum(ORDER_STATUSES).optional().meta({ description: 'Only orders with this Kaspi status' }),
  state: z.enum(ORDER_STATES).optional().meta({ description: 'Only orders on this cabinet tab' }),
  code: z
    .string()
    .regex(/^\d{1,20}$/, 'must be an order number')
    .optional(),
  from: Timestamp.optional().meta({ description: 'Created at or after' }),
  to: Timestamp.optional().meta({ description: 'Created at or before' }),
});

const DAY_MS = 86_400_000;
const MAX_SALES_DAYS = 400;

const SalesQuery = z
  .strictObject({
    from: Timestamp.optional().meta({ description: 'Start (inclusive); default 30 days before `to`' }),
    to: Timestamp.optional().meta({ description: 'End (exclusive); default now' }),
    groupBy: z.enum(SALES_GROUPS).default('day').meta({ description: 'Almaty days, weeks (from Monday) or months' }),
  })
  .transform((q, ctx) => {
    const to = q.to ? new Date(q.to) : new Date();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * DAY_MS);
    if (from >= to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be before to' });
    if (to.getTime() - from.getTime() > MAX_SALES_DAYS * DAY_MS) {
      ctx.addIssue({ code: 'custom', path: ['from'], message: `the period may span at most ${MAX_SALES_DAYS} days` });
    }
    return { from, to, groupBy: q.groupBy };
  });

const Figures = {
  revenue: Tenge.meta({ description: 'Total of orders not cancelled or returned' }),
  orders: z.int(),
  averageCheck: Tenge,
  cancellations: z.int().meta({ description: 'Orders cancelled, being cancelled or returned' }),
  cancelledRevenue: Tenge,
};

const SalesView = z
  .object({
    from: Timestamp,
    to: Timestamp,
    groupBy: z.enum(SALES_GROUPS),
    totals: z.object({
      ...Figures,
      cancellationRatePercent: z.number().meta({ description: 'Kaspi restricts shops above 3 %' }),
    }),
    periods: z.array(
      z.object({
        period: z.string().meta({ description: 'First Almaty day of the period', example: '2026-11-16' }),
        ...Figures,
      }),
    ),
    topProducts: z.array(
      z.object({ sku: z.string(), name: z.string(), quantity: z.int(), revenue: Tenge, orders: z.int() }),
    ),
  })
  .meta({ id: 'Sales' });

const PollStatusView = z
  .object({
    running: z.boolean(),
    status: z
      .object({
        phase: z.enum(['polling', 'waiting', 'stopped']),
        lastPollAt: Timestamp.nullable(),
        nextPollAt: Timestamp.nullable(),
        lastError: z.string().nullable(),
        watermark: Timestamp.nullable().meta({ description: 'The newest Kaspi creation date stored' }),
        polls: z.int(),
        newOrders: z.int(),
        statusChanges: z.int(),
        messagesQueued: z.int(),
        messagesSent: z.int(),
      })
      .nullable(),
  })
  .meta({ id: 'OrdersPollStatus' });

/** How long the API waits for the poll workflow to answer a query. */
const QUERY_TIMEOUT_MS = 5_000;

export function orderRoutes(api: ApiRouter, deps: Pick<ApiDeps, 'db' | 'keyring' | 'temporal'>) {
  const view = (order: Order): z.infer<typeof OrderView> => {
    const phone = order.customerPhoneEnc
      ? openFrom(deps.keyring, 'orderCustomerPhone', order.id, order.customerPhoneEnc)
      : null;
    return {
      id: order.id,
      storeId: order.storeId,
      code: order.code,
      status: order.status,
      state: order.state,
      totalPrice: order.totalPrice,
      deliveryMode: order.deliveryMode,
      isKaspiDelivery: order.isKaspiDelivery,
      customerName: order.customerName,
      customerPhone: phone ? maskPhone(phone) : null,
      entries: order.entries,
      creationDate: order.creationDate.toISOString(),
      updatedAt: order.updatedAt.toISOString(),
    };
  };

  api.route(
    {
      method: 'get',
      path: '/stores/:id/orders',
      summary: "The store's orders",
      description: 'As the orders poll stored them from the Shop API, newest first.',
      tags: ['orders'],
      access: 'user',
      params: IdParams,
      query: OrdersQuery,
      responses: { 200: { description: 'Orders', schema: paginated(OrderView, 'OrderPage') } },
    },
    async ({ params, query }, req, res) => {
      const { limit, page, from, to, ...filters } = query;
      const { items, total } = await tenantScope(deps.db, currentUser(req).userId).listOrders(
        params.id,
        { ...filters, from: from ? new Date(from) : undefined, to: to ? new Date(to) : undefined },
        { limit, page },
      );
      res.json({ items: items.map(view), page, limit, total });
    },
  );

  api.route(
    {
      method: 'get',
      path: '/orders/:id',
      summary: 'One order',
      tags: ['orders'],
      access: 'user',
      params: IdParams,
      responses: { 200: { description: 'The order', schema: OrderView } },
    },
    async ({ params }, req, res) => {
      res.json(view(await tenantScope(deps.db, currentUser(req).userId).order(params.id)));
    },
  );

  api.route(
    {
      method: 'get',
      path: '/stores/:id/sales',
      summary: "The store's sales",
      description:
        'Revenue, orders, average check and cancellations per Almaty day, week or month, and the best-selling SKUs, ' +
        'from the stored orders.',
      tags: ['orders'],
      access: 'user',
      params: IdParams,
      query: SalesQuery,
      responses: { 200: { description: 'Sales figures', schema: SalesView } },
    },
    async ({ params, query }, req, res) => {
      const store = await tenantScope(deps.db, currentUser(req).userId).store(params.id);
      const report = await salesReport(deps.db, { storeId: store.id, ...query });
      res.json({ from: query.from.toISOString(), to: query.to.toISOString(), groupBy: query.groupBy, ...report });
    },
  );

  api.route(
    {
      method: 'get',
      path: '/stores/:id/sales/export.xlsx',
      summary: "The store's sales as an Excel workbook",
      description: 'The same figures as `GET /stores/{id}/sales`, for the same query, as one sheet.',
      tags: ['orders'],
      access: 'user',
      params: IdParams,
      query: SalesQuery,
      responses: { 200: XLSX_RESPONSE },
    },
    async ({ params, query }, req, res) => {
      const store = await tenantScope(deps.db, currentUser(req).userId).store(params.id);
      const report = await salesReport(deps.db, { storeId: store.id, ...query });
      const file = await salesWorkbook(report, query);
      res
        .type(XLSX_CONTENT_TYPE)
        .attachment(`sales-${store.merchantUid}-${query.from.toISOString().slice(0, 10)}.xlsx`)
        .send(Buffer.from(file));
    },
  );

  api.route(
    {
      method: 'get',
      path: '/stores/:id/orders/poll',
      summary: "The store's orders poll",
      description:
        'Whether it runs (it does while the store has a Shop API token), its last and next poll, and its counts.',
      tags: ['orders'],
      access: 'user',
      params: IdParams,
      responses: {
        200: { description: 'The poll', schema: PollStatusView },
        503: { description: 'The poll did not answer; try again' },
      },
    },
    async ({ params }, req, res) => {
      const store = await tenantScope(deps.db, currentUser(req).userId).store(params.id);
      const handle = deps.temporal.workflow.getHandle(ordersPollWorkflowId(store.id));
      let running: boolean;
      try {
        running = (await handle.describe()).status.name === 'RUNNING';
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw unavailable();
        running = false;
      }
      if (!running) return void res.json({ running: false, status: null });
      const status = await Promise.race([
        handle.query(ordersPollStatusQuery),
        new Promise<never>((_, reject) => setTimeout(() => reject(unavailable()), QUERY_TIMEOUT_MS).unref()),
      ]).catch(() => {
        throw unavailable();
      });
      res.json({
        running: true,
        status: {
          phase: status.phase,
          lastPollAt: status.lastPollAt,
          nextPollAt: status.nextPollAt,
          lastError: status.lastError,
          watermark: status.watermarkMs === null ? null : new Date(status.watermarkMs).toISOString(),
          ...status.counters,
        },
      });
    },
  );

  api.route(
    {
      method: 'post',
      path: '/stores/:id/orders/poll',
      summary: 'Poll the store’s orders now',
      tags: ['orders'],
      access: 'user',
      params: IdParams,
      responses: {
        202: { description: 'The poll was asked to run now' },
        409: { description: 'No poll runs: set the store’s Shop API token first' },
      },
    },
    async ({ params }, req, res) => {
      const store = await tenantScope(deps.db, currentUser(req).userId).store(params.id);
      if (!(await pollOrdersNow(deps, store.id).catch(() => Promise.reject(unavailable())))) {
        throw new HttpError(409, 'The store has no orders poll: set its Shop API token first.');
      }
      res.status(202).end();
    },
  );
}

function unavailable(): HttpError {
  return new HttpError(503, 'The orders poll did not answer; try again in a minute.', {
    headers: { 'Retry-After': '60' },
  });
}
