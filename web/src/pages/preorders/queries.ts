import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { api, data } from '../../api/client';
import type { components } from '../../api/schema';

export type PreorderStatus = components['schemas']['Preorder']['status'];
export type PreorderUpload = components['schemas']['PreorderUpload'];

export const PREORDERS_PAGE_SIZE = 25;

/** How a preorder's state reads at a glance: grey not sent, blue waiting for Kaspi, green shown, red failed. */
export const STATUS_COLORS: Record<PreorderStatus, string> = {
  draft: 'gray',
  processing: 'blue',
  active: 'green',
  failed: 'red',
};
export const PREORDER_STATUSES = Object.keys(STATUS_COLORS) as PreorderStatus[];

/** Everything cached about a store's preorders: the lists and the upload. */
export const preordersKey = (storeId: string) => ['preorders', storeId] as const;

/** While an upload runs the states move by the second; otherwise they change only when the merchant acts. */
const pollWhile = (running: boolean) => (running ? 2_000 : 30_000);

export function preorderListQuery(storeId: string, status: PreorderStatus | null, page: number, uploading: boolean) {
  const query = { limit: PREORDERS_PAGE_SIZE, page, ...(status ? { status } : {}) };
  return queryOptions({
    queryKey: [...preordersKey(storeId), 'list', query],
    queryFn: async () =>
      data(await api.GET('/api/v1/stores/{id}/preorders', { params: { path: { id: storeId }, query } })),
    placeholderData: keepPreviousData,
    // A preorder waiting for Kaspi may turn active any moment, also after the upload's run has ended.
    refetchInterval: (q) => pollWhile(uploading || !!q.state.data?.items.some((p) => p.status === 'processing')),
  });
}

export function preorderUploadQuery(storeId: string) {
  return queryOptions({
    queryKey: [...preordersKey(storeId), 'upload'],
    queryFn: async () =>
      data(await api.GET('/api/v1/stores/{id}/preorders/upload', { params: { path: { id: storeId } } })),
    refetchInterval: (query) => pollWhile(query.state.data?.state === 'running'),
  });
}
