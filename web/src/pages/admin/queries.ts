import { queryOptions } from '@tanstack/react-query';
import { api, data } from '../../api/client';
import type { components } from '../../api/schema';

export type AdminUser = components['schemas']['AdminUser'];
export type AdminSubscription = components['schemas']['AdminSubscription'];
export type ProxyOutOfService = components['schemas']['ProxyOutOfService'];

export const ADMIN_PAGE_SIZE = 50;

export const adminUsersQuery = (email: string, page: number) =>
  queryOptions({
    queryKey: ['admin', 'users', email, page],
    queryFn: async () =>
      data(
        await api.GET('/api/v1/admin/users', {
          params: { query: { limit: ADMIN_PAGE_SIZE, page, ...(email ? { email } : {}) } },
        }),
      ),
  });

export const proxyPoolQuery = queryOptions({
  queryKey: ['admin', 'proxies'],
  queryFn: async () => data(await api.GET('/api/v1/admin/proxies')),
});

export const adminSubscriptionsQuery = (page: number) =>
  queryOptions({
    queryKey: ['admin', 'subscriptions', page],
    queryFn: async () =>
      data(await api.GET('/api/v1/admin/subscriptions', { params: { query: { limit: ADMIN_PAGE_SIZE, page } } })),
  });

export const systemQuery = queryOptions({
  queryKey: ['admin', 'system'],
  queryFn: async () => data(await api.GET('/api/v1/admin/system')),
});
