/**
 * What the demper earned a store over a period of Almaty days, from what is already recorded: the
 * day counters (`product_days` and the product row's current day), the changes sent to Kaspi, and
 * the order lines, each marked when stored with how the demper saw its product then.
 * The figures' definitions are in docs/API.md ("What the demper earns").
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db';
import { timeShares, type TimeCounters, type TimeShares } from '../domain/earnings';
import { CANCELLED_STATUSES } from '../domain/order-events';
import { MERCHANT_TIME_ZONE } from '../domain/almaty-time';
import { floorTenge } from '../domain/product-settings';

export interface EarningsPeriod {
  storeId: string;
  /** First and last Almaty day, `YYYY-MM-DD`, both included. */
  from: string;
  to: string;
}

export interface SalesSplit {
  orders: number;
  revenue: number;
}

export interface EarningsFigures extends TimeCounters, TimeShares {
  changes: number;
  whileFirst: SalesSplit;
  notFirst: SalesSplit;
  /** Tenge the sales while first could have added at the highest price that still kept first place. */
  marginGivenUp: number;
}

export interface ProductEarnings extends EarningsFigures {
  productId: string;
  sku: string;
  name: string;
  /** As the last check saw it. */
  position: number | null;
  price: number | null;
  floor: number | null;
  cheapestRival: { merchantId: string; name: string | null; price: number | null } | null;
}

export interface EarningsSummary extends EarningsFigures {
  /** Changes sent, by the reason that decided them (`manual` for the merchant's own). */
  changesByReason: Record<string, number>;
  /** Sales of products the demper was not watching when the order came in. */
  unwatched: SalesSplit;
  /** Products held at the floor at least half of the time watched, the longest first. */
  stuckAtFloor: ProductEarnings[];
  /**
   * Rivals ahead of us on products first less than half of the time though mostly not held at the floor,
   * the most such products first.
   */
  losingTo: { merchantId: string; name: string | null; products: ProductEarnings[] }[];
}

const LIST_LIMIT = 10;
const MOSTLY = 0.5;

function localDay(column: SQL): SQL {
  return sql`(${column} at time zone ${MERCHANT_TIME_ZONE})::date`;
}

/** One row per order line of the period's sales, with its product and how the demper saw it. */
function soldLines(q: EarningsPeriod): SQL {
  const cancelled = sql.join(
    CANCELLED_STATUSES.map((s) => sql`${s}`),
    sql`, `,
  );
  return sql`
    select o.id as order_id, p.id as product_id, (e->>'totalPrice')::bigint as total,
           (e->'demper'->>'first')::boolean as first,
           coalesce((e->'demper'->>'roomTenge')::bigint, 0) * (e->>'quantity')::int as given_up
    from orders o
    cross join lateral jsonb_array_elements(o.entries) e
    left join products p on p.store_id = o.store_id and p.sku = e->>'sku'
    where o.store_id = ${q.storeId} and o.status not in (${cancelled})
      and ${localDay(sql`o.creation_date`)} between ${q.from}::date and ${q.to}::date`;
}

/** Per product with anything in the period: its time counters, changes sent and sales. */
function productFigures(q: EarningsPeriod): SQL {
  return sql`
    with counted as (
      select product_id, watched_seconds, first_seconds, floor_seconds
      from product_days where store_id = ${q.storeId} and day between ${q.from} and ${q.to}
      union all
      select id, watched_seconds, first_seconds, floor_seconds
      from products where store_id = ${q.storeId} and stats_day between ${q.from} and ${q.to}
    ),
    watched as (
      select product_id, sum(watched_seconds)::int as w, sum(first_seconds)::int as f, sum(floor_seconds)::int as fl
      from counted group by product_id
    ),
    sent as (
      select product_id, count(*)::int as n from price_changes
      where store_id = ${q.storeId} and status = 'sent'
        and ${localDay(sql`sent_at`)} between ${q.from}::date and ${q.to}::date
      group by product_id
    ),
    lines as (${soldLines(q)}),
    sold as (
      select product_id,
             (count(distinct order_id) filter (where first))::int as orders_first,
             coalesce(sum(total) filter (where first), 0)::bigint as revenue_first,
             (count(distinct order_id) filter (where not first))::int as orders_not_first,
             coalesce(sum(total) filter (where not first), 0)::bigint as revenue_not_first,
             coalesce(sum(given_up) filter (where first), 0)::bigint as given_up
      from lines where product_id is not null group by product_id
    )
    select p.id, p.sku, p.name, p.position, p.price, p.min_price, p.cost, p.min_margin_percent,
           p.cheapest_rival_merchant, p.cheapest_rival_name, p.cheapest_rival_price,
           coalesce(w.w, 0) as w, coalesce(w.f, 0) as f, coalesce(w.fl, 0) as fl, coalesce(s.n, 0) as changes,
           coalesce(d.orders_first, 0) as orders_first, coalesce(d.revenue_first, 0) as revenue_first,
           coalesce(d.orders_not_first, 0) as orders_not_first, coalesce(d.revenue_not_first, 0) as revenue_not_first,
           coalesce(d.given_up, 0) as given_up
    from products p
    left join watched w on w.product_id = p.id
    left join sent s on s.product_id = p.id
    left join sold d on d.product_id = p.id
    where p.store_id = ${q.storeId} and (w.product_id is not null or s.product_id is not null or d.product_id is not null)`;
}

