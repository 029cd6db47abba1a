import { and, count, eq, isNull, lte, min, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db';
import { kaspiStores, products } from '../db/schema';
import { dueProducts, nextWakeAt, type WorkingHours } from '../domain/check-schedule';

/** Products the demper looks after: switched on, still in the cabinet, not on preorder. */
export function demperProducts(storeId: string): SQL {
  return and(
    eq(products.storeId, storeId),
    eq(products.active, true),
    isNull(products.vanishedAt),
    or(isNull(products.preorderDays), eq(products.preorderDays, 0)),
  )!;
}

/** The ids of the store's products due at `now`, in the order to check them; `more` when the limit cut some off. */
export async function dueProductIds(
  db: Db,
  storeId: string,
  now: Date,
  workingHours: WorkingHours | null,
  limit: number,
): Promise<{ ids: string[]; more: boolean }> {
  const candidates = await db
    .select({
      id: products.id,
      active: products.active,
      nextCheckAt: products.nextCheckAt,
      hotUntil: products.hotUntil,
    })
    .from(products)
    .where(and(demperProducts(storeId), or(isNull(products.nextCheckAt), lte(products.nextCheckAt, now))));
  const due = dueProducts(candidates, now, { workingHours }, limit + 1);
  return { ids: due.slice(0, limit).map((p) => p.id), more: due.length > limit };
}

/** When the store's loop should next look at its products; null when none is switched on. */
export async function storeNextWakeAt(
  db: Db,
  storeId: string,
  now: Date,
  workingHours: WorkingHours | null,
): Promise<Date | null> {
  const [row] = await db
    .select({
      products: count(),
      earliest: min(products.nextCheckAt),
      unchecked: sql<boolean>`bool_or(${products.nextCheckAt} is null)`,
    })
    .from(products)
    .where(demperProducts(storeId));
  if (!row || row.products === 0) return null;
  const earliest = row.unchecked || row.earliest === null ? null : new Date(row.earliest);
  return nextWakeAt([{ id: '', active: true, nextCheckAt: earliest, hotUntil: null }], now, { workingHours });
}

/**
 * A check's next time, no later than the store's quiet interval as saved now. A batch decides with
 * the configuration it started with; a shorter one saved meanwhile pulled the scheduled checks in
 * (`configureDemper`), and the batch's own writes must not push its products out again.
 */
export function noLaterThanStoreInterval(storeId: string, now: Date, nextCheckAt: Date): SQL<Date> {
  const interval = sql`(select (${kaspiStores.demperConfig} ->> 'intervalSeconds')::int from ${kaspiStores} where ${kaspiStores.id} = ${storeId})`;
  return sql<Date>`least(${nextCheckAt.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz + make_interval(secs => ${interval}))`;
}
