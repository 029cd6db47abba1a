import { Alert, Anchor, Button, Card, Group, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconRefresh } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, data } from '../../api/client';
import { RelativeTime } from '../../components/RelativeTime';
import { describeError } from '../../lib/forms';

/** The orders poll behind the list: when it last read Kaspi, when it reads next, and "poll now". */
export function PollBar({ storeId }: { storeId: string }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const poll = useQuery({
    queryKey: ['orders-poll', storeId],
    refetchInterval: 10_000,
    queryFn: async () => data(await api.GET('/api/v1/stores/{id}/orders/poll', { params: { path: { id: storeId } } })),
  });
  const now = useMutation({
    mutationFn: async () => {
      await api.POST('/api/v1/stores/{id}/orders/poll', { params: { path: { id: storeId } } });
    },
    onSuccess: () => {
      notifications.show({ color: 'green', message: t('orders.pollStarted') });
      // The poll answers in a few seconds; look again then.
      setTimeout(() => {
        void client.invalidateQueries({ queryKey: ['orders', storeId] });
        void client.invalidateQueries({ queryKey: ['orders-poll', storeId] });
      }, 3_000);
    },
    onError: (error) =>
      notifications.show({ color: 'red', title: t('errors.title'), message: describeError(error, t) }),
  });
  if (!poll.data) return null;
  if (!poll.data.running) {
    return (
      <Alert color="yellow" title={t('orders.noPollTitle')}>
        {t('orders.noPoll')}{' '}
        <Anchor component={Link} to="/connect">
          {t('orders.addToken')}
        </Anchor>
      </Alert>
    );
  }
  const status = poll.data.status;
  return (
    <Card withBorder padding="sm">
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Text size="sm">
          {t('orders.lastPoll')} <RelativeTime at={status?.lastPollAt} fallback={t('orders.notYet')} />
          {status?.nextPollAt && (
            <>
              {' · '}
              {t('orders.nextPoll')} <RelativeTime at={status.nextPollAt} future />
            </>
          )}
          {status?.lastError && (
            <Text span c="red" size="sm">
              {' · '}
              {t('orders.pollError', { error: status.lastError })}
            </Text>
          )}
        </Text>
        <Button
          size="xs"
          variant="default"
          leftSection={<IconRefresh size={14} aria-hidden />}
          loading={now.isPending}
          onClick={() => now.mutate()}
        >
          {t('orders.pollNow')}
        </Button>
      </Group>
    </Card>
  );
}
