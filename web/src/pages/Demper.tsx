import { Alert, Badge, Button, Card, Grid, Group, Progress, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconPlayerPause, IconPlayerPlay } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api, data } from '../api/client';
import { ErrorState } from '../components/ErrorState';
import { PageHeader } from '../components/PageHeader';
import { PageLoader } from '../components/PageLoader';
import { RelativeTime } from '../components/RelativeTime';
import { Section } from '../components/Section';
import { describeError } from '../lib/forms';
import { useStores } from '../lib/stores';
import { ConfigForm } from './demper/ConfigForm';
import { Proposals } from './demper/Proposals';

export default function Demper() {
  const { t } = useTranslation();
  const { storeId = '' } = useParams();
  const client = useQueryClient();
  const stores = useStores();
  const store = stores.data?.find((s) => s.id === storeId);
  const status = useQuery({
    queryKey: ['demper', storeId],
    refetchInterval: 5_000,
    queryFn: async () => data(await api.GET('/api/v1/stores/{id}/demper', { params: { path: { id: storeId } } })),
  });

  const refresh = () => {
    void client.invalidateQueries({ queryKey: ['demper'] });
    void client.invalidateQueries({ queryKey: ['overview'] });
    void client.invalidateQueries({ queryKey: ['stores'] });
  };
  const onError = (error: unknown) =>
    notifications.show({ color: 'red', title: t('errors.title'), message: describeError(error, t) });
  const toggle = useMutation({
    mutationFn: async (action: 'pause' | 'resume') =>
      data(
        action === 'pause'
          ? await api.POST('/api/v1/stores/{id}/demper/pause', { params: { path: { id: storeId } } })
          : await api.POST('/api/v1/stores/{id}/demper/resume', { params: { path: { id: storeId } } }),
      ),
    onSuccess: refresh,
    onError,
  });
  const toggleAll = useMutation({
    mutationFn: async (action: 'pause' | 'resume') =>
      data(action === 'pause' ? await api.POST('/api/v1/demper/pause') : await api.POST('/api/v1/demper/resume')),
    onSuccess: (result, action) => {
      notifications.show({
        color: 'green',
        message: t(action === 'pause' ? 'demper.pausedAll' : 'demper.resumedAll', { count: result.stores }),
      });
      refresh();
    },
    onError,
  });

  if (status.isPending) return <PageLoader />;
  if (status.error) return <ErrorState error={status.error} onRetry={() => void status.refetch()} />;
  const s = status.data;
  const running = s.state === 'running';

  return (
    <Stack gap="lg">
      <PageHeader title={t('demper.title')} subtitle={store?.name}>
        <Group gap="xs">
          <Button variant="default" size="xs" onClick={() => toggleAll.mutate('pause')} loading={toggleAll.isPending}>
            {t('demper.pauseAll')}
          </Button>
          <Button variant="default" size="xs" onClick={() => toggleAll.mutate('resume')} loading={toggleAll.isPending}>
            {t('demper.resumeAll')}
          </Button>
        </Group>
      </PageHeader>

      <Card withBorder padding="lg">
        <Group justify="space-between">
          <Group gap="sm">
            <Badge
              size="lg"
              color={running ? 'green' : s.state === 'paused' ? 'yellow' : 'gray'}
              variant="dot"
              className="state-badge"
            >
              {t(`demper.state.${s.state}`)}
            </Badge>
            {s.pausedReason && (
              <Text size="sm">{t(`demper.pausedReason.${s.pausedReason}`, { defaultValue: s.pausedReason })}</Text>
            )}
            {s.config.dryRun && (
              <Badge color="violet" variant="dot" className="state-badge">
                {t('demper.dryRunOn')}
              </Badge>
            )}
          </Group>
          {running ? (
            <Button
              variant="default"
              leftSection={<IconPlayerPause size={16} aria-hidden />}
              onClick={() => toggle.mutate('pause')}
              loading={toggle.isPending}
            >
              {t('demper.pause')}
            </Button>
          ) : (
            <Button
              leftSection={<IconPlayerPlay size={16} aria-hidden />}
              onClick={() => toggle.mutate('resume')}
              loading={toggle.isPending}
            >
              {t('demper.resume')}
            </Button>
          )}
        </Group>
        {s.pausedReason === 'needs_reauth' && (
          <Alert color="orange" mt="md" title={t('demper.reauthTitle')}>
            {t('demper.reauthText')}{' '}
            <Button component={Link} to={`/connect?store=${storeId}`} size="xs" variant="white" color="orange">
              {t('alerts.reconnect')}
            </Button>
          </Alert>
        )}
        <Text size="sm" c="dimmed" mt="sm">
          {s.nextCheckAt ? (
            <>
              {t('demper.nextCheck')} <RelativeTime at={s.nextCheckAt} future />
            </>
          ) : (
            t('demper.noNextCheck')
          )}
        </Text>
      </Card>

      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Section title={t('demper.lastCycle')} h="100%">
            {s.lastCycle ? (
              <>
                <SimpleGrid cols={{ base: 2, xs: 3 }} spacing="sm">
                  <Count label={t('demper.checked')} value={s.lastCycle.checked} />
                  <Count
                    label={s.config.dryRun ? t('demper.proposed') : t('demper.changed')}
                    value={s.lastCycle.changed}
                  />
                  <Count label={t('demper.heldAtFloor')} value={s.lastCycle.heldAtFloor} />
                  <Count label={t('demper.deferred')} value={s.lastCycle.deferred} />
                  <Count label={t('demper.errors')} value={s.lastCycle.errors} />
                </SimpleGrid>
                <Text size="xs" c="dimmed" mt="sm">
                  {t('demper.cycleNumber', { cycle: s.lastCycle.cycle })} ·{' '}
                  <RelativeTime at={s.lastCycle.finishedAt ?? s.lastCycle.startedAt} />
                </Text>
              </>
            ) : (
              <Text size="sm" c="dimmed">
                {t('demper.noCycle')}
              </Text>
            )}
          </Section>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Section title={t('home.budget')} h="100%">
            <Text size="sm" mb={6}>
              {t('home.budgetUsed', {
                used: s.changeBudget.used,
                limit: s.changeBudget.limit,
                minutes: s.changeBudget.windowSeconds / 60,
              })}
            </Text>
            <Progress
              value={Math.min(100, (s.changeBudget.used / Math.max(1, s.changeBudget.limit)) * 100)}
              color={s.changeBudget.used >= s.changeBudget.limit ? 'red' : 'kaspi'}
              aria-label={t('home.budget')}
            />
            <Title order={3} size="h5" mt="lg" mb="xs">
              {t('demper.breakers')}
            </Title>
            {s.breakers.length === 0 ? (
              <Text size="sm" c="dimmed">
                {t('demper.noBreakers')}
              </Text>
            ) : (
              s.breakers.map((b) => (
                <Text size="sm" key={b.surface}>
                  {t(`demper.breaker.${b.surface}`)} — {t('demper.lifts')} <RelativeTime at={b.until} />
                  <Text span size="xs" c="dimmed" display="block">
                    {b.reason}
                  </Text>
                </Text>
              ))
            )}
          </Section>
        </Grid.Col>
      </Grid>

      <Section title={t('demper.config')}>
        <ConfigForm storeId={storeId} config={s.config} onSaved={refresh} />
      </Section>

      {s.config.dryRun && (
        <Section title={t('proposals.title')}>
          <Proposals storeId={storeId} />
        </Section>
      )}
    </Stack>
  );
}

function Count({ label, value }: { label: string; value: number }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={700} size="xl">
        {value}
      </Text>
    </div>
  );
}
