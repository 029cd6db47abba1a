import { Table } from '@mantine/core';
import { memo } from 'react';
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
import { SelectBox } from './SelectBox';
import { useFirstRowsFirst } from './first-rows';

interface Props {
  items: Product[];
  selected: Set<string>;
  onSelect(next: Set<string>): void;
  /** Stable across renders, so that rows whose product did not change are not drawn again. */
  onToggle(id: string): void;
}

export function ProductsTable({ items, selected, onSelect, onToggle }: Props) {
  const { t } = useTranslation();
  const rows = useFirstRowsFirst(items);
  const all = items.length > 0 && items.every((p) => selected.has(p.id));
  return (
    <ScrollTable minWidth={980} label={t('products.title')}>
      <Table striped highlightOnHover verticalSpacing="xs" aria-label={t('products.title')} className="products-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={36}>
              <SelectBox
                label={t('products.selectAll')}
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

/**
 * One product's row; drawn again only when its product, its selection or the language changes. Plain
 * elements styled by class rather than kit components: the first rows of the screen wait on these.
 */
const ProductRow = memo(function ProductRow({
  p,
  checked,
  onToggle,
}: {
  p: Product;
  checked: boolean;
  onToggle(id: string): void;
}) {
  const { t } = useTranslation();
  return (
    <Table.Tr data-product-id={p.id} aria-selected={checked}>
      <Table.Td>
        <SelectBox label={t('products.select', { name: p.name })} checked={checked} onChange={() => onToggle(p.id)} />
      </Table.Td>
      <Table.Td miw={200}>
        <Link to={`/products/${p.id}`} className="product-link product-name">
          {p.name}
        </Link>
        <div className="cell-note">
          {p.sku} · {t(`strategy.${p.strategy}`, { n: p.topN ?? '' })}
        </div>
      </Table.Td>
      <Table.Td className="nowrap">
        <StateBadge state={p.state} />
        <div className="cell-note" data-testid="position">
          {p.position !== null ? t('products.positionOf', { position: p.position, total: p.offersCount ?? '?' }) : '—'}
        </div>
      </Table.Td>
      <Table.Td ta="right" className="num">
        <div className="cell-price">
          <Money value={p.price} />
        </div>
        {p.gap !== null && (
          <div className={`cell-gap ${p.gap > 0 ? 'gap-dearer' : 'gap-cheaper'}`}>{formatTengeDelta(p.gap)}</div>
        )}
      </Table.Td>
      <Table.Td maw={170}>
        {p.cheapestRival ? (
          <>
            <div className="cell-text num">
              <Money value={p.cheapestRival.price} />
            </div>
            <div className="cell-note one-line">{p.cheapestRival.merchantName ?? p.cheapestRival.merchantId}</div>
          </>
        ) : (
          <div className="cell-text dimmed">{t('products.noRival')}</div>
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
        <div className="cell-text">
          <RelativeTime at={p.lastCheckAt} fallback={t('products.neverChecked')} />
        </div>
        {p.active && p.nextCheckAt && (
          <div className="cell-note">
            {t('products.next')} <RelativeTime at={p.nextCheckAt} future />
          </div>
        )}
      </Table.Td>
    </Table.Tr>
  );
});
