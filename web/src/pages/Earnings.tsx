import { Group, Stack, Text } from '@mantine/core';
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
import { PeriodFields } from './sales/PeriodFields';
import { useNow } from '../lib/now';
import { useStores } from '../lib/stores';
import { EarningsFigures } from './earnings/EarningsFigures';
import { NeedsAttention } from './earnings/NeedsAttention';
import { ProductEarnings } from './earnings/ProductEarnings';
import { daysOf, readSalesState, writeSalesState, type SalesState } from './sales/range';

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

  return (
    <Stack gap="lg">
      <PageHeader title={t('earnings.title')} subtitle={store?.name} />
      <Text size="sm" c="dimmed" maw={720}>
        {t('earnings.about')}
      </Text>
      <Group gap="sm" align="flex-end" wrap="wrap">
        <PeriodFields state={state} now={now} onChange={change} />
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
