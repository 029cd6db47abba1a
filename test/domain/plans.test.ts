import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PROXY_SPLIT_PERCENT,
  PAID_PLAN_NAMES,
  PLANS,
  planOf,
  planProxySplit,
  productsToSwitchOff,
  splitProxies,
} from '../../src/domain/plans';
import {
  carriesPace,
  carryOnDelayMs,
  isFailing,
  leaseToGrant,
  permitsToGrant,
  restSecondsAfterGrant,
} from '../../src/domain/proxy-budget';

describe('plans', () => {
  it('split a plan’s proxies 70/25/5 by default', () => {
    expect(planProxySplit(PLANS.pro)).toEqual({ demper: 70, orders: 25, catalog: 5 });
    expect(planProxySplit(PLANS.start)).toEqual({ demper: 28, orders: 10, catalog: 2 });
    expect(planProxySplit(PLANS.free)).toEqual({ demper: 0, orders: 0, catalog: 0 });
  });

  it('round every split so the parts add up to the total, each within one of its exact share', () => {
    const percents = fc
      .tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }))
      .map(([a, b]) => [Math.min(a, b), Math.max(a, b)])
      .map(([a, b]) => ({ demper: a!, orders: b! - a!, catalog: 100 - b! }));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), percents, (total, percent) => {
        const split = splitProxies(total, percent);
        expect(split.demper + split.orders + split.catalog).toBe(total);
        for (const module of ['demper', 'orders', 'catalog'] as const) {
          expect(Math.abs(split[module] - (total * percent[module]) / 100)).toBeLessThan(1);
        }
      }),
    );
    expect(splitProxies(7, DEFAULT_PROXY_SPLIT_PERCENT)).toEqual({ demper: 5, orders: 2, catalog: 0 });
  });

  it('price paid plans in whole tenge and give them more products than the free one', () => {
    expect(PAID_PLAN_NAMES).toEqual(['start', 'pro']);
    for (const name of PAID_PLAN_NAMES) {
      expect(Number.isInteger(PLANS[name].monthlyPriceTenge)).toBe(true);
      expect(PLANS[name].maxActiveProducts).toBeGreaterThan(PLANS.free.maxActiveProducts);
    }
    expect(PLANS.free).toMatchObject({ maxActiveProducts: 20, proxies: 0, monthlyPriceTenge: 0 });
    expect(planOf('retired-plan')).toBe(PLANS.free);
  });

  it('switch off the least valuable products beyond a limit', () => {
    const active = [
      { id: 'c', priceTenge: 500 },
      { id: 'a', priceTenge: 9_000 },
      { id: 'b', priceTenge: null },
      { id: 'd', priceTenge: 500 },
    ];
    expect(productsToSwitchOff(active, 2)).toEqual(['b', 'c']);
    expect(productsToSwitchOff(active, 4)).toEqual([]);
  });
});

describe('proxy budget rules', () => {
  const rules = {
    budgetRequests: 249,
    budgetWindowSeconds: 1800,
    restSeconds: 2400,
    banBenchSeconds: 1800,
    leaseSeconds: 30,
  };

  it('grant what is wanted within what the budget has left', () => {
    expect(permitsToGrant(50, 0, rules)).toBe(50);
    expect(permitsToGrant(50, 230, rules)).toBe(19);
    expect(permitsToGrant(50, 249, rules)).toBe(0);
  });

  /** The `measured` profile's numbers, with the default lease. */
  const measured = {
    budgetRequests: 10,
    budgetWindowSeconds: 1,
    restSeconds: 0,
    banBenchSeconds: 15,
    leaseSeconds: 30,
  };

  it('lease a free proxy for several whole windows, paced at the budget rate, when more than one window is wanted', () => {
    const free = { usedPermits: 0, pacedAndOver: false };
    expect(leaseToGrant(8, free, measured, 10)).toEqual({ permits: 8 });
    expect(leaseToGrant(25, free, measured, 10)).toEqual({ permits: 25, readsPerSecond: 10 });
    expect(leaseToGrant(500, free, measured, 10)).toEqual({ permits: 100, readsPerSecond: 10 });
    expect(leaseToGrant(500, free, { ...measured, leaseSeconds: 4 }, 10)).toEqual({ permits: 40, readsPerSecond: 10 });
    // A proxy something still counts against gets only what its window has left, at any pace.
    expect(leaseToGrant(500, { usedPermits: 3, pacedAndOver: false }, measured, 10)).toEqual({ permits: 7 });
    // The seed profile's window outlasts any lease: one window at a time.
    expect(leaseToGrant(500, free, rules, 10)).toEqual({ permits: 249 });
  });

  it('let a proxy whose paced leases are over carry on at their pace, never at any pace', () => {
    const pacedAndOver = { usedPermits: 100, pacedAndOver: true };
    expect(leaseToGrant(500, pacedAndOver, measured, 10)).toEqual({ permits: 100, readsPerSecond: 10 });
    // Even a few reads go at the pace: spent at once, they would crowd the window the last lease's reads are in.
    expect(leaseToGrant(4, pacedAndOver, measured, 10)).toEqual({ permits: 4, readsPerSecond: 10 });
    // A lease still out, or one that was spent at any pace, counts by its reads as before.
    expect(leaseToGrant(500, { usedPermits: 100, pacedAndOver: false }, measured, 10)).toEqual({ permits: 0 });
    expect(leaseToGrant(500, { usedPermits: 4, pacedAndOver: false }, measured, 10)).toEqual({ permits: 6 });
    // A profile that rests its proxies has no pace to carry on.
    expect(leaseToGrant(500, { usedPermits: 249, pacedAndOver: true }, rules, 10)).toEqual({ permits: 0 });
    expect(carriesPace({ usedPermits: 0, pacedAndOver: true }, measured)).toBe(false);
    // Its first read comes one read interval (100 ms) after the last lease ended.
    expect(carryOnDelayMs(30, measured)).toBe(70);
    expect(carryOnDelayMs(250, measured)).toBe(0);
  });

  it('rest a proxy once a grant spends its budget, when the profile rests proxies', () => {
    expect(restSecondsAfterGrant(248, rules)).toBeUndefined();
    expect(restSecondsAfterGrant(249, rules)).toBe(2_400);
    expect(restSecondsAfterGrant(10, { budgetRequests: 10, restSeconds: 0 })).toBeUndefined();
  });

  it('condemn a proxy only after ten requests with more than half failing', () => {
    expect(isFailing(0, 9)).toBe(false);
    expect(isFailing(4, 6)).toBe(true);
    expect(isFailing(5, 5)).toBe(false);
  });
});
