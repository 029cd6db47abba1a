import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  floorTenge,
  parseProductSettings,
  PRODUCT_SETTINGS_DEFAULTS,
  ProductSettingsError,
  productSettingsSchema,
} from '../../src/domain/product-settings';
import { normaliseRivals } from '../../src/domain/rivals';
import { RUNS } from './arbitraries';

function issuesOf(input: unknown): { field: string; message: string }[] {
  try {
    parseProductSettings(input);
  } catch (error) {
    if (error instanceof ProductSettingsError) return error.issues;
    throw error;
  }
  return [];
}

describe('product settings', () => {
  it('fill in cautious defaults', () => {
    expect(parseProductSettings({})).toEqual({
      active: false,
      strategy: 'undercut',
      topN: null,
      minPrice: null,
      maxPrice: null,
      step: 1,
      excludedMerchants: [],
      cities: [],
      cost: null,
      minMarginPercent: null,
      commissionPercent: null,
      deliveryCost: null,
      taxPercent: null,
      noRivalsAction: 'hold',
      maxDropPercentPerChange: PRODUCT_SETTINGS_DEFAULTS.maxDropPercentPerChange,
      maxDropPercentPerDay: PRODUCT_SETTINGS_DEFAULTS.maxDropPercentPerDay,
      priceWarRounds: 3,
      priceWarGuardPrice: null,
      priceWarGuardPercent: 0,
    });
  });

  it('name the offending field', () => {
    expect(issuesOf({ minPrice: 5000, maxPrice: 4000 })).toEqual([
      { field: 'maxPrice', message: 'must not be below minPrice (5000)' },
    ]);
    expect(issuesOf({ cost: 4000, minMarginPercent: 25, maxPrice: 4999 })).toEqual([
      { field: 'maxPrice', message: 'must not be below the floor of 5000 that cost and minMarginPercent require' },
    ]);
    expect(issuesOf({ step: 0 }).map((i) => i.field)).toEqual(['step']);
    expect(issuesOf({ minPrice: 10.5 })).toEqual([{ field: 'minPrice', message: 'must be whole tenge' }]);
    expect(issuesOf({ strategy: 'stay_top_n' }).map((i) => i.field)).toEqual(['topN']);
    expect(issuesOf({ minMarginPercent: 10 }).map((i) => i.field)).toEqual(['minMarginPercent']);
    expect(issuesOf({ cities: ['Almaty'] }).map((i) => i.field)).toEqual(['cities.0']);
    expect(issuesOf({ maxDropPercentPerChange: 0 }).map((i) => i.field)).toEqual(['maxDropPercentPerChange']);
    expect(issuesOf({ maxPrice: 1000, priceWarGuardPrice: 1200 }).map((i) => i.field)).toEqual(['priceWarGuardPrice']);
    expect(() => parseProductSettings({ strategy: 'random' })).toThrow(/strategy/);
  });

  it('are a zod schema the API can reuse', () => {
    expect(productSettingsSchema.safeParse({ active: true, minPrice: 100, maxPrice: 200 }).success).toBe(true);
  });

  it('floor is max(minPrice, cost × (1 + margin)), in whole tenge rounded up', () => {
    expect(floorTenge({ minPrice: null, cost: null, minMarginPercent: null })).toBeNull();
    expect(floorTenge({ minPrice: 900, cost: null, minMarginPercent: null })).toBe(900);
    expect(floorTenge({ minPrice: 900, cost: 1000, minMarginPercent: 10 })).toBe(1100);
    expect(floorTenge({ minPrice: 1200, cost: 1000, minMarginPercent: 10 })).toBe(1200);
    expect(floorTenge({ minPrice: null, cost: 999, minMarginPercent: 12.5 })).toBe(1124);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 0, max: 100_000 }), (cost, basisPoints) => {
        const floor = floorTenge({ minPrice: null, cost, minMarginPercent: basisPoints / 100 })!;
        expect(floor * 10_000).toBeGreaterThanOrEqual(cost * (10_000 + basisPoints));
        expect((floor - 1) * 10_000).toBeLessThan(cost * (10_000 + basisPoints));
      }),
      RUNS,
    );
  });
});

describe('normaliseRivals', () => {
  it('floors prices, keeps each merchant once at its cheapest, drops ours and broken prices, sorts by price', () => {
    expect(
      normaliseRivals(
        [
          { merchantId: 'b', price: 1200.99 },
          { merchantId: 'us', price: 900 },
          { merchantId: 'a', price: 1300 },
          { merchantId: 'a', price: 1200.5 },
          { merchantId: 'c', price: 0.4 },
          { merchantId: 'd', price: Number.NaN },
        ],
        ['us'],
      ),
    ).toEqual([
      { merchantId: 'a', priceTenge: 1200 },
      { merchantId: 'b', priceTenge: 1200 },
    ]);
  });

  it('marks the rivals listed after our offer at our whole-tenge price and a fraction above it', () => {
    expect(
      normaliseRivals(
        [
          { merchantId: 'a', price: 1200.5 },
          { merchantId: 'us', price: 1200 },
          { merchantId: 'b', price: 1200.5 },
          { merchantId: 'd', price: 1200 },
          { merchantId: 'c', price: 1201 },
        ],
        ['us'],
        { merchantId: 'us', priceTenge: 1200 },
      ),
    ).toEqual([
      { merchantId: 'a', priceTenge: 1200 },
      { merchantId: 'b', priceTenge: 1200, behindUs: true },
      { merchantId: 'd', priceTenge: 1200 },
      { merchantId: 'c', priceTenge: 1201 },
    ]);
  });
});
