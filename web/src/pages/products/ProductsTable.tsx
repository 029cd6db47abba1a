import { Anchor, Checkbox, Table, Text } from '@mantine/core';
import { memo, useDeferredValue } from 'react';
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
  /** Stable across renders, so that rows whose product did not change are not drawn again. */
  onToggle(id: string): void;
}

/** Rows drawn in the first frame; the rest of the page follows in the next, without holding the first back. */
const FIRST_ROWS = 12;

export function ProductsTable({ items, selected, onSelect, onToggle }: Props) {
  const { t } = useTranslation();
  const rows = useDeferredValue(items, items.slice(0, FIRST_ROWS));
  const all = items.length > 0 && items.every((p) => selected.has(p.id));
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
          {rows.map((p) => (
            <ProductRow key={p.id} p={p} checked={selected.has(p.id)} onToggle={onToggle} />
          ))}
        </Table.Tbody>
      </Table>
    </ScrollTable>
  );
}

/** One product's row; drawn again only when its product, its selection or the language changes. */
const ProductRow = memo(function ProductRow({ p, checked, onToggle }: { p: Product; checked: boolean; onToggle(id: string): void }) {
  const { t } = useTranslation();
  return (
    <Table.Tr data-product-id={p.id} aria-selected={checked}>
      <Table.Td>
        <Checkbox aria-label={t('products.select', { name: p.name })} checked={checked} onChange={() => onToggle(p.id)} />
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
  );
});
