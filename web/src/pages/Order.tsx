import { Anchor, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api, data } from '../api/client';
import { ErrorState } from '../components/ErrorState';
import { MessageLog } from '../components/MessageLog';
import { PageLoader } from '../components/PageLoader';
import { Section } from '../components/Section';
import { formatExactTime } from '../lib/format';
import { OrderEntries } from './orders/OrderEntries';
import { OrderStatusBadge } from './orders/OrderStatusBadge';

/** One order: its goods and totals, the customer (phone masked), delivery, and the messages sent about it. */
export default function Order() {
  const { t, i18n } = useTranslation();
  const { orderId = '' } = useParams();
  const order = useQuery({
    queryKey: ['order', orderId],
    queryFn: async () => data(await api.GET('/api/v1/orders/{id}', { params: { path: { id: orderId } } })),
  });
  if (order.isPending) return <PageLoader />;
  if (order.error) return <ErrorState error={order.error} onRetry={() => void order.refetch()} />;
  const o = order.data;
  const field = (label: string, value: ReactNode) => (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm">{value}</Text>
    </div>
  );
  return (
    <Stack gap="lg">
      <div>
        <Anchor component={Link} to={`/stores/${o.storeId}/orders`} size="sm">
          {t('orders.back')}
        </Anchor>
        <Group gap="sm" mt={4}>
          <Title order={1} size="h2">
            {t('orders.orderTitle', { code: o.code })}
          </Title>
          <OrderStatusBadge status={o.status} />
        </Group>
        <Text c="dimmed" size="sm">
          {formatExactTime(o.creationDate, i18n.language)} · {t(`orders.tab.${o.state}`, { defaultValue: o.state })}
        </Text>
      </div>
      <Section title={t('orders.details')}>
        <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="md">
          {field(t('orders.customer'), o.customerName ?? '—')}
          {field(t('orders.phone'), o.customerPhone ?? '—')}
          {field(
            t('orders.delivery'),
            o.deliveryMode ? t(`orders.deliveryMode.${o.deliveryMode}`, { defaultValue: o.deliveryMode }) : '—',
          )}
          {field(
            t('orders.kaspiDelivery'),
            o.isKaspiDelivery === null ? '—' : t(o.isKaspiDelivery ? 'orders.yes' : 'orders.no'),
          )}
        </SimpleGrid>
      </Section>
      <Section title={t('orders.goods')}>
        <OrderEntries order={o} />
      </Section>
      <Section title={t('orders.messages')}>
        <MessageLog storeId={o.storeId} orderId={o.id} />
      </Section>
    </Stack>
  );
}