interface FigureRow extends Record<string, unknown> {
  id: string;
  sku: string;
  name: string;
  position: number | null;
  price: number | null;
  min_price: number | null;
  cost: number | null;
  min_margin_percent: string | null;
  cheapest_rival_merchant: string | null;
  cheapest_rival_name: string | null;
  cheapest_rival_price: number | null;
  w: number;
  f: number;
  fl: number;
  changes: number;
  orders_first: number;
  revenue_first: string;
  orders_not_first: number;
  revenue_not_first: string;
  given_up: string;
}

function productEarnings(r: FigureRow): ProductEarnings {
  const counters = { watchedSeconds: r.w, firstSeconds: r.f, floorSeconds: r.fl };
  return {
    productId: r.id,
    sku: r.sku,
    name: r.name,
    position: r.position,
    price: r.price,
    floor: floorTenge({
      minPrice: r.min_price,
      cost: r.cost,
      minMarginPercent: r.min_margin_percent === null ? null : Number(r.min_margin_percent),
    }),
    cheapestRival: r.cheapest_rival_merchant
      ? { merchantId: r.cheapest_rival_merchant, name: r.cheapest_rival_name, price: r.cheapest_rival_price }
      : null,
    ...counters,
    ...timeShares(counters),
    changes: r.changes,
    whileFirst: { orders: r.orders_first, revenue: Number(r.revenue_first) },
    notFirst: { orders: r.orders_not_first, revenue: Number(r.revenue_not_first) },
    marginGivenUp: Number(r.given_up),
  };
}

/** The period's figures per product, most watched first. */
export async function productEarningsPage(
  db: Db,
  q: EarningsPeriod & { page: number; limit: number },
): Promise<{ items: ProductEarnings[]; total: number }> {
  const result = await db.execute<FigureRow & { total: number }>(sql`
    select f.*, (count(*) over ())::int as total from (${productFigures(q)}) f
    order by f.w desc, f.changes desc, f.sku
    limit ${q.limit} offset ${(q.page - 1) * q.limit}`);
  return { items: result.rows.map(productEarnings), total: result.rows[0]?.total ?? 0 };
}

/** The store's totals over the period, and the products that need the merchant. */
export async function earningsSummary(db: Db, q: EarningsPeriod): Promise<EarningsSummary> {
  const [figures, reasons, orders] = await Promise.all([
    db.execute<FigureRow>(productFigures(q)),
    db.execute<{ reason: string; n: number }>(sql`
      select case when source = 'demper' then reason else source end as reason, count(*)::int as n
      from price_changes
      where store_id = ${q.storeId} and status = 'sent'
        and ${localDay(sql`sent_at`)} between ${q.from}::date and ${q.to}::date
      group by 1`),
    db.execute<{ group: 'first' | 'not_first' | 'unwatched'; orders: number; revenue: string }>(sql`
      with lines as (${soldLines(q)})
      select case when first then 'first' when not first then 'not_first' else 'unwatched' end as group,
             count(distinct order_id)::int as orders, sum(total)::bigint as revenue
      from lines group by 1`),
  ]);
  const products = figures.rows.map(productEarnings);
  const counters = {
    watchedSeconds: products.reduce((s, p) => s + p.watchedSeconds, 0),
    firstSeconds: products.reduce((s, p) => s + p.firstSeconds, 0),
    floorSeconds: products.reduce((s, p) => s + p.floorSeconds, 0),
  };
  const split = (group: string): SalesSplit => {
    const row = orders.rows.find((r) => r.group === group);
    return { orders: row?.orders ?? 0, revenue: Number(row?.revenue ?? 0) };
  };
  return {
    ...counters,
    ...timeShares(counters),
    changes: reasons.rows.reduce((s, r) => s + r.n, 0),
    changesByReason: Object.fromEntries(reasons.rows.map((r) => [r.reason, r.n])),
    whileFirst: split('first'),
    notFirst: split('not_first'),
    unwatched: split('unwatched'),
    marginGivenUp: products.reduce((s, p) => s + p.marginGivenUp, 0),
    stuckAtFloor: products
      .filter((p) => (p.floorShare ?? 0) >= MOSTLY)
      .sort((a, b) => b.floorSeconds - a.floorSeconds)
      .slice(0, LIST_LIMIT),
    losingTo: losingTo(products),
  };
}

function losingTo(products: ProductEarnings[]): EarningsSummary['losingTo'] {
  const byRival = new Map<string, EarningsSummary['losingTo'][number]>();
  for (const p of products) {
    // A product mostly held at the floor is the floor's matter (stuckAtFloor), not the rival's.
    if (p.firstShare === null || p.firstShare >= MOSTLY || (p.floorShare ?? 0) >= MOSTLY) continue;
    if (p.position === 1 || !p.cheapestRival) continue;
    const rival = byRival.get(p.cheapestRival.merchantId) ?? {
      merchantId: p.cheapestRival.merchantId,
      name: p.cheapestRival.name,
      products: [],
    };
    rival.products.push(p);
    byRival.set(rival.merchantId, rival);
  }
  return [...byRival.values()].sort((a, b) => b.products.length - a.products.length).slice(0, LIST_LIMIT);
}
