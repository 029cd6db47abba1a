import { and, asc, count, desc, eq, ilike, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db';
import { kaspiStores, products } from '../db/schema';

/**
 * What a product's row says at a glance, the most pressing first: switched off, on preorder (the
 * demper leaves it alone), its store's demper paused, its card unreadable, not checked yet, held at
 * its floor by a cheaper rival, held back in a price war, unable to go lower without a floor, first,
 * or not first.
 */
export const PRODUCT_STATES = [
  'off',
  'preorder',
  'paused',
  'error',
  'unchecked',
  'at_floor',
  'price_war',
  'no_floor',
  'first',
  'not_first',
] as const;
export type ProductState = (typeof PRODUCT_STATES)[number];

/** The state as SQL, so lists filter and count by exactly what each row shows. */
export const productStateSql: SQL<ProductState> = sql<ProductState>`case
  when not ${products.active} then 'off'
  when ${products.preorderDays} is not null then 'preorder'
  when ${kaspiStores.demperPausedReason} is not null then 'paused'
  when ${products.checkErrors} > 0 then 'error'
  when ${products.lastCheckAt} is null then 'unchecked'
  when ${products.lastReason} = 'floor_reached' then 'at_floor'
  when ${products.lastReason} = 'price_war_hold' then 'price_war'
  when ${products.lastReason} = 'no_floor' then 'no_floor'
  when ${products.position} = 1 then 'first'
  else 'not_first' end`;

/** No floor of any kind: neither `minPrice` nor a cost with a minimum margin. */
export const noFloorSql: SQL = and(
  isNull(products.minPrice),
  or(isNull(products.cost), isNull(products.minMarginPercent)),
)!;

/** Our price minus the cheapest rival's: positive when we are dearer. */
export const gapSql = sql<number | null>`(${products.price} - ${products.cheapestRivalPrice})`;

export const PRODUCT_SORTS = ['name', 'price', 'position', 'gap', 'lastCheckAt', 'nextCheckAt', 'createdAt'] as const;
export type ProductSortField = (typeof PRODUCT_SORTS)[number];

const SORT_COLUMNS: Record<ProductSortField, SQL | typeof products.name> = {
  name: products.name,
  price: sql`${products.price}`,
  position: sql`${products.position}`,
  gap: gapSql,
  lastCheckAt: sql`${products.lastCheckAt}`,
  nextCheckAt: sql`${products.nextCheckAt}`,
  createdAt: sql`${products.createdAt}`,
};

export interface ProductFilter {
  active?: boolean;
  search?: string;
  state?: ProductState;
  noFloor?: boolean;
}

export interface ProductSort {
  field: ProductSortField;
  descending: boolean;
}

export type ProductWithState = typeof products.$inferSelect & { state: ProductState };

const withState = { product: products, state: productStateSql };

function rowsWithState(rows: { product: typeof products.$inferSelect; state: ProductState }[]): ProductWithState[] {
  return rows.map((r) => ({ ...r.product, state: r.state }));
}

/** One page of a store's products, filtered and sorted on the server (the store's ownership is checked by the caller). */
export async function listProducts(
  db: Db,
  storeId: string,
  filter: ProductFilter,
  sort: ProductSort | null,
  page: { limit: number; page: number },
): Promise<{ items: ProductWithState[]; total: number }> {
  const conditions: SQL[] = [eq(products.storeId, storeId)];
  if (filter.active !== undefined) conditions.push(eq(products.active, filter.active));
  if (filter.state) conditions.push(sql`${productStateSql} = ${filter.state}`);
  if (filter.noFloor) conditions.push(eq(products.active, true), noFloorSql);
  if (filter.search) {
    const pattern = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(
      or(ilike(products.name, pattern), ilike(products.sku, pattern), ilike(products.kaspiProductId, pattern))!,
    );
  }
  const where = and(...conditions);
  const order = sort
    ? [sql`${SORT_COLUMNS[sort.field]} ${sort.descending ? sql`desc` : sql`asc`} nulls last`, asc(products.id)]
    : [desc(products.createdAt), desc(products.id)];
  const [rows, [total]] = await Promise.all([
    db
      .select(withState)
      .from(products)
      .innerJoin(kaspiStores, eq(kaspiStores.id, products.storeId))
      .where(where)
      .orderBy(...order)
      .limit(page.limit)
      .offset((page.page - 1) * page.limit),
    db.select({ n: count() }).from(products).innerJoin(kaspiStores, eq(kaspiStores.id, products.storeId)).where(where),
  ]);
  return { items: rowsWithState(rows), total: total?.n ?? 0 };
}

/** Products by id with their state, in no particular order (ownership is the caller's to check). */
export async function productsWithState(db: Db, ids: readonly string[]): Promise<ProductWithState[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select(withState)
    .from(products)
    .innerJoin(kaspiStores, eq(kaspiStores.id, products.storeId))
    .where(inArray(products.id, [...ids]));
  return rowsWithState(rows);
}

/** How many of a store's products are in each state, and the share of today its active products spent first. */
export async function productCounts(db: Db, storeId: string, today: string) {
  const inState = (state: ProductState) =>
    sql<number>`count(*) filter (where ${productStateSql} = ${state})`.mapWith(Number);
  const today_ = sql`${products.active} and ${products.statsDay} = ${today}`;
  const [row] = await db
    .select({
      total: count(),
      active: sql<number>`count(*) filter (where ${products.active})`.mapWith(Number),
      first: inState('first'),
      notFirst: inState('not_first'),
      atFloor: inState('at_floor'),
      priceWar: inState('price_war'),
      error: inState('error'),
      unchecked: inState('unchecked'),
      noFloor: sql<number>`count(*) filter (where ${products.active} and ${noFloorSql})`.mapWith(Number),
      watchedSeconds: sql<number>`coalesce(sum(${products.watchedSeconds}) filter (where ${today_}), 0)`.mapWith(
        Number,
      ),
      firstSeconds: sql<number>`coalesce(sum(${products.firstSeconds}) filter (where ${today_}), 0)`.mapWith(Number),
    })
    .from(products)
    .innerJoin(kaspiStores, eq(kaspiStores.id, products.storeId))
    .where(eq(products.storeId, storeId));
  const { watchedSeconds, firstSeconds, ...counts } = row!;
  return { ...counts, firstShareToday: watchedSeconds > 0 ? firstSeconds / watchedSeconds : null };
}
