import { Anchor, Paper, Stack, Table, Text, Group } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Money } from '../../components/Money';
import { ScrollTable } from '../../components/ScrollTable';
import { formatExactTime } from '../../lib/format';
import type { Order } from './filters';
import { OrderStatusBadge } from './OrderStatusBadge';

/** "Чайник Tefal и ещё 2": an order's goods in one line. */
function goods(order: Order, t: (key: string, options?: Record<string, unknown>) => string): string {
  const [first, ...rest] = order.entries;
  if (!first) return '—';
  const name = first.quantity > 1 ? `${first.name} × ${first.quantity}` : first.name;
  return rest.length > 0 ? t('orders.andMore', { name, count: rest.length }) : name;
}

export function OrdersTable({ items }: { items: Order[] }) {
  const { t, i18n } = useTranslation();
  return (
    <ScrollTable minWidth={860} label={t('orders.title')}>
      <Table highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('orders.code')}</Table.Th>
            <Table.Th>{t('orders.created')}</Table.Th>
            <Table.Th>{t('orders.goods')}</Table.Th>
            <Table.Th>{t('orders.customer')}</Table.Th>
            <Table.Th ta="right">{t('orders.total')}</Table.Th>
            <Table.Th>{t('orders.statusLabel')}</Table.Th>
            <Table.Th>{t('orders.delivery')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((order) => (
            <Table.Tr key={order.id}>
              <Table.Td>
                <Anchor component={Link} to={`/orders/${order.id}`} className="num">
                  {order.code}
                </Anchor>
              </Table.Td>
              <Table.Td className="num">{formatExactTime(order.creationDate, i18n.language)}</Table.Td>
              <Table.Td>{goods(order, t)}</Table.Td>
              <Table.Td>{order.customerName ?? '—'}</Table.Td>
              <Table.Td ta="right">
                <Money value={order.totalPrice} />
              </Table.Td>
              <Table.Td>
                <OrderStatusBadge status={order.status} />
              </Table.Td>
              <Table.Td>
                {order.deliveryMode
                  ? t(`orders.deliveryMode.${order.deliveryMode}`, { defaultValue: order.deliveryMode })
                  : '—'}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollTable>
  );
}

export function OrderCards({ items }: { items: Order[] }) {
  const { t, i18n } = useTranslation();
  return (
    <Stack gap="xs" component="ul" className="plain-list" aria-label={t('orders.title')}>
      {items.map((order) => (
        <Paper key={order.id} component="li" withBorder p="sm">
          <Group justify="space-between" wrap="nowrap" align="flex-start" gap="xs">
            <div className="feed-main">
              <Anchor component={Link} to={`/orders/${order.id}`} fw={600} className="num">
                № {order.code}
              </Anchor>
              <Text size="sm">{goods(order, t)}</Text>
              <Text size="xs" c="dimmed">
                {formatExactTime(order.creationDate, i18n.language)}
                {order.customerName ? ` · ${order.customerName}` : ''}
              </Text>
            </div>
            <Stack gap={4} align="flex-end" className="feed-aside">
              <Text fw={600}>
                <Money value={order.totalPrice} />
              </Text>
              <OrderStatusBadge status={order.status} />
            </Stack>
          </Group>
        </Paper>
      ))}
    </Stack>
  );
}
