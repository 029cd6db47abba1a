import { Anchor, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { components } from '../../api/schema';
import { Money } from '../../components/Money';
import { ScrollTable } from '../../components/ScrollTable';
import { formatPercent } from '../../lib/format';

type Row = components['schemas']['ProductEarnings'];

/** The period's figures product by product, the most watched first. */
export function ProductEarnings({ items }: { items: Row[] }) {
  const { t } = useTranslation();
  if (items.length === 0) return <Text size="sm">{t('earnings.nothingYet')}</Text>;
  return (
    <ScrollTable minWidth={900} label={t('earnings.productsTitle')}>
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th miw={200}>{t('orders.product')}</Table.Th>
            <Table.Th ta="right">{t('earnings.firstShare')}</Table.Th>
            <Table.Th ta="right">{t('earnings.floorShare')}</Table.Th>
            <Table.Th ta="right">{t('earnings.changes')}</Table.Th>
            <Table.Th ta="right">{t('earnings.revenueFirst')}</Table.Th>
            <Table.Th ta="right">{t('earnings.revenueNotFirst')}</Table.Th>
            <Table.Th ta="right">{t('earnings.marginGivenUp')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((p) => (
            <Table.Tr key={p.productId}>
              <Table.Td>
                <Anchor component={Link} to={`/products/${p.productId}`} size="sm">
                  {p.name}
                </Anchor>
                <Text size="xs" c="dimmed">
                  {p.sku}
                </Text>
              </Table.Td>
              <Table.Td ta="right" className="num">
                {formatPercent(p.firstShare)}
              </Table.Td>
              <Table.Td ta="right" className="num">
                {formatPercent(p.floorShare)}
              </Table.Td>
              <Table.Td ta="right" className="num">
                {p.changes}
              </Table.Td>
              <Table.Td ta="right">
                <Money value={p.whileFirst.revenue} />
              </Table.Td>
              <Table.Td ta="right">
                <Money value={p.notFirst.revenue} />
              </Table.Td>
              <Table.Td ta="right">
                <Money value={p.marginGivenUp} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollTable>
  );
}
