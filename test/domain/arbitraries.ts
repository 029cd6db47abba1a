import fc from 'fast-check';
import {
  floorTenge,
  PRICING_STRATEGIES,
  type ProductSettings,
  parseProductSettings,
} from '../../src/domain/product-settings';
import type { PriceInput } from '../../src/domain/pricing';
import type { KaspiOffer } from '../../src/domain/rivals';

/** Enough runs to find edge cases, few enough that the domain suite stays within seconds. */
export const RUNS = { numRuns: 300 };

export const US = '30000001';
export const OUR_OTHER_STORE = '30000002';
export const EXCLUDED = '30000003';
export const RIVAL_IDS = ['40000001', '40000002', '40000003', '40000004', '40000005', '40000006'];

export function settings(overrides: Partial<ProductSettings> = {}): ProductSettings {
  return { ...parseProductSettings({ active: true, minPrice: 1000, maxPrice: 20_000 }), ...overrides };
}

const price = fc.integer({ min: 1, max: 50_000 });
/** Kaspi's offers carry fractional prices now and then. */
const offerPrice = fc.oneof(
  price,
  price.chain((p) => fc.integer({ min: 1, max: 99 }).map((cents) => p + cents / 100)),
);

export const rivalOffer: fc.Arbitrary<KaspiOffer> = fc.record({
  merchantId: fc.constantFrom(...RIVAL_IDS),
  price: offerPrice,
});

/** Rivals (same merchant possibly twice) mixed with our own offer, our other store's and an excluded one. */
export const offers: fc.Arbitrary<KaspiOffer[]> = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: rivalOffer },
    {
      weight: 1,
      arbitrary: fc.record({ merchantId: fc.constantFrom(US, OUR_OTHER_STORE, EXCLUDED), price: offerPrice }),
    },
  ),
  { maxLength: 10 },
);

/** Valid settings of every shape: with or without floor, cost, ceiling; every strategy. */
export const productSettings: fc.Arbitrary<ProductSettings> = fc
  .record({
    strategy: fc.constantFrom(...PRICING_STRATEGIES),
    topN: fc.integer({ min: 1, max: 5 }),
    minPrice: fc.option(price, { nil: null }),
    cost: fc.option(fc.integer({ min: 1, max: 30_000 }), { nil: null }),
    minMarginPercent: fc.option(
      fc.integer({ min: 0, max: 5000 }).map((bp) => bp / 100),
      { nil: null },
    ),
    ceilingAboveFloor: fc.option(fc.integer({ min: 0, max: 30_000 }), { nil: null }),
    step: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 500 })),
    noRivalsAction: fc.constantFrom('hold' as const, 'ceiling' as const),
    maxDropPercentPerChange: fc.oneof(fc.constant(100), fc.integer({ min: 1, max: 100 })),
    maxDropPercentPerDay: fc.oneof(fc.constant(100), fc.integer({ min: 1, max: 100 })),
    priceWarRounds: fc.integer({ min: 2, max: 4 }),
    priceWarGuardPercent: fc.integer({ min: 0, max: 20 }),
  })
  .map((s) => {
    const base = parseProductSettings({
      active: true,
      strategy: s.strategy,
      topN: s.strategy === 'stay_top_n' ? s.topN : null,
      minPrice: s.minPrice,
      cost: s.cost,
      minMarginPercent: s.cost === null ? null : s.minMarginPercent,
      step: s.step,
      excludedMerchants: [EXCLUDED],
      noRivalsAction: s.noRivalsAction,
      maxDropPercentPerChange: s.maxDropPercentPerChange,
      maxDropPercentPerDay: s.maxDropPercentPerDay,
      priceWarRounds: s.priceWarRounds,
      priceWarGuardPercent: s.priceWarGuardPercent,
    });
    const floor = floorTenge(base) ?? 1;
    return { ...base, maxPrice: s.ceilingAboveFloor === null ? null : floor + s.ceilingAboveFloor };
  });

/** A whole pricing input for one city, without price-war state. */
export const priceInput: fc.Arbitrary<PriceInput> = fc
  .record({
    settings: productSettings,
    offers,
    livePriceTenge: price,
    dayStartOffset: fc.integer({ min: -5000, max: 5000 }),
  })
  .map(({ settings, offers, livePriceTenge, dayStartOffset }) => ({
    cityId: '750000000',
    ourMerchantId: US,
    ownMerchantIds: [OUR_OTHER_STORE],
    livePriceTenge,
    offers,
    settings,
    dayStartPriceTenge: Math.max(1, livePriceTenge + dayStartOffset),
  }));
