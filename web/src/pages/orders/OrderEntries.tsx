import { Table, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { Money } from '../../components/Money';
import { formatTenge } from '../../lib/format';
import type { Order } from './filters';

/**
 * An order's goods and total. On a phone the quantity and price go under the name, so the sums keep
 * their column and nothing scrolls sideways.
 */
export function OrderEntries({ order }: { order: Order }) {
  const { t } = useTranslation();
  const narrow = useMediaQuery('(max-width: 36em)', undefined, { getInitialValueInEffect: false });
  return (
    <Table aria-label={t('orders.goods')}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('orders.product')}</Table.Th>
          {!narrow && <Table.Th ta="right">{t('orders.quantity')}</Table.Th>}
          {!narrow && <Table.Th ta="right">{t('orders.price')}</Table.Th>}
          <Table.Th ta="right">{t('orders.sum')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {order.entries.map((entry) => (
          <Table.Tr key={entry.sku + entry.name}>
            <Table.Td>
              <Text size="sm">{entry.name}</Text>
              <Text size="xs" c="dimmed">
                {entry.sku}
                {narrow && ` · ${entry.quantity} × ${formatTenge(entry.basePrice)}`}
              </Text>
            </Table.Td>
            {!narrow && (
              <Table.Td ta="right" className="num">
                {entry.quantity}
              </Table.Td>
            )}
            {!narrow && (
              <Table.Td ta="right">
                <Money value={entry.basePrice} />
              </Table.Td>
            )}
            <Table.Td ta="right">
              <Money value={entry.totalPrice} />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
      <Table.Tfoot>
        <Table.Tr>
          <Table.Th colSpan={narrow ? 1 : 3}>{t('orders.total')}</Table.Th>
          <Table.Th ta="right">
            <Money value={order.totalPrice} />
          </Table.Th>
        </Table.Tr>
      </Table.Tfoot>
    </Table>
  );
}
