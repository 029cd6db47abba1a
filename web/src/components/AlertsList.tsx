import { Button, Group, Stack, Text, ThemeIcon } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { IconBell } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, data } from '../api/client';
import type { components } from '../api/schema';
import { ErrorState } from './ErrorState';
import { RelativeTime } from './RelativeTime';

type Alert = components['schemas']['Alert'];

/** What the merchant can do about an alert, one click away. */
function action(alert: Alert): { to: string; label: string } | null {
  if (!alert.storeId) return null;
  switch (alert.kind) {
    case 'session_expired':
      return { to: `/connect?store=${alert.storeId}`, label: 'alerts.reconnect' };
    case 'floor_reached':
      return { to: `/stores/${alert.storeId}/products?state=at_floor`, label: 'alerts.showAtFloor' };
    case 'demper_banned':
      return { to: `/stores/${alert.storeId}/demper`, label: 'alerts.openDemper' };
    default:
      return null;
  }
}

export function AlertsList() {
  const { t } = useTranslation();
  const alerts = useQuery({
    queryKey: ['alerts'],
    refetchInterval: 30_000,
    queryFn: async () => data(await api.GET('/api/v1/alerts', { params: { query: { limit: 10 } } })).items,
  });
  if (alerts.error) return <ErrorState error={alerts.error} onRetry={() => void alerts.refetch()} />;
  if (!alerts.data) return null;
  if (alerts.data.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        {t('alerts.none')}
      </Text>
    );
  }
  return (
    <Stack gap="sm">
      {alerts.data.map((alert) => {
        const next = action(alert);
        // Known kinds read in the cabinet's language; others keep the server's words.
        const known = t(`alerts.kind.${alert.kind}`, { defaultValue: '', store: alert.storeName ?? '' });
        return (
          <Group key={alert.id} justify="space-between" wrap="nowrap" align="flex-start">
            <Group gap="sm" wrap="nowrap" align="flex-start">
              <ThemeIcon variant="light" color="orange" size="md" aria-hidden>
                <IconBell size={16} />
              </ThemeIcon>
              <div>
                <Text size="sm" fw={500}>
                  {known || alert.message}
                </Text>
                <Text size="xs" c="dimmed">
                  <RelativeTime at={alert.createdAt} />
                </Text>
              </div>
            </Group>
            {next && (
              <Button component={Link} to={next.to} size="xs" variant="light">
                {t(next.label)}
              </Button>
            )}
          </Group>
        );
      })}
    </Stack>
  );
}
