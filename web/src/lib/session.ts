import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, data } from '../api/client';

export const meKey = ['me'] as const;

/** The signed-in merchant; a 401 here means nobody is signed in. */
export const meQuery = queryOptions({
  queryKey: meKey,
  queryFn: async () => data(await api.GET('/api/v1/me')),
  staleTime: 60_000,
  retry: false,
});

export function useMe() {
  return useQuery(meQuery);
}
