import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { floorForMargin, profitAt, type UnitCosts } from '../../src/domain/unit-economics';

const costs = (over: Partial<UnitCosts> = {}): UnitCosts => ({
  cost: 6_000,
  commissionPercent: null,
  deliveryCost: null,
  taxPercent: null,
  ...over,
});

describe('unit economics', () => {
  it('counts Kaspi’s default 10.9 % when the product names no rate', () => {
    expect(profitAt(10_000, costs())).toEqual({
      priceTenge: 10_000,
      commissionTenge: 1_090,
      taxTenge: 0,
      deliveryTenge: 0,
      costTenge: 6_000,
      profitTenge: 2_910,
      marginPercent: 29.1,
    });
  });

  it('takes commission, tax, delivery and cost off the price; a loss is negative', () => {
    const all = costs({ commissionPercent: 13.5, taxPercent: 4, deliveryCost: 1_200 });
    // 7 000 − 945 − 280 − 1 200 − 6 000 = −1 425.
    expect(profitAt(7_000, all)).toMatchObject({ profitTenge: -1_425, marginPercent: -20.36 });
    expect(profitAt(7_000, costs({ cost: null }))).toBeNull();
  });

  it('finds the lowest whole-tenge price that keeps the margin, and none when fees take it all', () => {
    const all = costs({ commissionPercent: 10.9, taxPercent: 4, deliveryCost: 500 });
    // ⌈6 500 / (1 − 0.109 − 0.04 − 0.10)⌉ = ⌈8 655.13⌉.
    expect(floorForMargin(all, 10)).toBe(8_656);
    expect(floorForMargin(all, 85.1)).toBeNull();
    expect(floorForMargin(costs({ cost: null }), 10)).toBeNull();
  });

  it('gives a floor whose margin is at least the one asked, one tenge less falls short', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2_000_000 }),
        fc.integer({ min: 0, max: 2_000 }),
        fc.integer({ min: 0, max: 2_000 }),
        fc.integer({ min: 0, max: 1_000 }),
        fc.integer({ min: 0, max: 5_000 }),
        (cost, commission, tax, delivery, margin) => {
          const unit = costs({
            cost,
            commissionPercent: commission / 100,
            taxPercent: tax / 100,
            deliveryCost: delivery,
          });
          const floor = floorForMargin(unit, margin / 100)!;
          const exactMargin = (p: number) => p * (1 - (commission + tax + margin) / 10_000) - cost - delivery;
          expect(exactMargin(floor)).toBeGreaterThanOrEqual(-1e-6);
          if (floor > 1) expect(exactMargin(floor - 1)).toBeLessThan(1e-6);
        },
      ),
    );
  });
});
