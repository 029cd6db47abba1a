import { sql } from 'drizzle-orm';
import type { Db } from '../db';
import { CANCELLED_STATUSES } from '../domain/order-events';
import { MERCHANT_TIME_ZONE } from '../domain/almaty-time';

export const SALES_GROUPS = ['day', 'week', 'month'] as const;
export type SalesGroup = (typeof SALES_GROUPS)[number];

export interface SalesFigures {
  /** Whole tenge of orders that were not cancelled or returned. */
  revenue: number;
  orders: number;
  averageCheck: number;
  cancellations: number;
  cancelledRevenue: number;
}

export interface SalesReport {
  totals: SalesFigures & { cancellationRatePercent: number };
  /** One row per Almaty day, week (from Monday) or month that had orders, oldest first. */
  periods: (SalesFigures & { period: string })[];
  topProducts: { sku: string; name: string; quantity: number; revenue: number; orders: number }[];
}

const TOP_PRODUCTS = 10;

function figures(revenue: number, orders: number, cancellations: number, cancelledRevenue: number): SalesFigures {
  return {
    revenue,
    orders,
    averageCheck: orders > 0 ? Math.round(revenue / orders) : 0,
    cancellations,
    cancelledRevenue,
  };
}

/**
 * Sales of a store from its own stored orders, by creation date in Almaty time: revenue, orders and
 * average check of what was not cancelled, and the cancellations (cancelled, being cancelled,
 * returned) apart; the best-selling SKUs by revenue.
 */
export async function salesReport(
  db: Db,
  q: { storeId: string; from: Date; to: Date; groupBy: SalesGroup },
): Promise<SalesReport> {
  const cancelled = sql`(${sql.join(
    CANCELLED_STATUSES.map((s) => sql`${s}`),
    sql`, `,
  )})`;
  const inRange = sql`o.store_id = ${q.storeId} and o.creation_date >= ${q.from.toISOString()}::timestamptz and o.creation_date < ${q.to.toISOString()}::timestamptz`;
  const local = sql`(o.creation_date at time zone ${MERCHANT_TIME_ZONE})`;
  const periods = await db.execute<{
    period: string;
    orders: number;
    revenue: number;
    cancellations: number;
    cancelled_revenue: number;
  }>(sql`
    select to_char(date_trunc(${q.groupBy}, ${local}), 'YYYY-MM-DD') as period,
           (count(*) filter (where o.status not in ${cancelled}))::int as orders,
           (coalesce(sum(o.total_price) filter (where o.status not in ${cancelled}), 0))::bigint as revenue,
           (count(*) filter (where o.status in ${cancelled}))::int as cancellations,
           (coalesce(sum(o.total_price) filter (where o.status in ${cancelled}), 0))::bigint as cancelled_revenue
    from orders o
    where ${inRange}
    group by 1
    order by 1`);
  const top = await db.execute<{ sku: string; name: string; quantity: number; revenue: number; orders: number }>(sql`
    select e->>'sku' as sku, max(e->>'name') as name,
           sum((e->>'quantity')::int)::int as quantity, sum((e->>'totalPrice')::bigint)::bigint as revenue,
           count(distinct o.id)::int as orders
    from orders o cross join lateral jsonb_array_elements(o.entries) e
    where ${inRange} and o.status not in ${cancelled}
    group by 1
    order by 4 desc, 1
    limit ${TOP_PRODUCTS}`);

  const rows = periods.rows.map((r) => ({
    period: r.period,
    ...figures(Number(r.revenue), r.orders, r.cancellations, Number(r.cancelled_revenue)),
  }));
  const sum = (pick: (r: SalesFigures) => number) => rows.reduce((total, r) => total + pick(r), 0);
  const totals = figures(
    sum((r) => r.revenue),
    sum((r) => r.orders),
    sum((r) => r.cancellations),
    sum((r) => r.cancelledRevenue),
  );
  const placed = totals.orders + totals.cancellations;
  return {
    totals: {
      ...totals,
      cancellationRatePercent: placed > 0 ? Math.round((totals.cancellations / placed) * 1000) / 10 : 0,
    },
    periods: rows,
    topProducts: top.rows.map((r) => ({
      sku: r.sku,
      name: r.name,
      quantity: r.quantity,
      revenue: Number(r.revenue),
      orders: r.orders,
    })),
  };
}
