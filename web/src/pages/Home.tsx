import { Anchor, Button, Card, Group, Progress, SimpleGrid, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { IconPlugConnected } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate } from 'react-router';
import { api, data } from '../api/client';
import { AlertsList } from '../components/AlertsList';
import { ErrorState } from '../components/ErrorState';
import { PageHeader } from '../components/PageHeader';
import { PageLoader } from '../components/PageLoader';
import { formatPercent } from '../lib/format';
import { useCurrentStoreId, useStores } from '../lib/stores';

export default function Home() {
  const { t } = useTranslation();
  const stores = useStores();
  const storeId = useCurrentStoreId();
  const overview = useQuery({
    queryKey: ['overview', storeId],
    enabled: storeId !== null,
    refetchInterval: 15_000,
    queryFn: async () => data(await api.GET('/api/v1/stores/{id}/overview', { params: { path: { id: storeId! } } })),
  });

  if (stores.isPending) return <PageLoader />;
  if (stores.error) return <ErrorState error={stores.error} onRetry={() => void stores.refetch()} />;
  if (stores.data.length === 0) return <Navigate to="/connect" replace />;
  const store = stores.data.find((s) => s.id === storeId);
  const o = overview.data;

  return (
    <Stack gap="lg">
      <PageHeader title={t('home.title')} subtitle={store?.name}>
        <Button component={Link} to={`/stores/${storeId}/products`} variant="light">
          {t('home.toProducts')}
        </Button>
      </PageHeader>
      {overview.error && <ErrorState error={overview.error} onRetry={() => void overview.refetch()} />}
      {o && (
        <>
          <SimpleGrid cols={{ base: 2, md: 4 }} spacing={{ base: 'xs', sm: 'md' }}>
            <Stat
              label={t('home.active')}
              value={String(o.products.active)}
              hint={t('home.ofTotal', { total: o.products.total })}
            />
            <Stat
              label={t('home.firstNow')}
              value={String(o.products.first)}
              hint={t('home.ofActive', { active: o.products.active })}
              color="green"
            />
            <Stat
              label={t('home.shareFirst')}
              value={formatPercent(o.firstShareToday)}
              hint={t('home.shareFirstHint')}
              color="green"
            />
            <Stat
              label={t('home.atFloor')}
              value={String(o.products.atFloor)}
              hint={t('home.atFloorHint')}
              color={o.products.atFloor ? 'red' : undefined}
            />
          </SimpleGrid>
          <Card withBorder padding="lg">
            <Group justify="space-between" mb="xs">
              <Text fw={600}>{t('home.budget')}</Text>
              <Text size="sm" c="dimmed">
                {t('home.budgetUsed', {
                  used: o.changeBudget.used,
                  limit: o.changeBudget.limit,
                  minutes: o.changeBudget.windowSeconds / 60,
                })}
              </Text>
            </Group>
            <Progress
              value={Math.min(100, (o.changeBudget.used / Math.max(1, o.changeBudget.limit)) * 100)}
              color={o.changeBudget.used >= o.changeBudget.limit ? 'red' : 'kaspi'}
              aria-label={t('home.budget')}
            />
            <Group mt="sm" gap="xl">
              <Text size="sm">{t('home.changesToday', { count: o.changesToday })}</Text>
              <Text size="sm">
                {o.demper.state === 'running'
                  ? t('demper.running')
                  : t(`demper.pausedReason.${o.demper.pausedReason ?? 'stopped'}`)}{' '}
                <Anchor component={Link} to={`/stores/${storeId}/demper`} size="sm">
                  {t('home.toDemper')}
                </Anchor>
              </Text>
            </Group>
          </Card>
        </>
      )}
      <Card withBorder padding="lg">
        <Text fw={600} mb="sm">
          {t('home.alerts')}
        </Text>
        <AlertsList />
      </Card>
      <Group>
        <Button
          component={Link}
          to="/connect"
          variant="subtle"
          leftSection={<IconPlugConnected size={16} aria-hidden />}
        >
          {t('home.connectAnother')}
        </Button>
      </Group>
    </Stack>
  );
}

function Stat({ label, value, hint, color }: { label: string; value: string; hint: string; color?: string }) {
  return (
    <Card withBorder padding="lg">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text fz={32} fw={700} c={color} lh={1.2}>
        {value}
      </Text>
      <Text size="xs" c="dimmed">
        {hint}
      </Text>
    </Card>
  );
}
