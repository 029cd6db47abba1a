import { Alert, Button, Group, Progress, Stack, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, data } from '../../api/client';
import { ErrorState } from '../../components/ErrorState';
import type { Store } from '../../lib/stores';

/** Imports each connected store's offers from the cabinet, with the sync's own progress. */
export function CatalogSync({ stores }: { stores: Store[] }) {
  return (
    <Stack gap="lg">
      {stores.map((store) => (
        <StoreSync key={store.id} store={store} />
      ))}
    </Stack>
  );
}

function StoreSync({ store }: { store: Store }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const start = useMutation({
    mutationFn: async () => data(await api.POST('/api/v1/stores/{id}/sync', { params: { path: { id: store.id } } })),
  });
  const { mutate } = start;
  useEffect(() => mutate(), [mutate]);
  const progress = useQuery({
    queryKey: ['sync', store.id],
    enabled: start.isSuccess,
    refetchInterval: (q) => (q.state.data?.state === 'running' || q.state.data?.state === 'never' ? 700 : false),
    queryFn: async () => data(await api.GET('/api/v1/stores/{id}/sync', { params: { path: { id: store.id } } })),
  });
  const p = progress.data;
  const done = p?.state === 'done';
  useEffect(() => {
    if (done) void client.invalidateQueries({ queryKey: ['products', store.id] });
  }, [done, client, store.id]);

  if (start.error) return <ErrorState error={start.error} onRetry={() => start.mutate()} />;
  const percent = done ? 100 : p?.offersTotal ? Math.min(99, Math.round((p.offersSeen / p.offersTotal) * 100)) : 0;
  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Text fw={600}>{store.name}</Text>
        <Text size="sm" c="dimmed" aria-live="polite">
          {p?.state === 'failed'
            ? t('sync.failed')
            : done
              ? t('sync.done', { count: p.offersSeen })
              : t('sync.progress', { seen: p?.offersSeen ?? 0, total: p?.offersTotal ?? '…' })}
        </Text>
      </Group>
      <Progress
        value={percent}
        animated={!done && p?.state !== 'failed'}
        striped={!done}
        color={p?.state === 'failed' ? 'red' : done ? 'green' : 'kaspi'}
        aria-label={t('sync.label', { name: store.name })}
      />
      {p?.state === 'failed' && (
        <Alert color="red">
          {p.error}{' '}
          <Button size="xs" variant="white" color="red" onClick={() => start.mutate()}>
            {t('common.retry')}
          </Button>
        </Alert>
      )}
      {done && (
        <Group justify="flex-end">
          <Button component={Link} to={`/stores/${store.id}/products`}>
            {t('sync.toProducts', { created: p.created, updated: p.updated })}
          </Button>
        </Group>
      )}
    </Stack>
  );
}
