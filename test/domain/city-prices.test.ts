import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { competingCities, planPush } from '../../src/domain/city-prices';
import { decidePrice, type PriceDecision } from '../../src/domain/pricing';
import { RIVAL_IDS, RUNS, settings, US } from './arbitraries';

const ALMATY = '750000000';
const ASTANA = '710000000';
const SHYMKENT = '511010000';
const [A] = RIVAL_IDS as [string];

function decideIn(cityId: string, livePriceTenge: number, rivalPriceTenge: number): PriceDecision {
  return decidePrice({
    cityId,
    ourMerchantId: US,
    livePriceTenge,
    offers: [{ merchantId: A, price: rivalPriceTenge }],
    settings: settings(),
  });
}

describe('competingCities', () => {
  it("uses the product's own cities, else the cities of the store's enabled points", () => {
    const points = [
      { cityId: ASTANA, enabled: true },
      { cityId: ALMATY, enabled: true },
      { cityId: ALMATY, enabled: true },
      { cityId: SHYMKENT, enabled: false },
    ];
    expect(competingCities([], points)).toEqual([ASTANA, ALMATY]);
    expect(competingCities([SHYMKENT], points)).toEqual([SHYMKENT]);
  });
});

describe('planPush', () => {
  it('sends one push with every city price and the lowest as the base price', () => {
    const plan = planPush([decideIn(ALMATY, 5000, 4600), decideIn(ASTANA, 5200, 5201)], {
      [ALMATY]: 5000,
      [ASTANA]: 5200,
      [SHYMKENT]: 5300,
    });
    expect(plan).toMatchObject({
      push: true,
      priceTenge: 4599,
      cityPrices: [
        { cityId: SHYMKENT, value: 5300 },
        { cityId: ASTANA, value: 5200 },
        { cityId: ALMATY, value: 4599 },
      ],
    });
    expect(plan.push && plan.changes.map((c) => c.cityId)).toEqual([ALMATY]);
  });

  it('pushes nothing when no city price changes', () => {
    expect(planPush([decideIn(ALMATY, 4999, 5000), decideIn(ASTANA, 5200, 5201)], { [ALMATY]: 4999 })).toEqual({
      push: false,
    });
  });

  it('pushes exactly when some target differs, carrying each decided target and every live city', () => {
    const city = fc.constantFrom(ALMATY, ASTANA, SHYMKENT);
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({
            cityId: city,
            live: fc.integer({ min: 1000, max: 9000 }),
            rival: fc.integer({ min: 900, max: 9000 }),
          }),
          {
            selector: (d) => d.cityId,
          },
        ),
        fc.dictionary(city, fc.integer({ min: 1000, max: 9000 })),
        (cities, liveCityPrices) => {
          const decisions = cities.map((c) => decideIn(c.cityId, c.live, c.rival));
          const plan = planPush(decisions, liveCityPrices);
          expect(plan.push).toBe(decisions.some((d) => d.changed));
          if (!plan.push) return;
          const sent = Object.fromEntries(plan.cityPrices.map((c) => [c.cityId, c.value]));
          for (const d of decisions) expect(sent[d.cityId]).toBe(d.targetPriceTenge);
          for (const cityId of Object.keys(liveCityPrices)) expect(sent[cityId]).toBeDefined();
          expect(plan.priceTenge).toBe(Math.min(...plan.cityPrices.map((c) => c.value)));
        },
      ),
      RUNS,
    );
  });
});
