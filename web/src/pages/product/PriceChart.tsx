import { Group, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import {
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ReferenceLine,
  ResponsiveContainer,
  Scatter,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { api, data } from '../../api/client';
import { ErrorState } from '../../components/ErrorState';
import { formatClock, formatExactTime, formatTenge } from '../../lib/format';
import type { PriceChange, Product } from '../../lib/products';
import { reasonText } from './Decisions';

interface Point {
  at: number;
  ours: number | null;
  rival: number | null;
  decision: number | null;
  change: PriceChange | null;
}

/**
 * Our price, the cheapest rival, the floor and the ceiling over the last decisions; each decision is a
 * dot whose tooltip says why. Loaded on demand: the chart library is the heaviest part of the cabinet.
 */
export default function PriceChart({ product }: { product: Product }) {
  const { t, i18n } = useTranslation();
  const history = useQuery({
    queryKey: ['price-changes', product.id, 'chart'],
    queryFn: async () =>
      data(
        await api.GET('/api/v1/products/{id}/price-changes', {
          params: { path: { id: product.id }, query: { limit: 200 } },
        }),
      ).items,
  });
  if (history.error) return <ErrorState error={history.error} onRetry={() => void history.refetch()} />;
  if (!history.data) return <div style={{ height: 260 }} />;
  const points = chartPoints(history.data, product);
  if (points.length < 2) {
    return (
      <Text size="sm" c="dimmed">
        {t('chart.empty')}
      </Text>
    );
  }
  const prices = points.flatMap((p) => [p.ours, p.rival]).filter((v): v is number => v !== null);
  const lo = Math.min(...prices, product.minPrice ?? Infinity);
  const hi = Math.max(...prices, product.maxPrice ?? -Infinity);
  const pad = Math.max(10, Math.round((hi - lo) * 0.08));

  return (
    <div role="img" aria-label={t('chart.label', { count: history.data.length })}>
      <ResponsiveContainer width="100%" height={260}>
        <ComposedChart data={points} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e9ecef" />
          <XAxis
            dataKey="at"
            type="number"
            scale="time"
            domain={['dataMin', 'dataMax']}
            tickFormatter={(v: number) => formatClock(new Date(v), i18n.language)}
            fontSize={12}
          />
          <YAxis domain={[lo - pad, hi + pad]} tickFormatter={(v: number) => formatTenge(v)} width={86} fontSize={12} />
          <Tooltip
            labelFormatter={(v) => formatExactTime(new Date(Number(v)), i18n.language)}
            formatter={(value, name, item) => {
              const change = (item.payload as Point).change;
              if (name === t('chart.decision') && change)
                return [`${formatTenge(change.newPrice)} — ${reasonText(change, t)}`, name];
              return [formatTenge(Number(value)), name];
            }}
          />
          <Legend />
          {product.minPrice !== null && (
            <ReferenceLine
              y={product.minPrice}
              stroke="#c92a2a"
              strokeDasharray="6 4"
              label={{ value: t('chart.floor'), fontSize: 11, position: 'insideBottomLeft' }}
            />
          )}
          {product.maxPrice !== null && (
            <ReferenceLine
              y={product.maxPrice}
              stroke="#495057"
              strokeDasharray="6 4"
              label={{ value: t('chart.ceiling'), fontSize: 11, position: 'insideTopLeft' }}
            />
          )}
          <Line
            type="stepAfter"
            dataKey="ours"
            name={t('chart.ours')}
            stroke="#b3200b"
            strokeWidth={2}
            dot={false}
            connectNulls
            isAnimationActive={false}
          />
          <Line
            type="stepAfter"
            dataKey="rival"
            name={t('chart.rival')}
            stroke="#1c7ed6"
            strokeWidth={1.5}
            dot={false}
            connectNulls
            isAnimationActive={false}
          />
          <Scatter dataKey="decision" name={t('chart.decision')} fill="#7048e8" isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
      <Group gap="xs" mt={4}>
        <Text size="xs" c="dimmed">
          {t('chart.hint')}
        </Text>
      </Group>
    </div>
  );
}

/** Our price moves when a change was sent; the rival's price is what each decision saw. */
function chartPoints(changes: PriceChange[], product: Product): Point[] {
  const oldestFirst = [...changes].reverse();
  const points: Point[] = [];
  let ours: number | null = oldestFirst[0]?.oldPrice ?? null;
  for (const c of oldestFirst) {
    const at = Date.parse(c.sentAt ?? c.createdAt);
    if (c.status === 'sent') ours = c.newPrice;
    points.push({ at, ours, rival: c.rival?.price ?? null, decision: c.newPrice, change: c });
  }
  points.push({
    at: Date.now(),
    ours: product.price,
    rival: product.cheapestRival?.price ?? null,
    decision: null,
    change: null,
  });
  return points;
}
