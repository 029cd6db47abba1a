import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { api, data } from '../../api/client';
import type { components, paths } from '../../api/schema';

export type Order = components['schemas']['Order'];
type OrdersQuery = NonNullable<paths['/api/v1/stores/{id}/orders']['get']['parameters']['query']>;
export type OrderStatus = NonNullable<OrdersQuery['status']>;
export type OrderTab = NonNullable<OrdersQuery['state']> | 'all';

/** The cabinet's tabs, as Kaspi's own cabinet names them (`state`). */
export const ORDER_TABS: OrderTab[] = [
  'all',
  'NEW',
  'SIGN_REQUIRED',
  'PICKUP',
  'DELIVERY',
  'KASPI_DELIVERY',
  'ARCHIVE',
];
export const ORDERS_PAGE_SIZE = 25;

export interface OrdersListState {
  tab: OrderTab;
  status: OrderStatus | null;
  code: string;
  /** Almaty days, `YYYY-MM-DD`, both included; empty: unbounded. */
  from: string;
  to: string;
  page: number;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function readOrdersState(params: URLSearchParams): OrdersListState {
  const tab = params.get('state') ?? 'all';
  const status = params.get('status');
  const day = (key: string) => (DAY.test(params.get(key) ?? '') ? params.get(key)! : '');
  return {
    tab: (ORDER_TABS as string[]).includes(tab) ? (tab as OrderTab) : 'all',
    status: (ORDER_STATUSES as string[]).includes(status ?? '') ? (status as OrderStatus) : null,
    code: (params.get('code') ?? '').replace(/\D/g, ''),
    from: day('from'),
    to: day('to'),
    page: Math.max(1, Number(params.get('page')) || 1),
  };
}

export function writeOrdersState(state: OrdersListState): URLSearchParams {
  const params = new URLSearchParams();
  if (state.tab !== 'all') params.set('state', state.tab);
  if (state.status) params.set('status', state.status);
  if (state.code) params.set('code', state.code);
  if (state.from) params.set('from', state.from);
  if (state.to) params.set('to', state.to);
  if (state.page > 1) params.set('page', String(state.page));
  return params;
}

/** Almaty keeps UTC+5 all year: a merchant's day runs from 00:00 to 23:59:59.999 there. */
const almaty = (day: string, time: string) => new Date(`${day}T${time}+05:00`).toISOString();

export function ordersApiQuery(state: OrdersListState): OrdersQuery {
  const query: OrdersQuery = { limit: ORDERS_PAGE_SIZE, page: state.page };
  if (state.tab !== 'all') query.state = state.tab;
  if (state.status) query.status = state.status;
  if (state.code) query.code = state.code;
  if (state.from) query.from = almaty(state.from, '00:00:00.000');
  if (state.to) query.to = almaty(state.to, '23:59:59.999');
  return query;
}

export function ordersListQuery(storeId: string, query: OrdersQuery) {
  return queryOptions({
    queryKey: ['orders', storeId, query],
    queryFn: async () =>
      data(await api.GET('/api/v1/stores/{id}/orders', { params: { path: { id: storeId }, query } })),
    placeholderData: keepPreviousData,
    refetchInterval: 30_000,
  });
}

/**
 * How an order's status reads at a glance: green sold, red lost, blue still moving. Keyed by every
 * status the API names, so the list of statuses is its keys.
 */
export const STATUS_COLORS: Record<OrderStatus, string> = {
  APPROVED_BY_BANK: 'blue',
  ACCEPTED_BY_MERCHANT: 'cyan',
  COMPLETED: 'green',
  CANCELLED: 'red',
  CANCELLING: 'orange',
  KASPI_DELIVERY_RETURN_REQUESTED: 'orange',
  RETURNED: 'red',
};

export const ORDER_STATUSES = Object.keys(STATUS_COLORS) as OrderStatus[];
