import { Anchor, Checkbox, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ScrollTable } from '../../components/ScrollTable';
import { Money } from '../../components/Money';
import { RelativeTime } from '../../components/RelativeTime';
import { StateBadge } from '../../components/StateBadge';
import { formatTengeDelta } from '../../lib/format';
import type { Product } from '../../lib/products';
import { ActiveSwitch } from './ActiveSwitch';
import { InlinePrice } from './InlinePrice';

interface Props {
  items: Product[];
  selected: Set<string>;
  onSelect(next: Set<string>): void;
}

export function ProductsTable({ items, selected, onSelect }: Props) {
  const { t } = useTranslation();
  const all = items.length > 0 && items.every((p) => selected.has(p.id));
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    onSelect(next);
  };
  return (
    <ScrollTable minWidth={980} label={t('products.title')}>
      <Table striped highlightOnHover verticalSpacing="xs" aria-label={t('products.title')} className="products-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={36}>
              <Checkbox
                aria-label={t('products.selectAll')}
                checked={all}
                indeterminate={!all && items.some((p) => selected.has(p.id))}
                onChange={() => onSelect(all ? new Set() : new Set(items.map((p) => p.id)))}
              />
            </Table.Th>
            <Table.Th>{t('products.col.product')}</Table.Th>
            <Table.Th>{t('products.col.state')}</Table.Th>
            <Table.Th ta="right">{t('products.col.price')}</Table.Th>
            <Table.Th>{t('products.col.rival')}</Table.Th>
            <Table.Th>{t('products.col.floor')}</Table.Th>
            <Table.Th>{t('products.col.ceiling')}</Table.Th>
            <Table.Th>{t('products.col.active')}</Table.Th>
            <Table.Th>{t('products.col.checked')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((p) => (
            <Table.Tr key={p.id} data-product-id={p.id} aria-selected={selected.has(p.id)}>
              <Table.Td>
                <Checkbox aria-label={t('products.select', { name: p.name })} checked={selected.has(p.id)} onChange={() => toggle(p.id)} />
              </Table.Td>
              <Table.Td miw={200}>
                <Anchor component={Link} to={`/products/${p.id}`} fw={500} size="sm" lineClamp={2} className="product-link">
                  {p.name}
                </Anchor>
                <Text size="xs" c="dimmed">
                  {p.sku} · {t(`strategy.${p.strategy}`, { n: p.topN ?? '' })}
                </Text>
              </Table.Td>
              <Table.Td className="nowrap">
                <StateBadge state={p.state} />
                <Text size="xs" c="dimmed" mt={2} data-testid="position">
                  {p.position !== null ? t('products.positionOf', { position: p.position, total: p.offersCount ?? '?' }) : '—'}
                </Text>
              </Table.Td>
              <Table.Td ta="right" className="num">
                <Text size="sm" fw={600}>
                  <Money value={p.price} />
                </Text>
                {p.gap !== null && (
                  <Text size="xs" className={p.gap > 0 ? 'gap-dearer' : 'gap-cheaper'}>
                    {formatTengeDelta(p.gap)}
                  </Text>
                )}
              </Table.Td>
              <Table.Td maw={170}>
                {p.cheapestRival ? (
                  <>
                    <Text size="sm" className="num">
                      <Money value={p.cheapestRival.price} />
                    </Text>
                    <Text size="xs" c="dimmed" lineClamp={1}>
                      {p.cheapestRival.merchantName ?? p.cheapestRival.merchantId}
                    </Text>
                  </>
                ) : (
                  <Text size="sm" c="dimmed">
                    {t('products.noRival')}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <InlinePrice key={`min:${p.minPrice}`} product={p} field="minPrice" label={t('products.col.floor')} />
              </Table.Td>
              <Table.Td>
                <InlinePrice key={`max:${p.maxPrice}`} product={p} field="maxPrice" label={t('products.col.ceiling')} />
              </Table.Td>
              <Table.Td>
                <ActiveSwitch product={p} />
              </Table.Td>
              <Table.Td className="nowrap">
                <Text size="sm">
                  <RelativeTime at={p.lastCheckAt} fallback={t('products.neverChecked')} />
                </Text>
                {p.active && p.nextCheckAt && (
                  <Text size="xs" c="dimmed">
                    {t('products.next')} <RelativeTime at={p.nextCheckAt} future />
                  </Text>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollTable>
  );
}
