import { compareIds } from './rivals';
import type { PriceDecision } from './pricing';

/**
 * Multi-city pricing: a product competes in several cities, a target is decided per city, and one
 * price push carries `cityPrices` for every city the product sells in, with the base `price` the
 * lowest of them (as the cabinet itself sends it).
 */

/** A pickup point as far as pricing cares: the city it serves. */
export interface PickupPoint {
  cityId: string;
  enabled: boolean;
}

/** The cities a product competes in: its own `cities` setting, else those of the store's enabled points. */
export function competingCities(productCities: readonly string[], points: readonly PickupPoint[]): string[] {
  const cities = productCities.length > 0 ? productCities : points.filter((p) => p.enabled).map((p) => p.cityId);
  return [...new Set(cities)].sort(compareIds);
}

export interface CityPrice {
  cityId: string;
  value: number;
}

export type PushPlan =
  | { push: false }
  | {
      push: true;
      /** Base price: the lowest city price. */
      priceTenge: number;
      /** Every city the product sells in, sorted by city id. */
      cityPrices: CityPrice[];
      /** The decisions that changed a price: one `price_changes` row each. */
      changes: PriceDecision[];
    };

/**
 * Per-city decisions → one push. Cities the product sells in without a decision this cycle keep
 * their live price, because a push that leaves a city out may take the offer off sale there.
 * No push when no decision changes a price.
 */
export function planPush(
  decisions: readonly PriceDecision[],
  liveCityPrices: Readonly<Record<string, number>>,
): PushPlan {
  const changes = decisions.filter((d) => d.changed);
  if (changes.length === 0) return { push: false };

  const prices = new Map(Object.entries(liveCityPrices));
  for (const d of decisions) prices.set(d.cityId, d.targetPriceTenge);
  const cityPrices = [...prices]
    .map(([cityId, value]) => ({ cityId, value }))
    .sort((a, b) => compareIds(a.cityId, b.cityId));
  return {
    push: true,
    priceTenge: Math.min(...cityPrices.map((c) => c.value)),
    cityPrices,
    changes,
  };
}
