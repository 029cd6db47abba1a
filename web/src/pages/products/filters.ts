import { queryOptions } from '@tanstack/react-query';
import { api, data } from '../../api/client';
import type { paths } from '../../api/schema';
import { productsKey } from '../../lib/products';

export type ListQuery = NonNullable<paths['/api/v1/stores/{id}/products']['get']['parameters']['query']>;

/** The quick filters above the list; each maps to the API's own query parameters. */
export const FILTERS = ['all', 'active', 'not_first', 'at_floor', 'price_war', 'no_floor', 'error'] as const;
export type Filter = (typeof FILTERS)[number];

export const SORTS = [
  'name',
  '-gap',
  'position',
  'price',
  '-price',
  '-lastCheckAt',
  'nextCheckAt',
  '-createdAt',
] as const;
export type Sort = (typeof SORTS)[number];

export const PAGE_SIZE = 50;

export interface ListState {
  filter: Filter;
  search: string;
  sort: Sort;
  page: number;
}

export function readListState(params: URLSearchParams): ListState {
  const filter = params.get('state') ?? (params.get('active') === 'true' ? 'active' : 'all');
  const sort = params.get('sort');
  return {
    filter: (FILTERS as readonly string[]).includes(filter) ? (filter as Filter) : 'all',
    search: params.get('q') ?? '',
    sort: (SORTS as readonly string[]).includes(sort ?? '') ? (sort as Sort) : 'name',
    page: Math.max(1, Number(params.get('page')) || 1),
  };
}

export function writeListState(state: ListState): URLSearchParams {
  const params = new URLSearchParams();
  if (state.filter === 'active') params.set('active', 'true');
  else if (state.filter !== 'all') params.set('state', state.filter);
  if (state.search) params.set('q', state.search);
  if (state.sort !== 'name') params.set('sort', state.sort);
  if (state.page > 1) params.set('page', String(state.page));
  return params;
}

export function apiQuery(state: ListState): ListQuery {
  const query: ListQuery = { limit: PAGE_SIZE, page: state.page, sort: state.sort };
  if (state.filter === 'active') query.active = 'true';
  else if (state.filter !== 'all') query.state = state.filter;
  if (state.search.trim()) query.search = state.search.trim();
  return query;
}

/** One page of a store's list as the screen asks for it, so the route can start the request before the screen draws. */
export function productListQuery(storeId: string, query: ListQuery) {
  return queryOptions({
    queryKey: [...productsKey(storeId), query],
    queryFn: async () =>
      data(await api.GET('/api/v1/stores/{id}/products', { params: { path: { id: storeId }, query } })),
  });
}
