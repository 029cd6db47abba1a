import { Select } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api, data } from '../../api/client';
import type { Product } from '../../lib/products';

/**
 * A product of the store found by SKU or name: the store may have thousands, so the server searches
 * and the list shows the first matches.
 */
export function ProductPicker({
  storeId,
  value,
  onChange,
  onPicked,
  error,
}: {
  storeId: string;
  value: string | null;
  onChange: (id: string | null) => void;
  onPicked: (product: Product | null) => void;
  error?: ReactNode;
}) {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  // Once a product is chosen the box reads "SKU · name": its SKU alone finds it again.
  const [debounced] = useDebouncedValue(search.split(' · ')[0]!.trim(), 300);
  const found = useQuery({
    // Not under ['products', storeId]: live product events rewrite the pages cached there.
    queryKey: ['preorder-products', storeId, debounced],
    placeholderData: keepPreviousData,
    queryFn: async () =>
      data(
        await api.GET('/api/v1/stores/{id}/products', {
          params: { path: { id: storeId }, query: { limit: 20, ...(debounced ? { search: debounced } : {}) } },
        }),
      ).items,
  });
  const items = found.data ?? [];
  return (
    <Select
      label={t('preorders.product')}
      placeholder={t('preorders.productSearch')}
      description={t('preorders.productNote')}
      searchable
      required
      data={items.map((p) => ({ value: p.id, label: `${p.sku} · ${p.name}` }))}
      // The server has searched already; the names shown are its matches.
      filter={({ options }) => options}
      searchValue={search}
      onSearchChange={setSearch}
      value={value}
      onChange={(id) => {
        onChange(id);
        onPicked(items.find((p) => p.id === id) ?? null);
      }}
      nothingFoundMessage={found.isFetching ? t('common.loading') : t('preorders.noProducts')}
      error={error}
      comboboxProps={{ withinPortal: true }}
    />
  );
}
