import { and, asc, count, desc, eq, gt, isNull, lte, min, or, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Db } from '../db';
import { kaspiStores, priceChanges, products, proxies } from '../db/schema';
import {
  dueProducts,
  HOT_STALENESS_WEIGHT,
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
  const watched = watchedNow(now, readAhead);
  const columns = {
    id: products.id,
    active: products.active,
    nextCheckAt: products.nextCheckAt,
    hotUntil: products.hotUntil,
    lastCheckAt: products.lastCheckAt,
    price: products.price,
    watched,
  };
  // Each part sorted as the domain sorts it (`dueProducts`, `readAheadProducts`, which then order what
  // comes back) and cut to the batch in PostgreSQL: a refill would otherwise fetch every product of a
  // large catalog that may be read, for the fifty it takes.
  const at = sql`${now.toISOString()}::timestamptz`;
  const hot = sql`coalesce(${products.hotUntil} > ${at}, false)`;
  const weight = sql`sqrt(greatest(coalesce(${products.price}, 1), 1)::float8)`;
  const seconds = (since: SQLWrapper) => sql`extract(epoch from ${at} - ${since})::float8`;
  const dueQuery = db
    .select(columns)
    .from(products)
    .where(and(demperProducts(storeId), or(isNull(products.nextCheckAt), lte(products.nextCheckAt, now))))
    .orderBy(
      sql`case when ${products.nextCheckAt} is null then 0 when ${watched} then 1 when ${hot} then 2 else 3 end`,
      desc(sql`coalesce(${seconds(products.nextCheckAt)} * ${weight}, 0)`),
      asc(products.id),
    )
    .limit(limit + 1);
  const candidates = readAhead
    ? await dueQuery.unionAll(
        db
          .select(columns)
          .from(products)
          .where(
            and(
              demperProducts(storeId),
              gt(products.nextCheckAt, now),
              lte(products.lastCheckAt, new Date(now.getTime() - readAhead.minGapSeconds * 1000)),
              noChangeWaiting(),
            ),
          )
          .orderBy(
            desc(
              sql`${seconds(products.lastCheckAt)} * case when ${hot} then ${HOT_STALENESS_WEIGHT} else 1 end * ${weight}`,
            ),
            asc(products.id),
          )
          .limit(limit),
      )
    : await dueQuery;
  const due = dueProducts(candidates, now, { workingHours }, limit + 1);
  const ids = due.slice(0, limit).map((p) => p.id);
  const dueCount = ids.length;
  if (readAhead && ids.length < limit) {
    const ahead = readAheadProducts(candidates, now, { workingHours }, readAhead, limit - ids.length);
    ids.push(...ahead.map((p) => p.id));
  }
  return { ids, due: dueCount, more: due.length > limit };
}

/**
 * A cut of ours on one of the product's cards waits for its rival's answer, or the rival's act we timed
 * is recent enough for its next one to be near (`ReadAhead.watchSpanSeconds`).
 */
function watchedNow(now: Date, readAhead: ReadAhead | null): SQL<boolean> {
  if (!readAhead?.watchSpanSeconds) return sql<boolean>`false`;
  const sinceMs = now.getTime() - readAhead.watchSpanSeconds * 1000;
  return sql<boolean>`jsonb_path_exists(${products.pricingState}, '$.*.war ? (@.pendingCut.atMs > $since || @.clock.actedAtMs > $since)', jsonb_build_object('since', ${sinceMs}::float8))`;
}

/** A product whose change waits for its push is not read ahead: it would only be decided again the same way. */
function noChangeWaiting(): SQL {
  return sql`not exists (select 1 from ${priceChanges} where ${priceChanges.productId} = ${products.id} and ${priceChanges.status} = 'pending')`;
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
      oldestCheck: sql<Date | null>`min(${products.lastCheckAt}) filter (where ${noChangeWaiting()})`,
      changeWaiting: sql<boolean>`bool_or(not ${noChangeWaiting()})`,
      unchecked: sql<boolean>`bool_or(${products.nextCheckAt} is null)`,
    })
    .from(products)
    .where(demperProducts(storeId));
  if (!row || row.products === 0) return null;
  let earliest = row.unchecked || row.earliest === null ? null : new Date(row.earliest);
  if (readAhead && earliest !== null) {
    // Reading ahead, the next product comes free one gap after the oldest check; a batch reads on from
    // there while its time lasts (check.ts), so one wake serves the products that come free after it.
    // One whose change waits for its push comes free once the push is made: looked for a gap from now.
    const gapMs = readAhead.minGapSeconds * 1000;
    const freeAt = [
      row.oldestCheck === null ? null : new Date(row.oldestCheck).getTime() + gapMs,
      row.changeWaiting ? now.getTime() + gapMs : null,
    ].filter((at): at is number => at !== null);
    if (freeAt.length > 0 && Math.min(...freeAt) < earliest.getTime()) earliest = new Date(Math.min(...freeAt));
  }
  return nextWakeAt([{ id: '', active: true, nextCheckAt: earliest, hotUntil: null }], now, { workingHours });
}

/** How many demper proxies the merchant holds: its stores' reads go through these, none through ours. */
export async function demperProxyCount(db: Db, userId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(proxies)
    .where(and(eq(proxies.userId, userId), eq(proxies.module, 'demper'), eq(proxies.status, 'allocated')));
  return row?.n ?? 0;
}

/**
 * Whether the store reads ahead of its intervals: only through proxies of its own, whose capacity
 * would otherwise go unused; a store reading from the service's own address keeps to its intervals.
 */
export function readAheadWith(proxyCount: number, minGapSeconds: number): ReadAhead | null {
  return minGapSeconds > 0 && proxyCount > 0 ? { minGapSeconds } : null;
}

export async function storeReadAhead(db: Db, userId: string, minGapSeconds: number): Promise<ReadAhead | null> {
  return minGapSeconds > 0 ? readAheadWith(await demperProxyCount(db, userId), minGapSeconds) : null;
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
