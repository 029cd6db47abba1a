import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { api, data } from '../api/client';
import type { components } from '../api/schema';

export type Store = components['schemas']['Store'];

export const storesKey = ['stores'] as const;

export function useStores() {
  return useQuery({
    queryKey: storesKey,
    queryFn: async () => data(await api.GET('/api/v1/stores', { params: { query: { limit: 200 } } })).items,
  });
}

const LAST_STORE = 'kd.store';

export function rememberStore(storeId: string): void {
  localStorage.setItem(LAST_STORE, storeId);
}

/**
 * The store the merchant is looking at: the one in the address, else the last one chosen, else the
 * first connected.
 */
export function useCurrentStoreId(): string | null {
  const { storeId } = useParams();
  const stores = useStores();
  if (storeId) return storeId;
  const last = localStorage.getItem(LAST_STORE);
  const list = stores.data ?? [];
  if (last && list.some((s) => s.id === last)) return last;
  return list[0]?.id ?? null;
}
