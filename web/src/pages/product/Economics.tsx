import { Button, Group, NumberInput, Stack, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, data } from '../../api/client';
import type { components } from '../../api/schema';
import { ScrollTable } from '../../components/ScrollTable';
import { decimalMark, formatAmount, formatPercentNumber, formatTenge } from '../../lib/format';
import { showApiErrors } from '../../lib/forms';
import { useProductUpdater, type Product } from '../../lib/products';

type UnitProfit = NonNullable<components['schemas']['Product']['economics']['atPrice']>;

const COLUMNS = ['atPrice', 'atFloor', 'atCeiling'] as const;
const MONEY_ROWS = ['priceTenge', 'commissionTenge', 'taxTenge', 'deliveryTenge', 'costTenge'] as const;

/** What one unit leaves the merchant at the live price, the floor and the ceiling. */
export function ProfitTable({ product }: { product: Product }) {
  const { t, i18n } = useTranslation();
  const e = product.economics;
  if (product.cost === null) {
    return (
      <Text size="sm" c="dimmed" data-testid="economics-needs-cost">
        {t('economics.needsCost')}
      </Text>
    );
  }
  const cell = (profit: UnitProfit | null, render: (p: UnitProfit) => ReactNode) =>
    profit === null ? '—' : render(profit);
  const label = (row: (typeof MONEY_ROWS)[number]) =>
    row === 'commissionTenge'
      ? t('economics.row.commissionTenge', { percent: formatPercentNumber(e.commissionPercent, i18n.language) })
      : t(`economics.row.${row}`);

  return (
    <ScrollTable minWidth={280} label={t('economics.profitTitle')}>
      <Table
        verticalSpacing={4}
        horizontalSpacing={4}
        className="unit-economics"
        aria-label={t('economics.profitTitle')}
        data-testid="economics-table"
      >
        <Table.Thead>
          <Table.Tr>
            <Table.Th>
              <Text span inherit fw={400} c="dimmed">
                {t('economics.row.what')}
              </Text>
            </Table.Th>
            {COLUMNS.map((c) => (
              <Table.Th key={c} ta="right" data-column={c}>
                {t(`economics.col.${c}`)}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {MONEY_ROWS.map((row) => (
            <Table.Tr key={row}>
              <Table.Th scope="row" fw={400}>
                {label(row)}
              </Table.Th>
              {COLUMNS.map((c) => (
                <Table.Td key={c} ta="right" className="money">
                  {cell(e[c], (p) => formatAmount(row === 'priceTenge' ? p[row] : -p[row]))}
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
          <Table.Tr>
            <Table.Th scope="row">{t('economics.row.profitTenge')}</Table.Th>
            {COLUMNS.map((c) => (
              <Table.Td key={c} ta="right" data-testid={`profit-${c}`}>
                {cell(e[c], (p) => (
                  <Text span fw={700} inherit c={p.profitTenge < 0 ? 'red.9' : undefined}>
                    {formatAmount(p.profitTenge)}
                  </Text>
                ))}
              </Table.Td>
            ))}
          </Table.Tr>
          <Table.Tr>
            <Table.Th scope="row">{t('economics.row.marginPercent')}</Table.Th>
            {COLUMNS.map((c) => (
              <Table.Td key={c} ta="right" data-testid={`margin-${c}`}>
                {cell(e[c], (p) => (
                  <Text span inherit c={p.marginPercent < 0 ? 'red.9' : undefined}>
                    {formatPercentNumber(p.marginPercent, i18n.language)}
                  </Text>
                ))}
              </Table.Td>
            ))}
          </Table.Tr>
        </Table.Tbody>
      </Table>
    </ScrollTable>
  );
}

/** Sets the product's minimum price to the lowest one that keeps the margin given, through the batch route. */
export function FloorFromMargin({ product }: { product: Product }) {
  const { t, i18n } = useTranslation();
  const update = useProductUpdater();
  const client = useQueryClient();
  const form = useForm<{ floorFromMarginPercent: number | string }>({
    initialValues: { floorFromMarginPercent: '' },
  });
  const apply = useMutation({
    mutationFn: async (margin: number) =>
      data(
        await api.POST('/api/v1/products/batch', {
          body: { productIds: [product.id], settings: {}, floorFromMarginPercent: margin },
        }),
      ),
    onSuccess: (result) => {
      for (const p of result.items) update(p);
      const floor = result.items[0]?.minPrice ?? null;
      notifications.show({ color: 'green', message: t('economics.floorSet', { floor: formatTenge(floor) }) });
      form.reset();
      void client.invalidateQueries({ queryKey: ['overview', product.storeId] });
    },
    onError: (error) => showApiErrors(error, form, t),
  });
  return (
    <form
      onSubmit={form.onSubmit((v) => {
        if (v.floorFromMarginPercent !== '') apply.mutate(Number(v.floorFromMarginPercent));
      })}
      noValidate
    >
      <Stack gap="xs">
        <NumberInput
          label={t('economics.floorFromMargin')}
          description={t('economics.floorFromMarginHint')}
          min={0}
          max={99}
          decimalScale={2}
          decimalSeparator={decimalMark(i18n.language)}
          suffix=" %"
          {...form.getInputProps('floorFromMarginPercent')}
        />
        <Group justify="flex-end">
          <Button type="submit" loading={apply.isPending} disabled={form.values.floorFromMarginPercent === ''}>
            {t('economics.setFloor')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** The product screen's unit economics: the profit table and the floor from a margin. */
export function Economics({ product }: { product: Product }) {
  return (
    <Stack gap="md">
      <ProfitTable product={product} />
      <FloorFromMargin product={product} />
    </Stack>
  );
}
