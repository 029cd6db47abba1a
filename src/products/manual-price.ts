import type { Db } from '../db';
import type { products, StorePoint } from '../db/schema';
import { recordMerchantChange } from '../demper/price-changes';
import { competingCities } from '../domain/city-prices';
import type { ChangeDetail } from '../domain/price-change';

type ProductRow = typeof products.$inferSelect;

/** No price was given for any city, and the product sells in none yet that a single price could go to. */
export class NoCityToPrice extends Error {
  constructor() {
    super('the product sells in no known city; give cityPrices');
    this.name = 'NoCityToPrice';
  }
}

/**
 * A price the merchant sets by hand, recorded as a change of the merchant's own for the store's loop
 * to push (`recordMerchantChange`). A push names every city the offer sells in: the given prices over
 * the live ones.
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
  const known = Object.keys(product.cityPrices).length
    ? Object.keys(product.cityPrices)
    : competingCities(product.cities, points);
  const prices: Record<string, number> = { ...product.cityPrices };
  if (request.priceTenge !== undefined) for (const cityId of known) prices[cityId] = request.priceTenge;
  Object.assign(prices, request.cityPrices);
  const cityPrices = Object.entries(prices)
    .map(([cityId, value]) => ({ cityId, value }))
    .sort((a, b) => (a.cityId < b.cityId ? -1 : 1));
  if (cityPrices.length === 0) throw new NoCityToPrice();

  const detail: ChangeDetail = request.basis ? { ...request.basis.detail, cityPrices } : { cityPrices, changes: [] };
  const changedCities = cityPrices.filter((c) => product.cityPrices[c.cityId] !== c.value);
  return recordMerchantChange(db, product, {
    source: 'manual',
    reason: request.basis?.reason ?? 'manual',
    detail,
    cityId: changedCities.length === 1 ? changedCities[0]!.cityId : null,
  });
}
