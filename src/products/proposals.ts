/**
 * A dry run records what the demper would push as `proposed` changes. The proposals that still
 * stand are each product's newest decision when it is a proposal; applying one records its prices
 * as a change of the merchant's own (pushed by the loop like a manual price, keeping the proposal's
 * reason and rival) and marks the proposal `applied`.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { priceChanges, products, type StorePoint } from '../db/schema';
import { markApplied } from '../demper/price-changes';
import { floorTenge } from '../domain/product-settings';
import { recordManualPrice } from './manual-price';
import { settingsOf } from './settings';

/** A decision with the name of the product it concerns. */
export type NamedDecision = typeof priceChanges.$inferSelect & { productName: string };

const standing = (storeId: string) => sql`
  select * from (
    select distinct on (pc.product_id) pc.id, pc.status
    from ${priceChanges} pc
    where pc.store_id = ${storeId}
    order by pc.product_id, pc.seq desc
  ) latest where latest.status = 'proposed'`;

export async function listProposals(
  db: Db,
  storeId: string,
  page: { limit: number; page: number },
): Promise<{ items: NamedDecision[]; total: number }> {
  const ids = sql`(select id from (${standing(storeId)}) s)`;
  const [rows, [total]] = await Promise.all([
    db
      .select({ change: priceChanges, productName: products.name })
      .from(priceChanges)
      .innerJoin(products, eq(products.id, priceChanges.productId))
      .where(sql`${priceChanges.id} in ${ids}`)
      .orderBy(sql`${priceChanges.createdAt} desc`)
      .limit(page.limit)
      .offset((page.page - 1) * page.limit),
    db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(sql`(${standing(storeId)}) s`),
  ]);
  return { items: rows.map((r) => ({ ...r.change, productName: r.productName })), total: total?.n ?? 0 };
}

/** A store's decisions across its products, newest first. */
export async function listStoreDecisions(
  db: Db,
  storeId: string,
  page: { limit: number; page: number },
): Promise<{ items: NamedDecision[]; total: number }> {
  const [rows, [total]] = await Promise.all([
    db
      .select({ change: priceChanges, productName: products.name })
      .from(priceChanges)
      .innerJoin(products, eq(products.id, priceChanges.productId))
      .where(eq(priceChanges.storeId, storeId))
      .orderBy(sql`${priceChanges.seq} desc`)
      .limit(page.limit)
      .offset((page.page - 1) * page.limit),
    db
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(priceChanges)
      .where(eq(priceChanges.storeId, storeId)),
  ]);
  return { items: rows.map((r) => ({ ...r.change, productName: r.productName })), total: total?.n ?? 0 };
}

/** Which of the given ids are not decisions of this store (another store's, or none at all). */
export async function foreignChangeIds(db: Db, storeId: string, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select({ id: priceChanges.id })
    .from(priceChanges)
    .where(and(inArray(priceChanges.id, [...ids]), eq(priceChanges.storeId, storeId)));
  const ours = new Set(rows.map((r) => r.id));
  return ids.filter((id) => !ours.has(id));
}

export type ApplyOutcome = { applied: typeof priceChanges.$inferSelect } | { skipped: string };

/**
 * Applies one standing proposal of the store. Skipped (with why) when it is no longer the product's
 * newest decision, or its prices fall outside the product's floor and ceiling as they are now.
 */
export async function applyProposal(
  db: Db,
  storeId: string,
  points: readonly StorePoint[],
  changeId: string,
): Promise<ApplyOutcome> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ change: priceChanges, product: products })
      .from(priceChanges)
      .innerJoin(products, eq(products.id, priceChanges.productId))
      .where(and(eq(priceChanges.id, changeId), eq(priceChanges.storeId, storeId)))
      .for('update', { of: products });
    if (!row) return { skipped: 'not a proposal of this store' };
    const { change, product } = row;
    if (change.status !== 'proposed') return { skipped: `it is ${change.status}, not proposed` };
    const [newest] = await tx
      .select({ id: priceChanges.id })
      .from(priceChanges)
      .where(eq(priceChanges.productId, product.id))
      .orderBy(sql`${priceChanges.seq} desc`)
      .limit(1);
    if (newest?.id !== change.id) return { skipped: 'a newer decision followed it' };
    const { detail } = change;
    const settings = settingsOf(product);
    const floor = floorTenge(settings);
    const prices = detail.cityPrices.map((c) => c.value);
    if (floor !== null && prices.some((p) => p < floor))
      return { skipped: `a price is below the floor of ${floor} now` };
    if (settings.maxPrice !== null && prices.some((p) => p > settings.maxPrice!)) {
      return { skipped: `a price is above the ceiling of ${settings.maxPrice} now` };
    }
    const applied = await recordManualPrice(tx, product, points, {
      cityPrices: Object.fromEntries(detail.cityPrices.map((c) => [c.cityId, c.value])),
      basis: { reason: change.reason, detail: { ...detail, appliedFrom: change.id } },
    });
    await markApplied(tx, change.id);
    return { applied };
  });
}
