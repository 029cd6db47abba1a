import { sql } from 'drizzle-orm';
import type { Db } from '../db';
import { priceChanges, priceChangeManualSeq, type products, type StorePoint } from '../db/schema';
import type { ChangeDetail } from '../demper/check';
import { competingCities } from '../domain/city-prices';

type ProductRow = typeof products.$inferSelect;

/**
 * A price the merchant sets by hand. It is recorded like a demper decision (`price_changes`,
 * pending) with a `cycle` from its own sequence, negated so it never meets a demper cycle, and the
 * store's loop pushes it through the same fenced, paced path.
 */
export async function recordManualPrice(
  db: Pick<Db, 'insert'>,
  product: ProductRow,
  points: readonly StorePoint[],
  request: {
    priceTenge?: number;
    cityPrices?: Record<string, number>;
    /** A dry-run proposal the merchant applied: its reason and decisions, kept for the record. */
    basis?: { reason: string; detail: ChangeDetail & { appliedFrom: string } };
  },
) {
  // A push must name every city the offer sells in: the given prices over the live ones.
  const known = Object.keys(product.cityPrices).length
    ? Object.keys(product.cityPrices)
    : competingCities(product.cities, points);
  const prices: Record<string, number> = { ...product.cityPrices };
  if (request.priceTenge !== undefined) for (const cityId of known) prices[cityId] = request.priceTenge;
  Object.assign(prices, request.cityPrices);
  const cityPrices = Object.entries(prices)
    .map(([cityId, value]) => ({ cityId, value }))
    .sort((a, b) => (a.cityId < b.cityId ? -1 : 1));
  if (cityPrices.length === 0) throw new RangeError('the product sells in no known city; give cityPrices');

  const detail: ChangeDetail = request.basis ? { ...request.basis.detail, cityPrices } : { cityPrices, changes: [] };
  const changedCities = cityPrices.filter((c) => product.cityPrices[c.cityId] !== c.value);
  const [row] = await db
    .insert(priceChanges)
    .values({
      storeId: product.storeId,
      productId: product.id,
      cycle: sql`-nextval(${priceChangeManualSeq.seqName}::regclass)`,
      cityId: changedCities.length === 1 ? changedCities[0]!.cityId : null,
      oldPrice: product.price,
      newPrice: Math.min(...cityPrices.map((c) => c.value)),
      reason: request.basis?.reason ?? 'manual',
      detail: detail as unknown as Record<string, unknown>,
      status: 'pending',
      source: 'manual',
    })
    .returning();
  return row!;
}
