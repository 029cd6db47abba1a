import { Chip, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue, useMediaQuery } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { IconSearch } from '@tabler/icons-react';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams, useSearchParams } from 'react-router';
import { api, data } from '../api/client';
import { ErrorState } from '../components/ErrorState';
import { ListPager } from '../components/ListPager';
import { PageHeader } from '../components/PageHeader';
import { PageLoader } from '../components/PageLoader';
import { useStores } from '../lib/stores';
import { BulkBar } from './products/BulkBar';
import { ExcelActions } from './products/ExcelActions';
import {
  apiQuery,
  FILTERS,
  PAGE_SIZE,
  productListQuery,
  readListState,
  SORTS,
  writeListState,
  type ListState,
} from './products/filters';
import { ProductCards } from './products/ProductCards';
import { ProductsTable } from './products/ProductsTable';

export default function Products() {
  const { t } = useTranslation();
  const { storeId = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const state = readListState(params);
  const [search, setSearch] = useState(state.search);
  const [debouncedSearch] = useDebouncedValue(search, 250);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const toggleSelected = useCallback(
    (id: string) =>
      setSelected((previous) => {
        const next = new Set(previous);
        if (next.has(id)) next.delete(id);
        else next.add(id);
        return next;
      }),
    [],
  );
  const narrow = useMediaQuery('(max-width: 62em)', undefined, { getInitialValueInEffect: false });
  const stores = useStores();
  const store = stores.data?.find((s) => s.id === storeId);

  const change = (next: Partial<ListState>) => {
    const merged = { ...state, page: 1, ...next };
    setParams(writeListState(merged), { replace: true });
  };

  useEffect(() => {
    if (debouncedSearch !== state.search) change({ search: debouncedSearch });
    // Only the debounced text drives the address; the rest is read from it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debouncedSearch]);

  const query = apiQuery(state);
  const list = useQuery({ ...productListQuery(storeId, query), placeholderData: keepPreviousData });
  const overview = useQuery({
    queryKey: ['overview', storeId],
    queryFn: async () => data(await api.GET('/api/v1/stores/{id}/overview', { params: { path: { id: storeId } } })),
  });
  const counts = overview.data?.products;

  const items = useMemo(() => list.data?.items ?? [], [list.data]);
  // A selection only holds rows the merchant can see.
  const visibleSelected = useMemo(
    () => new Set(items.filter((p) => selected.has(p.id)).map((p) => p.id)),
    [items, selected],
  );

  const countOf = (filter: (typeof FILTERS)[number]): number | undefined => {
    if (!counts) return undefined;
    switch (filter) {
      case 'all':
        return counts.total;
      case 'active':
        return counts.active;
      case 'not_first':
        return counts.notFirst;
      case 'at_floor':
        return counts.atFloor;
      case 'price_war':
        return counts.priceWar;
      case 'no_floor':
        return counts.noFloor;
      case 'error':
        return counts.error;
    }
  };

  return (
    <Stack gap="md">
      <PageHeader title={t('products.title')} subtitle={store?.name}>
        <ExcelActions storeId={storeId} />
      </PageHeader>

      <Chip.Group
        multiple={false}
        value={state.filter}
        onChange={(value) => change({ filter: value as ListState['filter'] })}
      >
        <Group gap="xs" role="group" aria-label={t('products.filters')}>
          {FILTERS.map((f) => {
            const n = countOf(f);
            return (
              <Chip key={f} value={f} size="sm" variant="outline">
                {t(`products.filter.${f}`)}
                {n !== undefined ? ` · ${n}` : ''}
              </Chip>
            );
          })}
        </Group>
      </Chip.Group>

      <Group gap="sm" align="flex-end">
        <TextInput
          leftSection={<IconSearch size={16} aria-hidden />}
          placeholder={t('products.searchPlaceholder')}
          aria-label={t('products.search')}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          style={{ flex: 1, minWidth: 200 }}
        />
        <Select
          label={t('products.sort')}
          data={SORTS.map((s) => ({ value: s, label: t(`products.sortBy.${s}`) }))}
          value={state.sort}
          onChange={(value) => value && change({ sort: value as ListState['sort'] })}
          allowDeselect={false}
          w={220}
        />
      </Group>

      {visibleSelected.size > 0 && (
        <BulkBar
          storeId={storeId}
          ids={[...visibleSelected]}
          nameOf={(id) => items.find((p) => p.id === id)?.name}
          onDone={() => setSelected(new Set())}
        />
      )}

      {list.isPending ? (
        <PageLoader />
      ) : list.error ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        <Text c="dimmed" ta="center" py="xl">
          {state.filter === 'all' && !state.search ? t('products.emptyStore') : t('products.emptyFilter')}
        </Text>
      ) : narrow ? (
        <ProductCards items={items} selected={visibleSelected} onToggle={toggleSelected} />
      ) : (
        <ProductsTable items={items} selected={visibleSelected} onSelect={setSelected} onToggle={toggleSelected} />
      )}

      <ListPager
        total={list.data?.total ?? 0}
        pageSize={PAGE_SIZE}
        page={state.page}
        onChange={(page) => change({ page })}
      />
    </Stack>
  );
}
