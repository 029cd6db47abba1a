import { queryOptions } from '@tanstack/react-query';
import { api, data } from '../../api/client';
import type { components } from '../../api/schema';

export type Plan = components['schemas']['Plan'];
export type Subscription = components['schemas']['Subscription'];

export const subscriptionQuery = queryOptions({
  queryKey: ['subscription'],
  queryFn: async () => data(await api.GET('/api/v1/billing/subscription')),
});

export const paymentsQuery = queryOptions({
  queryKey: ['payments'],
  queryFn: async () => data(await api.GET('/api/v1/billing/payments', { params: { query: { limit: 50 } } })),
});
