import { useTranslation } from 'react-i18next';
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { components } from '../../api/schema';
import { formatCount, formatTenge } from '../../lib/format';
import type { Group } from './range';

type Period = components['schemas']['Sales']['periods'][number];

const LABEL_FORMATS: Record<Group, Intl.DateTimeFormatOptions> = {
  day: { day: 'numeric', month: 'short' },
  week: { day: 'numeric', month: 'short' },
  month: { month: 'short', year: 'numeric' },
};

/** Revenue as bars and orders as a line, one point per Almaty day, week or month that had orders. */
export function SalesChart({ periods, groupBy }: { periods: Period[]; groupBy: Group }) {
  const { t, i18n } = useTranslation();
  const label = new Intl.DateTimeFormat(i18n.language, { ...LABEL_FORMATS[groupBy], timeZone: 'UTC' });
  const periodName = (period: string) => {
    const text = label.format(new Date(`${period}T00:00:00Z`));
    return groupBy === 'week' ? t('sales.weekFrom', { day: text }) : text;
  };
  const revenue = periods.reduce((sum, p) => sum + p.revenue, 0);
  return (
    <div role="img" aria-label={t('sales.chartLabel', { count: periods.length, revenue: formatTenge(revenue) })}>
      <ResponsiveContainer width="100%" height={280}>
        <ComposedChart data={periods} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e9ecef" vertical={false} />
          <XAxis dataKey="period" tickFormatter={periodName} fontSize={12} />
          <YAxis yAxisId="revenue" tickFormatter={(v: number) => formatTenge(v)} width={90} fontSize={12} />
          <YAxis yAxisId="orders" orientation="right" allowDecimals={false} width={36} fontSize={12} />
          <Tooltip
            labelFormatter={(v) => periodName(String(v))}
            formatter={(value, name) => [
              name === t('sales.revenue') ? formatTenge(Number(value)) : formatCount(Number(value)),
              name,
            ]}
          />
          <Legend />
          <Bar yAxisId="revenue" dataKey="revenue" name={t('sales.revenue')} fill="#b3200b" isAnimationActive={false} />
          <Line
            yAxisId="orders"
            type="monotone"
            dataKey="orders"
            name={t('sales.orders')}
            stroke="#1c7ed6"
            strokeWidth={2}
            isAnimationActive={false}
          />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
