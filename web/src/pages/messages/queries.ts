import { queryOptions } from '@tanstack/react-query';
import { api, data } from '../../api/client';
import type { components, paths } from '../../api/schema';

export type NotificationSettings = components['schemas']['NotificationSettings'];
export type SettingsBody =
  paths['/api/v1/stores/{id}/notifications']['put']['requestBody']['content']['application/json'];
export type Template = NotificationSettings['templates'][number];

export const settingsQuery = (storeId: string) =>
  queryOptions({
    queryKey: ['notifications', storeId],
    queryFn: async () =>
      data(await api.GET('/api/v1/stores/{id}/notifications', { params: { path: { id: storeId } } })),
  });

/** The body that keeps every setting as it is: a form changes only its own part of it. */
export function bodyOf(settings: NotificationSettings): SettingsBody {
  return {
    whatsappEnabled: settings.whatsapp.enabled,
    telegramEnabled: settings.telegram.enabled,
    dailyCap: settings.dailyCap,
    minIntervalSeconds: settings.minIntervalSeconds,
    workingHours: settings.workingHours,
    reviewDelayHours: settings.reviewDelayHours,
  };
}
