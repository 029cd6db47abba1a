import { Anchor, Card, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Money } from '../../components/Money';
import { RelativeTime } from '../../components/RelativeTime';
import { StateBadge } from '../../components/StateBadge';
import { formatTengeDelta } from '../../lib/format';
import type { Product } from '../../lib/products';
import { ActiveSwitch } from './ActiveSwitch';
import { InlinePrice } from './InlinePrice';
import { SelectBox } from './SelectBox';
import { useFirstRowsFirst } from './first-rows';

/** The list on a phone: one card per product, the same facts and controls as a table row. */
export function ProductCards({
  items,
  selected,
  onToggle,
}: {
  items: Product[];
  selected: Set<string>;
  onToggle(id: string): void;
}) {
  const { t } = useTranslation();
  const shown = useFirstRowsFirst(items);
  return (
    <Stack gap="sm" component="ul" className="plain-list" aria-label={t('products.title')}>
      {shown.map((p) => (
        <ProductCard key={p.id} p={p} checked={selected.has(p.id)} onToggle={onToggle} />
      ))}
    </Stack>
  );
}

/** One product's card; drawn again only when its product, its selection or the language changes. */
const ProductCard = memo(function ProductCard({
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
    <Card withBorder padding="sm" component="li" data-product-id={p.id}>
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <Group gap="xs" wrap="nowrap" align="flex-start">
          <SelectBox label={t('products.select', { name: p.name })} checked={checked} onChange={() => onToggle(p.id)} />
          <div>
            <Anchor component={Link} to={`/products/${p.id}`} fw={500} size="sm" lineClamp={2} className="product-link">
              {p.name}
            </Anchor>
            <Text size="xs" c="dimmed">
              {p.sku}
            </Text>
          </div>
        </Group>
        <ActiveSwitch product={p} />
      </Group>
      <Group mt="xs" gap="xs">
        <StateBadge state={p.state} />
        <Text size="sm" fw={600} className="num">
          <Money value={p.price} />
        </Text>
        {p.position !== null && (
          <Text size="sm" c="dimmed" data-testid="position">
            {t('products.positionOf', { position: p.position, total: p.offersCount ?? '?' })}
          </Text>
        )}
      </Group>
      <SimpleGrid cols={2} mt="xs" spacing="xs">
        <div>
          <Text size="xs" c="dimmed">
            {t('products.col.rival')}
          </Text>
          <Text size="sm">
            {p.cheapestRival ? <Money value={p.cheapestRival.price} /> : t('products.noRival')}
            {p.gap !== null && ` (${formatTengeDelta(p.gap)})`}
          </Text>
        </div>
        <div>
          <Text size="xs" c="dimmed">
            {t('products.col.checked')}
          </Text>
          <Text size="sm">
            <RelativeTime at={p.lastCheckAt} fallback={t('products.neverChecked')} />
          </Text>
        </div>
        <div>
          <Text size="xs" c="dimmed" component="span" display="block">
            {t('products.col.floor')}
          </Text>
          <InlinePrice key={`min:${p.minPrice}`} product={p} field="minPrice" label={t('products.col.floor')} />
        </div>
        <div>
          <Text size="xs" c="dimmed" component="span" display="block">
            {t('products.col.ceiling')}
          </Text>
          <InlinePrice key={`max:${p.maxPrice}`} product={p} field="maxPrice" label={t('products.col.ceiling')} />
        </div>
      </SimpleGrid>
    </Card>
  );
});
