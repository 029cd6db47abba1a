import { Button, Chip, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue, useMediaQuery } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { IconSearch } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams, useSearchParams } from 'react-router';
import { ErrorState } from '../components/ErrorState';
import { ListPager } from '../components/ListPager';
import { PageHeader } from '../components/PageHeader';
import { PageLoader } from '../components/PageLoader';
import { useStores } from '../lib/stores';
import {
  ORDER_STATUSES,
  ORDER_TABS,
  ORDERS_PAGE_SIZE,
  ordersApiQuery,
  ordersListQuery,
  readOrdersState,
  writeOrdersState,
  type OrdersListState,
  type OrderStatus,
  type OrderTab,
} from './orders/filters';
import { OrderCards, OrdersTable } from './orders/OrdersTable';
import { PollBar } from './orders/PollBar';

/** The store's orders as the poll stored them: by cabinet tab, status, days and number. */
export default function Orders() {
  const { t } = useTranslation();
  const { storeId = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const state = readOrdersState(params);
  const [code, setCode] = useState(state.code);
  const [debouncedCode] = useDebouncedValue(code, 300);
  const narrow = useMediaQuery('(max-width: 62em)', undefined, { getInitialValueInEffect: false });
  const store = useStores().data?.find((s) => s.id === storeId);

  const change = (next: Partial<OrdersListState>) =>
    setParams(writeOrdersState({ ...state, page: 1, ...next }), { replace: true });
  useEffect(() => {
    if (debouncedCode !== state.code) change({ code: debouncedCode });
    // Only the debounced number drives the address; the rest is read from it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debouncedCode]);

  const list = useQuery(ordersListQuery(storeId, ordersApiQuery(state)));
  const filtered =
    state.tab !== 'all' || state.status !== null || state.code !== '' || state.from !== '' || state.to !== '';

  return (
    <Stack gap="md">
      <PageHeader title={t('orders.title')} subtitle={store?.name} />
      <PollBar storeId={storeId} />

      <Chip.Group multiple={false} value={state.tab} onChange={(value) => change({ tab: value as OrderTab })}>
        <Group gap="xs" role="group" aria-label={t('orders.tabsLabel')}>
          {ORDER_TABS.map((tab) => (
            <Chip key={tab} value={tab} size="sm" variant="outline">
              {t(`orders.tab.${tab}`)}
            </Chip>
          ))}
        </Group>
      </Chip.Group>

      <Group gap="sm" align="flex-end" wrap="wrap">
        <TextInput
          label={t('orders.codeSearch')}
          leftSection={<IconSearch size={16} aria-hidden />}
          inputMode="numeric"
          value={code}
          onChange={(e) => setCode(e.currentTarget.value.replace(/\D/g, ''))}
          style={{ flex: '1 1 12rem' }}
        />
        <Select
          label={t('orders.statusLabel')}
          placeholder={t('orders.anyStatus')}
          data={ORDER_STATUSES.map((s) => ({ value: s, label: t(`orders.status.${s}`) }))}
          value={state.status}
          onChange={(value) => change({ status: value as OrderStatus | null })}
          clearable
          style={{ flex: '1 1 14rem' }}
        />
        <TextInput
          type="date"
          label={t('orders.from')}
          value={state.from}
          max={state.to || undefined}
          onChange={(e) => change({ from: e.currentTarget.value })}
          style={{ flex: '0 1 10rem' }}
        />
        <TextInput
          type="date"
          label={t('orders.to')}
          value={state.to}
          min={state.from || undefined}
          onChange={(e) => change({ to: e.currentTarget.value })}
          style={{ flex: '0 1 10rem' }}
        />
        {filtered && (
          <Button
            variant="subtle"
            onClick={() => {
              setCode('');
              setParams(new URLSearchParams(), { replace: true });
            }}
          >
            {t('orders.clearFilters')}
          </Button>
        )}
      </Group>

      {list.isPending ? (
        <PageLoader />
      ) : list.error ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <Text c="dimmed" ta="center" py="xl">
          {filtered ? t('orders.emptyFilter') : t('orders.empty')}
        </Text>
      ) : narrow ? (
        <OrderCards items={list.data.items} />
      ) : (
        <OrdersTable items={list.data.items} />
      )}

      <ListPager
        total={list.data?.total ?? 0}
        pageSize={ORDERS_PAGE_SIZE}
        page={state.page}
        onChange={(page) => change({ page })}
      />
    </Stack>
  );
}
