/**
 * Preorders reach Kaspi through the JSON pricefeed, one offer per push, as the store's other price
 * changes do: each is recorded as a pending `price_changes` row (source `preorder`) that the store's
 * demper loop, the merchant's one writer, pushes within its write pace and change budget. A push names
 * every point the offer has (a point left out would lose the offer) with `preOrder` days on the
 * available ones and at the top level; clearing sends 0. A price-list file, which Kaspi takes as the
 * whole assortment, is never used for this.
 */
import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { kaspiStores, preorders, priceChanges, products } from '../db/schema';
import { recordMerchantChange } from '../demper/price-changes';
import { competingCities, type CityPrice } from '../domain/city-prices';
import { PREORDER_CLEAR, PREORDER_SET, type ChangeDetail } from '../domain/price-change';

type ProductRow = typeof products.$inferSelect;
type PreorderRow = typeof preorders.$inferSelect;
type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** Every city the offer sells in, at `priceTenge`; or its live prices as they are when none is given. */
function offerCityPrices(
  product: ProductRow,
  points: { code: string; cityId: string; enabled: boolean }[],
  priceTenge?: number,
) {
  const cities = Object.keys(product.cityPrices).length
    ? Object.keys(product.cityPrices)
    : competingCities(product.cities, points);
  return cities
    .map((cityId) => ({ cityId, value: priceTenge ?? product.cityPrices[cityId] ?? product.price ?? 0 }))
    .filter((c) => c.value > 0)
    .sort((a, b) => (a.cityId < b.cityId ? -1 : 1));
}

async function recordChange(
  tx: Tx,
  product: ProductRow,
  reason: typeof PREORDER_SET | typeof PREORDER_CLEAR,
  cityPrices: CityPrice[],
  preorder: NonNullable<ChangeDetail['preorder']>,
): Promise<string> {
  const detail = { cityPrices, changes: [], preorder };
  return (await recordMerchantChange(tx, product, { source: 'preorder', reason, detail })).id;
}

export interface SetResult {
  /** Preorders whose push is now waiting for the store's loop. */
  recorded: number;
  /** Preorders that could not be sent, with why (the product left the catalog, it sells in no known city). */
  refused: { preorderId: string; reason: string }[];
}

/**
 * Records the push of every preorder of the store and marks them `processing` (a preorder that cannot
 * be pushed is marked `failed` with why). Nothing reaches Kaspi until the store's loop sends them.
 */
export async function recordStorePreorders(db: Db, storeId: string): Promise<SetResult> {
  return db.transaction(async (tx) => {
    const [store] = await tx
      .select({ merchantUid: kaspiStores.merchantUid, points: kaspiStores.points })
      .from(kaspiStores)
      .where(and(eq(kaspiStores.id, storeId), isNull(kaspiStores.deletedAt)));
    const result: SetResult = { recorded: 0, refused: [] };
    if (!store) return result;
    const rows = await tx
      .select({ preorder: preorders, product: products })
      .from(preorders)
      .leftJoin(products, eq(products.id, preorders.productId))
      .where(eq(preorders.storeId, storeId))
      .orderBy(preorders.sku);
    const sentIds: string[] = [];
    for (const { preorder, product } of rows) {
      const refuse = (reason: string) => result.refused.push({ preorderId: preorder.id, reason });
      if (!product) {
        refuse('the product is no longer in the catalog');
        continue;
      }
      const cityPrices = offerCityPrices(product, store.points, preorder.price);
      if (cityPrices.length === 0) {
        refuse('the product sells in no known city: sync the catalog first');
        continue;
      }
      await recordChange(tx, product, PREORDER_SET, cityPrices, {
        days: preorder.days,
        storeIds: preorderPoints(store.merchantUid, preorder),
        preorderId: preorder.id,
      });
      sentIds.push(preorder.id);
    }
    if (sentIds.length > 0) {
      await tx
        .update(preorders)
        .set({ status: 'processing', uploadedAt: sql`now()`, activatedAt: null, error: null })
        .where(inArray(preorders.id, sentIds));
    }
    for (const { preorderId, reason } of result.refused) {
      await tx.update(preorders).set({ status: 'failed', error: reason }).where(eq(preorders.id, preorderId));
    }
    result.recorded = sentIds.length;
    return result;
  });
}

