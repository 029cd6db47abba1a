import { Card, SimpleGrid, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { components } from '../../api/schema';
import { formatCount, formatPercent, formatTenge } from '../../lib/format';
import { change } from './range';

type Totals = components['schemas']['Sales']['totals'];

/** One figure of the period, with its change against the period before (cancellations: up is bad). */
function Figure({
  label,
  value,
  now,
  before,
  upIsGood = true,
}: {
  label: string;
  value: string;
  now: number;
  before: number | undefined;
  upIsGood?: boolean;
}) {
  const { t } = useTranslation();
  const delta = before === undefined ? undefined : change(now, before);
  const color =
    delta === undefined || delta === null || delta === 0 ? 'dimmed' : delta > 0 === upIsGood ? 'green.8' : 'red.8';
  return (
    <Card withBorder padding="md">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text fw={700} size="xl" className="num">
        {value}
      </Text>
      <Text size="xs" c={color}>
        {delta === undefined
          ? ' '
          : delta === null
            ? t('sales.noBefore')
            : t('sales.vsBefore', {
                change: `${delta > 0 ? '+' : delta < 0 ? '−' : ''}${formatPercent(Math.abs(delta))}`,
              })}
      </Text>
    </Card>
  );
}

export function SalesFigures({ now, before }: { now: Totals; before: Totals | undefined }) {
  const { t, i18n } = useTranslation();
  const rate = new Intl.NumberFormat(i18n.language, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  return (
    <SimpleGrid cols={{ base: 2, md: 4 }} spacing="md">
      <Figure label={t('sales.revenue')} value={formatTenge(now.revenue)} now={now.revenue} before={before?.revenue} />
      <Figure label={t('sales.orders')} value={formatCount(now.orders)} now={now.orders} before={before?.orders} />
      <Figure
        label={t('sales.averageCheck')}
        value={formatTenge(now.averageCheck)}
        now={now.averageCheck}
        before={before?.averageCheck}
      />
      <Figure
        label={t('sales.cancellations')}
        value={t('sales.cancellationsValue', {
          count: now.cancellations,
          rate: rate.format(now.cancellationRatePercent),
        })}
        now={now.cancellations}
        before={before?.cancellations}
        upIsGood={false}
      />
    </SimpleGrid>
  );
}
