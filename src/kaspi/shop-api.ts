import { z } from 'zod';
import { KaspiError } from './errors';
import { kaspiRequest, type ShopApiContext } from './http';
import { idString } from './offers';

/** The tab an order is on (`filter[orders][state]`). ARCHIVE orders come back only when asked for explicitly. */
export const ORDER_STATES = ['NEW', 'SIGN_REQUIRED', 'PICKUP', 'DELIVERY', 'KASPI_DELIVERY', 'ARCHIVE'] as const;
export type OrderState = (typeof ORDER_STATES)[number];

/** What actually happened to the order; use this, not `state`, for logic. */
export const ORDER_STATUSES = [
  'APPROVED_BY_BANK',
  'ACCEPTED_BY_MERCHANT',
  'COMPLETED',
  'CANCELLED',
  'CANCELLING',
  'KASPI_DELIVERY_RETURN_REQUESTED',
  'RETURNED',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const MAX_ORDERS_PAGE_SIZE = 100;
export const MAX_CREATION_WINDOW_MS = 14 * 24 * 3600_000;

const jsonApiHeaders = (ctx: ShopApiContext) => ({
  'x-auth-token': ctx.shopApiToken,
  'content-type': 'application/vnd.api+json',
  accept: 'application/vnd.api+json',
});

export const orderSchema = z.object({
  type: z.literal('orders'),
  id: idString,
  attributes: z.object({
    code: idString,
    totalPrice: z.number(),
    paymentMode: z.string().nullish(),
    creationDate: z.number(),
    approvedByBankDate: z.number().nullish(),
    plannedDeliveryDate: z.number().nullish(),
    state: z.string(),
    status: z.string(),
    deliveryMode: z.string().nullish(),
    isKaspiDelivery: z.boolean().nullish(),
    deliveryCost: z.number().nullish(),
    preOrder: z.boolean().nullish(),
    signatureRequired: z.boolean().nullish(),
    pickupPointId: z.string().nullish(),
    deliveryAddress: z.object({ town: z.string().nullish(), formattedAddress: z.string().nullish() }).nullish(),
    customer: z
      .object({
        id: idString.nullish(),
        name: z.string().nullish(),
        cellPhone: z.string().nullish(),
        firstName: z.string().nullish(),
        lastName: z.string().nullish(),
      })
      .nullish(),
  }),
});

export const ordersResponseSchema = z.object({
  data: z.array(orderSchema),
  meta: z
    .object({
      pageCount: z.number().int().nonnegative().nullish(),
      totalPages: z.number().int().nonnegative().nullish(),
      totalCount: z.number().int().nonnegative().nullish(),
    })
    .nullish(),
});

export interface ShopOrder {
  /** The JSON:API id, used for the entries link. */
  id: string;
  /** The order number the merchant and buyer see. */
  code: string;
  state: string;
  status: string;
  totalPriceTenge: number;
  deliveryCostTenge: number;
  paymentMode: string | null;
  creationDateMs: number;
  approvedByBankDateMs: number | null;
  plannedDeliveryDateMs: number | null;
  deliveryMode: string | null;
  isKaspiDelivery: boolean;
  preOrder: boolean;
  signatureRequired: boolean;
  pickupPointId: string | null;
  town: string | null;
  customer: { id: string | null; firstName: string | null; lastName: string | null; cellPhone: string | null };
}

export function toShopOrder(raw: z.infer<typeof orderSchema>): ShopOrder {
  const a = raw.attributes;
  return {
    id: raw.id,
    code: a.code,
    state: a.state,
    status: a.status,
    totalPriceTenge: Math.floor(a.totalPrice),
    deliveryCostTenge: Math.floor(a.deliveryCost ?? 0),
    paymentMode: a.paymentMode ?? null,
    creationDateMs: a.creationDate,
    approvedByBankDateMs: a.approvedByBankDate ?? null,
    plannedDeliveryDateMs: a.plannedDeliveryDate ?? null,
    deliveryMode: a.deliveryMode ?? null,
    isKaspiDelivery: a.isKaspiDelivery ?? false,
    preOrder: a.preOrder ?? false,
    signatureRequired: a.signatureRequired ?? false,
    pickupPointId: a.pickupPointId ?? null,
    town: a.deliveryAddress?.town ?? null,
    customer: {
      id: a.customer?.id ?? null,
      firstName: a.customer?.firstName ?? null,
      lastName: a.customer?.lastName ?? null,
      cellPhone: a.customer?.cellPhone ?? null,
    },
  };
}

export interface OrdersFilter {
  /** Required by Kaspi: orders created at or after this time. */
  creationDateFromMs: number;
  /** Defaults to now; the window may span at most 14 days. */
  creationDateToMs?: number;
  state?: OrderState;
  status?: OrderStatus;
  deliveryType?: 'PICKUP' | 'DELIVERY';
  signatureRequired?: boolean;
  code?: string;
}

export interface OrdersPage {
  orders: ShopOrder[];
  pageCount: number;
  totalCount: number;
}

export function toOrdersPage(body: z.infer<typeof ordersResponseSchema>): OrdersPage {
  return {
    orders: body.data.map(toShopOrder),
    pageCount: body.meta?.pageCount ?? body.meta?.totalPages ?? 1,
    totalCount: body.meta?.totalCount ?? body.data.length,
  };
}

/** Kaspi wants the brackets literal, so the query string is built by hand. */
export function ordersQuery(filter: OrdersFilter, page: number, size: number, nowMs = Date.now()): string {
  const bad = (detail: string) => new KaspiError({ kind: 'bad_request', endpoint: 'orders', detail });
  if (!Number.isInteger(size) || size < 1 || size > MAX_ORDERS_PAGE_SIZE)
    throw bad(`size must be 1–${MAX_ORDERS_PAGE_SIZE}`);
  if (!Number.isInteger(page) || page < 0) throw bad('page must be 0 or more');
  const to = filter.creationDateToMs ?? nowMs;
  if (to < filter.creationDateFromMs) throw bad('creationDateToMs is before creationDateFromMs');
  if (to - filter.creationDateFromMs > MAX_CREATION_WINDOW_MS)
    throw bad('the creation date window may span at most 14 days');
  const params: [string, string | number | boolean | undefined][] = [
    ['page[number]', page],
    ['page[size]', size],
    ['filter[orders][creationDate][$ge]', filter.creationDateFromMs],
    ['filter[orders][creationDate][$le]', to],
    ['filter[orders][state]', filter.state],
    ['filter[orders][status]', filter.status],
    ['filter[orders][deliveryType]', filter.deliveryType],
    ['filter[orders][signatureRequired]', filter.signatureRequired],
    ['filter[orders][code]', filter.code],
  ];
  return params
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${encodeURIComponent(String(value))}`)
    .join('&');
}

/** GET `/v2/orders` — one page (`page[number]` is 0-based, `page[size]` ≤ 100). */
export async function fetchOrdersPage(
  ctx: ShopApiContext,
  params: { filter: OrdersFilter; page: number; size?: number },
): Promise<OrdersPage> {
  const query = ordersQuery(params.filter, params.page, params.size ?? MAX_ORDERS_PAGE_SIZE);
  const body = await kaspiRequest(ctx, {
    endpoint: 'orders',
    surface: 'shop_api',
    method: 'GET',
    url: `${ctx.urls.shopApiUrl}/v2/orders?${query}`,
    headers: jsonApiHeaders(ctx),
    schema: ordersResponseSchema,
  });
  return toOrdersPage(body);
}

/**
 * Every order matching the filter, all pages. Pages can overlap while orders move between tabs, so an
 * order seen twice is kept once (the later copy wins).
 */
export async function fetchOrders(
  ctx: ShopApiContext,
  params: { filter: OrdersFilter; size?: number; maxPages?: number },
): Promise<ShopOrder[]> {
  const byId = new Map<string, ShopOrder>();
  const maxPages = params.maxPages ?? 1000;
  // Pin the window's end so every page asks the same question.
  const filter = { ...params.filter, creationDateToMs: params.filter.creationDateToMs ?? Date.now() };
  for (let page = 0; page < maxPages; page++) {
    const result = await fetchOrdersPage(ctx, { filter, page, size: params.size });
    for (const order of result.orders) byId.set(order.id, order);
    if (page + 1 >= result.pageCount || result.orders.length === 0) break;
  }
  return [...byId.values()];
}

/**
 * One order line. Kaspi names the ordered offer in `attributes.offer`; older answers leave it out and
 * link the line's `product` (a master product, which in turn links the merchant's own product, whose
 * code is the SKU).
 */
export const orderEntrySchema = z.object({
  type: z.string(),
  id: idString,
  attributes: z.object({
    quantity: z.number(),
    totalPrice: z.number(),
    basePrice: z.number().nullish(),
    entryNumber: z.number().nullish(),
    deliveryCost: z.number().nullish(),
    offer: z.object({ code: z.string(), name: z.string().nullish() }).nullish(),
    category: z.object({ code: z.string().nullish(), title: z.string().nullish() }).nullish(),
  }),
});

export const orderEntriesResponseSchema = z.object({ data: z.array(orderEntrySchema) });

export interface OrderEntry {
  id: string;
  /** The merchant's SKU of the ordered offer. */
  sku: string;
  name: string | null;
  quantity: number;
  basePriceTenge: number;
  totalPriceTenge: number;
}

/** A line; `sku` is null when the answer is of the older shape and the product must be looked up. */
export function toOrderEntry(raw: z.infer<typeof orderEntrySchema>): Omit<OrderEntry, 'sku'> & { sku: string | null } {
  const a = raw.attributes;
  return {
    id: raw.id,
    sku: a.offer?.code ?? null,
    name: a.offer?.name ?? null,
    quantity: a.quantity,
    basePriceTenge: Math.floor(a.basePrice ?? a.totalPrice / Math.max(1, a.quantity)),
    totalPriceTenge: Math.floor(a.totalPrice),
  };
}

/** A JSON:API product resource: the line's master product, or the merchant's product behind it. */
export const productResourceSchema = z.object({
  data: z.object({
    id: idString,
    attributes: z.object({ code: idString.nullish(), name: z.string().nullish() }).nullish(),
    relationships: z
      .object({ merchantProduct: z.object({ links: z.object({ related: z.string().nullish() }).nullish() }).nullish() })
      .nullish(),
  }),
});

async function fetchProductResource(ctx: ShopApiContext, url: string) {
  return kaspiRequest(ctx, {
    endpoint: 'order_entry_product',
    surface: 'shop_api',
    method: 'GET',
    url,
    headers: jsonApiHeaders(ctx),
    schema: productResourceSchema,
  });
}

/**
 * The SKU and name of an older-shape line: GET `/v2/orderentries/{id}/product`, then its merchant
 * product. The token goes only to our own Shop API base, whatever link an answer carries.
 */
async function lookUpEntryProduct(ctx: ShopApiContext, entryId: string): Promise<{ sku: string; name: string | null }> {
  const base = ctx.urls.shopApiUrl;
  const product = await fetchProductResource(ctx, `${base}/v2/orderentries/${encodeURIComponent(entryId)}/product`);
  const link = product.data.relationships?.merchantProduct?.links?.related;
  const merchantProductUrl =
    link && link.startsWith(`${base}/`)
      ? link
      : `${base}/v2/masterproducts/${encodeURIComponent(product.data.id)}/merchantProduct`;
  const merchantProduct = await fetchProductResource(ctx, merchantProductUrl).catch((error: unknown) => {
    if (error instanceof KaspiError && error.kind === 'not_found') return null;
    throw error;
  });
  const sku = merchantProduct?.data.attributes?.code ?? product.data.attributes?.code;
  if (!sku)
    throw new KaspiError({
      kind: 'malformed',
      endpoint: 'order_entry_product',
      detail: `no product code for entry ${entryId}`,
    });
  return { sku, name: merchantProduct?.data.attributes?.name ?? product.data.attributes?.name ?? null };
}

/** GET `/v2/orders/{id}/entries` — the order's lines (the list response does not carry them). */
export async function fetchOrderEntries(ctx: ShopApiContext, orderId: string): Promise<OrderEntry[]> {
  const body = await kaspiRequest(ctx, {
    endpoint: 'order_entries',
    surface: 'shop_api',
    method: 'GET',
    url: `${ctx.urls.shopApiUrl}/v2/orders/${encodeURIComponent(orderId)}/entries`,
    headers: jsonApiHeaders(ctx),
    schema: orderEntriesResponseSchema,
  });
  const entries: OrderEntry[] = [];
  for (const raw of body.data) {
    const entry = toOrderEntry(raw);
    if (entry.sku !== null) entries.push({ ...entry, sku: entry.sku });
    else entries.push({ ...entry, ...(await lookUpEntryProduct(ctx, entry.id)) });
  }
  return entries;
}