/** The points a preorder ships from: those with a quantity, as pricefeed point ids. */
export function preorderPoints(merchantUid: string, preorder: Pick<PreorderRow, 'warehouses'>): string[] {
  return [...preorder.warehouses]
    .sort((a, b) => a.point - b.point)
    .filter((w) => w.quantity > 0)
    .map((w) => `${merchantUid}_PP${w.point}`);
}

export type ClearResult =
  { changeId: string } | { changeId: null; why: 'store_gone' | 'not_in_catalog' | 'on_preorder_again' };

/**
 * Records the push that takes an offer off preorder: its points as the cabinet last showed them, its
 * prices as they are, zero preorder days. Nothing is recorded when the product was put on preorder
 * again meanwhile (that preorder's push speaks for it).
 */
export async function recordPreorderClear(
  db: Db,
  input: { storeId: string; sku: string; priceTenge: number; preorderId?: string },
): Promise<ClearResult> {
  return db.transaction(async (tx) => {
    const [store] = await tx
      .select({ points: kaspiStores.points })
      .from(kaspiStores)
      .where(and(eq(kaspiStores.id, input.storeId), isNull(kaspiStores.deletedAt)));
    if (!store) return { changeId: null, why: 'store_gone' };
    const [product] = await tx
      .select()
      .from(products)
      .where(and(eq(products.storeId, input.storeId), eq(products.sku, input.sku)))
      .for('update');
    if (!product) return { changeId: null, why: 'not_in_catalog' };
    const [onPreorder] = await tx
      .select({ id: preorders.id })
      .from(preorders)
      .where(and(eq(preorders.storeId, input.storeId), eq(preorders.sku, input.sku)));
    // The withdrawal starts before the preorder's row is deleted: until it is gone, wait (the caller retries).
    if (onPreorder && onPreorder.id === input.preorderId) throw new PreorderStillThereError(input.sku);
    if (onPreorder) return { changeId: null, why: 'on_preorder_again' };
    const live = offerCityPrices(product, store.points);
    const cityPrices = live.length ? live : offerCityPrices(product, store.points, input.priceTenge);
    if (cityPrices.length === 0) return { changeId: null, why: 'not_in_catalog' };
    return {
      changeId: await recordChange(tx, product, PREORDER_CLEAR, cityPrices, {
        days: 0,
        storeIds: [],
        preorderId: null,
      }),
    };
  });
}

export class PreorderStillThereError extends Error {
  constructor(sku: string) {
    super(`the preorder of ${sku} is not deleted yet`);
    this.name = 'PreorderStillThereError';
  }
}

export type ChangeOutcome = { state: 'pending' } | { state: 'sent' } | { state: 'failed'; reason: string };

/** Where a recorded preorder push stands: still waiting, sent, or not going to be sent (and why). */
export function changeOutcome(row: Pick<typeof priceChanges.$inferSelect, 'status' | 'error'>): ChangeOutcome {
  switch (row.status) {
    case 'pending':
      return { state: 'pending' };
    case 'sent':
      return { state: 'sent' };
    case 'superseded':
      return { state: 'failed', reason: 'a newer price change of the product was sent instead' };
    default:
      return { state: 'failed', reason: row.error ?? `the push was ${row.status}` };
  }
}

export async function preorderChangeOutcome(db: Db, changeId: string): Promise<ChangeOutcome> {
  const [row] = await db
    .select({ status: priceChanges.status, error: priceChanges.error })
    .from(priceChanges)
    .where(eq(priceChanges.id, changeId));
  return row ? changeOutcome(row) : { state: 'failed', reason: 'the push was deleted with its product' };
}

/** The newest push recorded for each of these preorders, with when it was recorded. */
export async function latestPreorderChanges(db: Db, preorderIds: readonly string[]) {
  const latest = new Map<string, ChangeOutcome & { recordedAt: Date }>();
  if (preorderIds.length === 0) return latest;
  const preorderId = sql<string>`${priceChanges.detail}->'preorder'->>'preorderId'`;
  const rows = await db
    .select({ preorderId, status: priceChanges.status, error: priceChanges.error, createdAt: priceChanges.createdAt })
    .from(priceChanges)
    .where(and(eq(priceChanges.source, 'preorder'), inArray(preorderId, [...preorderIds])))
    .orderBy(desc(priceChanges.seq));
  for (const row of rows)
    if (!latest.has(row.preorderId)) latest.set(row.preorderId, { ...changeOutcome(row), recordedAt: row.createdAt });
  return latest;
}
