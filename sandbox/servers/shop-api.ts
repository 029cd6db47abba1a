import express, { type Request, type Response } from 'express';
import type { Order } from '../orders';
import { endpointFault, tag, type SandboxState } from './common';

const JSON_API = 'application/vnd.api+json';
const FOURTEEN_DAYS_MS = 14 * 24 * 3600_000;

function jsonApiError(res: Response, status: number, title: string): void {
  res
    .status(status)
    .type(JSON_API)
    .send(JSON.stringify({ errors: [{ status: String(status), title }] }));
}

/** The official Shop API at `kaspi.kz/shop/api`: JSON:API orders and their entries, by `X-Auth-Token`. */
export function shopApiRouter(state: SandboxState): express.Router {
  const router = express.Router();

  /** Token, User-Agent and the JSON:API content type, as Kaspi insists on them. */
  const merchantFor = (req: Request, res: Response): string | undefined => {
    const merchantUid = state.auth.shopTokens.get(req.get('x-auth-token') ?? '');
    if (!merchantUid) {
      jsonApiError(res, 401, 'Invalid token');
      return undefined;
    }
    if (!req.get('user-agent')) {
      jsonApiError(res, 400, 'User-Agent is required');
      return undefined;
    }
    if (!(req.get('content-type') ?? '').includes(JSON_API)) {
      jsonApiError(res, 415, `Content-Type must be ${JSON_API}`);
      return undefined;
    }
    return merchantUid;
  };

  router.get('/v2/orders', async (req, res) => {
    tag(res, 'orders');
    const merchantUid = merchantFor(req, res);
    if (!merchantUid) return;
    if (await endpointFault(state, 'orders', req, res)) return;
    // Bracketed keys are read literally, the way Kaspi documents them.
    const q = new URL(req.originalUrl, 'http://sandbox').searchParams;
    const page = Number(q.get('page[number]') ?? 0);
    const size = Number(q.get('page[size]') ?? 20);
    const fromMs = Number(q.get('filter[orders][creationDate][$ge]'));
    const toMs = q.has('filter[orders][creationDate][$le]')
      ? Number(q.get('filter[orders][creationDate][$le]'))
      : Date.now();
    if (!Number.isInteger(page) || page < 0) return jsonApiError(res, 400, 'page[number] must be 0 or more');
    if (!Number.isInteger(size) || size < 1 || size > 100) return jsonApiError(res, 400, 'page[size] must be 1..100');
    if (!q.has('filter[orders][creationDate][$ge]') || !Number.isFinite(fromMs)) {
      return jsonApiError(res, 400, 'filter[orders][creationDate][$ge] is required');
    }
    if (!Number.isFinite(toMs) || toMs < fromMs || toMs - fromMs > FOURTEEN_DAYS_MS) {
      return jsonApiError(res, 400, 'creationDate period must be at most 14 days');
    }
    const result = state.orders.query({
      merchantUid,
      fromMs,
      toMs,
      state: q.get('filter[orders][state]') ?? undefined,
      status: q.get('filter[orders][status]') ?? undefined,
      deliveryType: q.get('filter[orders][deliveryType]') ?? undefined,
      code: q.get('filter[orders][code]') ?? undefined,
      page,
      size,
    });
    res.type(JSON_API).send(
      JSON.stringify({
        data: result.orders.map((o) => orderJson(o, state.urls.shopApiUrl)),
        included: [],
        meta: { pageCount: result.pageCount, totalCount: result.totalCount },
      }),
    );
  });

  router.get('/v2/orders/:id/entries', async (req, res) => {
    tag(res, 'order_entries');
    const merchantUid = merchantFor(req, res);
    if (!merchantUid) return;
    if (await endpointFault(state, 'order_entries', req, res)) return;
    const order = state.orders.get(req.params.id!);
    if (!order || order.merchantUid !== merchantUid) return jsonApiError(res, 404, 'Order not found');
    const legacy = state.orders.anomaliesOf(merchantUid).legacyEntries === true;
    res.type(JSON_API).send(
      JSON.stringify({
        data: order.entries.map((e, i) => ({
          type: 'orderentries',
          id: e.id,
          attributes: {
            quantity: e.quantity,
            totalPrice: e.totalPrice,
            basePrice: e.basePrice,
            entryNumber: i,
            deliveryCost: 0,
            ...(legacy
              ? {}
              : {
                  unitType: 'PIECE',
                  offer: { code: e.sku, name: e.name ?? e.sku },
                  category: { code: 'Master - Misc', title: 'Разное' },
                }),
          },
          relationships: {
            product: { links: { related: `${state.urls.shopApiUrl}/v2/orderentries/${e.id}/product` } },
          },
        })),
      }),
    );
  });

  /** An order line's product: the card (master product), linking the merchant's own product behind it. */
  router.get('/v2/orderentries/:id/product', async (req, res) => {
    tag(res, 'order_entries');
    const merchantUid = merchantFor(req, res);
    if (!merchantUid) return;
    const found = state.orders.entry(req.params.id!);
    if (!found || found.order.merchantUid !== merchantUid) return jsonApiError(res, 404, 'Entry not found');
    const productId = state.market.offer(merchantUid, found.entry.sku)?.productId ?? found.entry.sku;
    res.type(JSON_API).send(
      JSON.stringify({
        data: {
          type: 'masterproducts',
          id: `${productId}~${found.entry.id}`,
          attributes: {
            code: productId,
            name: state.market.products.get(productId)?.title ?? found.entry.name ?? found.entry.sku,
          },
          relationships: {
            merchantProduct: {
              links: {
                related: `${state.urls.shopApiUrl}/v2/masterproducts/${productId}~${found.entry.id}/merchantProduct`,
              },
            },
          },
        },
      }),
    );
  });

  router.get('/v2/masterproducts/:id/merchantProduct', async (req, res) => {
    tag(res, 'order_entries');
    const merchantUid = merchantFor(req, res);
    if (!merchantUid) return;
    const entryId = req.params.id!.split('~')[1] ?? '';
    const found = state.orders.entry(entryId);
    if (!found || found.order.merchantUid !== merchantUid) return jsonApiError(res, 404, 'Product not found');
    res.type(JSON_API).send(
      JSON.stringify({
        data: {
          type: 'merchantproducts',
          id: `${merchantUid}~${found.entry.sku}`,
          attributes: { code: found.entry.sku, name: found.entry.name ?? found.entry.sku, manufacturer: null },
        },
      }),
    );
  });

  return router;
}

function orderJson(o: Order, shopApiUrl: string) {
  return {
    type: 'orders',
    id: o.id,
    attributes: {
      code: o.code,
      totalPrice: o.totalPrice,
      paymentMode: 'PAY_WITH_CREDIT',
      creationDate: o.creationDateMs,
      approvedByBankDate: o.creationDateMs + 45_000,
      plannedDeliveryDate: o.creationDateMs + 3 * 24 * 3600_000,
      state: o.state,
      status: o.status,
      deliveryMode: o.deliveryMode,
      isKaspiDelivery: o.isKaspiDelivery,
      deliveryCost: 0,
      deliveryCostForSeller: 0,
      preOrder: o.preOrder,
      signatureRequired: o.signatureRequired,
      creditTerm: 0,
      pickupPointId: o.pickupPointId,
      deliveryAddress: null,
      customer: {
        id: o.customer.id,
        name: null,
        cellPhone: o.customer.cellPhone,
        firstName: o.customer.firstName,
        lastName: o.customer.lastName,
      },
    },
    relationships: {
      user: { data: { type: 'customers', id: o.customer.id } },
      entries: { links: { related: `${shopApiUrl}/v2/orders/${o.id}/entries` } },
    },
  };
}
