import { and, asc, count, eq, isNull, lte, max, min, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db';
import { kaspiStores, priceChanges, products, proxies } from '../db/schema';
import {
  dueProducts,
  nextWakeAt,
  readAheadProducts,
  type ReadAhead,
  type WorkingHours,
} from '../domain/check-schedule';

/** Products the demper looks after: switched on, still in the cabinet, not on preorder. */
export function demperProducts(storeId: string): SQL {
  return and(
    eq(products.storeId, storeId),
    eq(products.active, true),
    isNull(products.vanishedAt),
    or(isNull(products.preorderDays), eq(products.preorderDays, 0)),
  )!;
}

/**
 * The ids of the store's products to check at `now`, in order: those due, then — with `readAhead`, when
 * the store has read capacity to spare — those that may be read ahead of their interval. The first
 * `due` of the ids are due; `more` when the limit cut some due ones off.
 */
export async function dueProductIds(
  db: Db,
  storeId: string,
  now: Date,
  workingHours: WorkingHours | null,
  limit: number,
  readAhead: ReadAhead | null = null,
): Promise<{ ids: string[]; due: number; more: boolean }> {
  const dueNow = or(isNull(products.nextCheckAt), lte(products.nextCheckAt, now));
  const candidates = await db
    .select({
      id: products.id,
      active: products.active,
      nextCheckAt: products.nextCheckAt,
      hotUntil: products.hotUntil,
      lastCheckAt: products.lastCheckAt,
    })
    .from(products)
    .where(
      and(
        demperProducts(storeId),
        readAhead
          ? or(
              dueNow,
              and(
                lte(products.lastCheckAt, new Date(now.getTime() - readAhead.minGapSeconds * 1000)),
                // A product whose change waits for its push would only be decided again the same way.
                sql`not exists (select 1 from ${priceChanges} where ${priceChanges.productId} = ${products.id} and ${priceChanges.status} = 'pending')`,
              ),
            )
          : dueNow,
      ),
    );
  const due = dueProducts(candidates, now, { workingHours }, limit + 1);
  const ids = due.slice(0, limit).map((p) => p.id);
  const dueCount = ids.length;
  if (readAhead && ids.length < limit) {
    const ahead = readAheadProducts(candidates, now, { workingHours }, readAhead, limit - ids.length);
    ids.push(...ahead.map((p) => p.id));
  }
  return { ids, due: dueCount, more: due.length > limit };
}

/** When the store's loop should next look at its products; null when none is switched on. */
export async function storeNextWakeAt(
  db: Db,
  storeId: string,
  now: Date,
  workingHours: WorkingHours | null,
  readAhead: ReadAhead | null = null,
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
  let earliest = row.unchecked || row.earliest === null ? null : new Date(row.earliest);
  if (readAhead && earliest !== null) {
    const batchReadyAt = await readAheadBatchAt(db, storeId, readAhead);
    if (batchReadyAt !== null && batchReadyAt < earliest) earliest = batchReadyAt;
  }
  return nextWakeAt([{ id: '', active: true, nextCheckAt: earliest, hotUntil: null }], now, { workingHours });
}

/** When a whole batch of the store's products will be free to read ahead: the batch's newest check, one gap on. */
async function readAheadBatchAt(db: Db, storeId: string, readAhead: ReadAhead): Promise<Date | null> {
  const oldest = db
    .select({ at: products.lastCheckAt })
    .from(products)
    .where(demperProducts(storeId))
    .orderBy(asc(products.lastCheckAt))
    .limit(readAhead.batch)
    .as('oldest');
  const [row] = await db.select({ at: max(oldest.at) }).from(oldest);
  return row?.at ? new Date(new Date(row.at).getTime() + readAhead.minGapSeconds * 1000) : null;
}

/**
 * Whether the store reads ahead of its intervals: only through proxies of its own, whose capacity
 * would otherwise go unused; a store reading from the service's own address keeps to its intervals.
 */
export async function storeReadAhead(
  db: Db,
  userId: string,
  settings: { minGapSeconds: number; batch: number },
): Promise<ReadAhead | null> {
  if (settings.minGapSeconds <= 0) return null;
  const [row] = await db
    .select({ n: count() })
    .from(proxies)
    .where(and(eq(proxies.userId, userId), eq(proxies.module, 'demper'), eq(proxies.status, 'allocated')));
  return row && row.n > 0 ? settings : null;
}

/**
 * A check's next time, no later than the store's quiet interval as saved now. A batch decides with
 * the configuration it started with; a shorter one saved meanwhile pulled the scheduled checks in
 * (`configureDemper`), and the batch's own writes must not push its products out again.
 */
export function noLaterThanStoreInterval(storeId: string, now: Date, nextCheckAt: Date | SQL): SQL<Date> {
  const interval = sql`(select (${kaspiStores.demperConfig} ->> 'intervalSeconds')::int from ${kaspiStores} where ${kaspiStores.id} = ${storeId})`;
  const next = nextCheckAt instanceof Date ? sql`${nextCheckAt.toISOString()}::timestamptz` : nextCheckAt;
  return sql<Date>`least(${next}, ${now.toISOString()}::timestamptz + make_interval(secs => ${interval}))`;
}
