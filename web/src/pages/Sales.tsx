import { Button, Group, SegmentedControl, Stack, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { IconDownload } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { useParams, useSearchParams } from 'react-router';
import { api, data } from '../api/client';
import { ErrorState } from '../components/ErrorState';
import { PageHeader } from '../components/PageHeader';
import { PageLoader } from '../components/PageLoader';
import { Section } from '../components/Section';
import { PeriodFields } from './sales/PeriodFields';
import { useNow } from '../lib/now';
import { useStores } from '../lib/stores';
import {
  GROUPS,
  previousRange,
  rangeOf,
  readSalesState,
  writeSalesState,
  type Group as SalesGroup,
  type Range,
  type SalesState,
} from './sales/range';
import { SalesChart } from './sales/SalesChart';
import { SalesFigures } from './sales/SalesFigures';
import { TopProducts } from './sales/TopProducts';

function useSales(storeId: string, range: Range, groupBy: SalesGroup) {
  return useQuery({
    queryKey: ['sales', storeId, range, groupBy],
    placeholderData: keepPreviousData,
    queryFn: async () =>
      data(
        await api.GET('/api/v1/stores/{id}/sales', { params: { path: { id: storeId }, query: { ...range, groupBy } } }),
      ),
  });
}

/** Revenue, orders, average check and cancellations over a period in Almaty time, against the period before. */
export default function Sales() {
  const { t } = useTranslation();
  const { storeId = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const state = readSalesState(params);
  const store = useStores().data?.find((s) => s.id === storeId);
  // The day changes at Almaty midnight; a minute's tick is enough for "today" to follow it.
  const now = useNow(60_000);
  const range = rangeOf(state, now);
  const sales = useSales(storeId, range, state.groupBy);
  const before = useSales(storeId, previousRange(range), state.groupBy);
  const change = (next: Partial<SalesState>) => setParams(writeSalesState({ ...state, ...next }), { replace: true });
  const exportQuery = new URLSearchParams({ ...range, groupBy: state.groupBy });

  return (
    <Stack gap="lg">
      <PageHeader title={t('sales.title')} subtitle={store?.name}>
        <Button
          component="a"
          href={`/api/v1/stores/${storeId}/sales/export.xlsx?${exportQuery.toString()}`}
          download
          variant="default"
          leftSection={<IconDownload size={16} aria-hidden />}
        >
          {t('sales.export')}
        </Button>
      </PageHeader>

      <Group gap="sm" align="flex-end" wrap="wrap">
        <PeriodFields state={state} now={now} onChange={change} />
        <SegmentedControl
          aria-label={t('sales.groupLabel')}
          value={state.groupBy}
          onChange={(value) => change({ groupBy: value as SalesGroup })}
          data={GROUPS.map((g) => ({ value: g, label: t(`sales.group.${g}`) }))}
        />
      </Group>

      {sales.isPending ? (
        <PageLoader />
      ) : sales.error ? (
        <ErrorState error={sales.error} onRetry={() => void sales.refetch()} />
      ) : (
        <>
          <SalesFigures now={sales.data.totals} before={before.data?.totals} />
          <Section title={t('sales.chartTitle')}>
            {sales.data.periods.length === 0 ? (
              <Text size="sm">{t('sales.noOrders')}</Text>
            ) : (
              <SalesChart periods={sales.data.periods} groupBy={state.groupBy} />
            )}
          </Section>
          <Section title={t('sales.topTitle')}>
            <TopProducts items={sales.data.topProducts} />
          </Section>
        </>
      )}
    </Stack>
  );
}
