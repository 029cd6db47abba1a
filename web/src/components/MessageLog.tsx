import { Anchor, Badge, Group, Paper, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, data } from '../api/client';
import { formatExactTime } from '../lib/format';
import { ErrorState } from './ErrorState';

const STATUS_COLORS = { pending: 'blue', sending: 'blue', sent: 'green', skipped: 'gray', failed: 'red' } as const;

/** The store's messages (or one order's), newest first: what was sent, to whom, and what became of it. */
export function MessageLog({ storeId, orderId }: { storeId: string; orderId?: string }) {
  const { t, i18n } = useTranslation();
  const log = useQuery({
    queryKey: ['messages', storeId, orderId ?? 'all'],
    refetchInterval: 15_000,
    queryFn: async () =>
      data(
        await api.GET('/api/v1/stores/{id}/notifications/log', {
          params: { path: { id: storeId }, query: { ...(orderId ? { orderId } : {}), limit: 50 } },
        }),
      ),
  });
  if (log.error) return <ErrorState error={log.error} onRetry={() => void log.refetch()} />;
  if (!log.data) return null;
  if (log.data.items.length === 0) return <Text size="sm">{t(orderId ? 'orders.noMessages' : 'messages.noLog')}</Text>;
  return (
    <Stack gap="xs" component="ul" className="plain-list">
      {log.data.items.map((message) => (
        <Paper key={message.id} component="li" withBorder p="sm">
          <Group justify="space-between" wrap="nowrap" align="flex-start" gap="xs">
            <div className="feed-main">
              <Text size="sm" fw={500}>
                {t(`orders.event.${message.event}`, { defaultValue: message.event })} ·{' '}
                {t(`orders.channel.${message.channel}`)} · {message.recipient}
                {!orderId && message.orderId && message.orderCode && (
                  <>
                    {' · '}
                    <Anchor component={Link} to={`/orders/${message.orderId}`} size="sm">
                      № {message.orderCode}
                    </Anchor>
                  </>
                )}
              </Text>
              {message.text && (
                <Text size="sm" className="message-text">
                  {message.text}
                </Text>
              )}
              <Text size="xs" c="dimmed">
                {formatExactTime(message.sentAt ?? message.createdAt, i18n.language)}
                {message.error ? ` · ${message.error}` : ''}
              </Text>
            </div>
            <Badge color={STATUS_COLORS[message.status]} variant="dot" radius="sm" className="state-badge feed-aside">
              {t(`orders.messageStatus.${message.status}`)}
            </Badge>
          </Group>
        </Paper>
      ))}
    </Stack>
  );
}
