import { Group, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams, useSearchParams } from 'react-router';
import { api, data } from '../api/client';
import { ErrorState } from '../components/ErrorState';
import { ListPager } from '../components/ListPager';
import { PageHeader } from '../components/PageHeader';
import { PageLoader } from '../components/PageLoader';
import { Section } from '../components/Section';
import { useNow } from '../lib/now';
import { useStores } from '../lib/stores';
import { EarningsFigures } from './earnings/EarningsFigures';
import { NeedsAttention } from './earnings/NeedsAttention';
import { ProductEarnings } from './earnings/ProductEarnings';
import { almatyDay, daysOf, PRESETS, readSalesState, writeSalesState, type SalesState } from './sales/range';

const PAGE_SIZE = 20;

/** Whether the demper pays: time first, sales while first, margin given up, and what needs the merchant. */
export default function Earnings() {
  const { t } = useTranslation();
  const { storeId = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const state = readSalesState(params);
  const store = useStores().data?.find((s) => s.id === storeId);
  const now = useNow(60_000);
  const days = daysOf(state, now);
  const [page, setPage] = useState(1);
  const summary = useQuery({
    queryKey: ['earnings', storeId, days],
    placeholderData: keepPreviousData,
    queryFn: async () =>
      data(await api.GET('/api/v1/stores/{id}/earnings', { params: { path: { id: storeId }, query: days } })),
  });
  const perProduct = useQuery({
    queryKey: ['earnings-products', storeId, days, page],
    placeholderData: keepPreviousData,
    queryFn: async () =>
      data(
        await api.GET('/api/v1/stores/{id}/earnings/products', {
          params: { path: { id: storeId }, query: { ...days, page, limit: PAGE_SIZE } },
        }),
      ),
  });
  const change = (next: Partial<SalesState>) => {
    setPage(1);
    setParams(writeSalesState({ ...state, ...next }), { replace: true });
  };
  const narrow = useMediaQuery('(max-width: 36em)', undefined, { getInitialValueInEffect: false });
  const periodChoices = [
    ...PRESETS.map((p) => ({ value: p, label: t(`sales.preset.${p}`) })),
    { value: 'custom', label: t('sales.preset.custom') },
  ];
  const choosePeriod = (value: string) =>
    change(value === 'custom' ? { preset: 'custom', ...days } : { preset: value as SalesState['preset'] });

  return (
    <Stack gap="lg">
      <PageHeader title={t('earnings.title')} subtitle={store?.name} />
      <Text size="sm" c="dimmed" maw={720}>
        {t('earnings.about')}
      </Text>
      <Group gap="sm" align="flex-end" wrap="wrap">
        {narrow ? (
          <Select
            label={t('sales.periodLabel')}
            value={state.preset}
            onChange={(value) => value && choosePeriod(value)}
            data={periodChoices}
            allowDeselect={false}
            w={160}
          />
        ) : (
          <SegmentedControl
            aria-label={t('sales.periodLabel')}
            value={state.preset}
            onChange={choosePeriod}
            data={periodChoices}
          />
        )}
        {state.preset === 'custom' && (
          <>
            <TextInput
              type="date"
              label={t('orders.from')}
              value={state.from}
              max={state.to}
              onChange={(e) => e.currentTarget.value && change({ from: e.currentTarget.value })}
            />
            <TextInput
              type="date"
              label={t('orders.to')}
              value={state.to}
              min={state.from}
              max={almatyDay(now)}
              onChange={(e) => e.currentTarget.value && change({ to: e.currentTarget.value })}
            />
          </>
        )}
      </Group>

      {summary.isPending ? (
        <PageLoader />
      ) : summary.error ? (
        <ErrorState error={summary.error} onRetry={() => void summary.refetch()} />
      ) : (
        <>
          <EarningsFigures figures={summary.data} />
          <NeedsAttention figures={summary.data} />
          <Section title={t('earnings.productsTitle')}>
            {perProduct.data && (
              <Stack gap="sm">
                <ProductEarnings items={perProduct.data.items} />
                <ListPager total={perProduct.data.total} pageSize={PAGE_SIZE} page={page} onChange={setPage} />
              </Stack>
            )}
          </Section>
        </>
      )}
    </Stack>
  );
}
