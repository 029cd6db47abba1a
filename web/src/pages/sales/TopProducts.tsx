import { Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { components } from '../../api/schema';
import { Money } from '../../components/Money';
import { ScrollTable } from '../../components/ScrollTable';

type TopProduct = components['schemas']['Sales']['topProducts'][number];

export function TopProducts({ items }: { items: TopProduct[] }) {
  const { t } = useTranslation();
  if (items.length === 0) return <Text size="sm">{t('sales.noOrders')}</Text>;
  return (
    <ScrollTable minWidth={280} label={t('sales.topTitle')}>
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('orders.product')}</Table.Th>
            <Table.Th ta="right">{t('sales.pieces')}</Table.Th>
            <Table.Th ta="right">{t('sales.revenue')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((item) => (
            <Table.Tr key={item.sku}>
              <Table.Td>
                <Text size="sm">{item.name}</Text>
                <Text size="xs" c="dimmed">
                  {item.sku}
                </Text>
              </Table.Td>
              <Table.Td ta="right" className="num">
                {item.quantity}
              </Table.Td>
              <Table.Td ta="right">
                <Money value={item.revenue} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollTable>
  );
}
