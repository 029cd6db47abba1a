import { describe, expect, it } from 'vitest';
import { byCard, cardFigures, combine, percentile } from '../../bench/lib/metrics';
import { ev, US } from './price-events';

describe('demper figures from ground truth', () => {
  it('measures first-place time, margin and reaction on one card', () => {
    const events = [
      ev(0, US, 999),
      ev(0, 'r1', 1000),
      // r1 undercuts us at t=100; we answer at t=130.
      ev(100, 'r1', 990),
      ev(130, US, 989),
      // r1 leaves at t=200: no rival, first with no margin figure.
      ev(200, 'r1', null),
    ];
    const f = cardFigures(events, { ourMerchantUid: US, floorTenge: 900, fromMs: 0, toMs: 300 });
    expect(f.firstPossibleMs).toBe(300);
    expect(f.firstMs).toBe(100 + 70 + 100);
    expect(f.marginMs).toBe(100 + 70);
    expect(f.marginWeightedMs).toBeCloseTo(100 * 1 + 70 * 1);
    expect(f.reactionsMs).toEqual([30]);
    expect(f.unanswered).toBe(0);
  });

  it('does not count time when the floor forbade first place, nor blame us for it', () => {
    const events = [ev(0, US, 1000), ev(0, 'r1', 1100), ev(50, 'r1', 950)];
    const f = cardFigures(events, { ourMerchantUid: US, floorTenge: 980, fromMs: 0, toMs: 100 });
    expect(f.firstPossibleMs).toBe(50);
    expect(f.firstMs).toBe(50);
    expect(f.reactionsMs).toEqual([]);
    expect(f.unanswered).toBe(0);
  });

  it('treats fractional rival prices as Kaspi shows them and counts margin given away', () => {
    // Rival at 1000.5: 1000 would still be first; we sit at 900.
    const events = [ev(0, US, 900), ev(0, 'r1', 1000.5)];
    const f = cardFigures(events, { ourMerchantUid: US, floorTenge: 800, fromMs: 0, toMs: 100 });
    expect(f.marginWeightedMs / f.marginMs).toBeCloseTo(0.9);
  });

  it('counts a loss never answered within the window', () => {
    const events = [ev(0, US, 999), ev(0, 'r1', 1000), ev(80, 'r1', 990)];
    const f = cardFigures(events, { ourMerchantUid: US, floorTenge: 900, fromMs: 0, toMs: 100 });
    expect(f.unanswered).toBe(1);
    expect(f.firstMs).toBe(80);
  });

  it('uses the state before the window but measures only inside it', () => {
    const events = [ev(0, US, 999), ev(0, 'r1', 1000), ev(500, 'r1', 1500)];
    const f = cardFigures(events, { ourMerchantUid: US, floorTenge: 900, fromMs: 1000, toMs: 2000 });
    expect(f.firstPossibleMs).toBe(1000);
    expect(f.firstMs).toBe(1000);
    expect(f.marginWeightedMs / f.marginMs).toBeCloseTo(999 / 1499);
  });

  it('combines cards and takes percentiles', () => {
    const cards = byCard([ev(0, US, 999), ev(0, 'r1', 1000), ev(10, 'r1', 500), ev(20, US, 499)]);
    const cheap = [...cards.values()].map((e) =>
      cardFigures(e, { ourMerchantUid: US, floorTenge: 1, fromMs: 0, toMs: 40 }),
    );
    const all = combine(cheap);
    expect(all.firstShare).toBeCloseTo(30 / 40);
    expect(all.firstShareByMoney).toBeCloseTo(30 / 40);
    expect(all.reactions).toBe(1);
    expect(all.reactionP50Ms).toBe(10);
    // A dear card we never held weighs three times the cheap one we held three quarters of the time.
    const dear = cardFigures([ev(0, 'r1', 500), ev(0, US, 600)], {
      ourMerchantUid: US,
      floorTenge: 1,
      fromMs: 0,
      toMs: 40,
      weight: 3,
    });
    const both = combine([...cheap, dear]);
    expect(both.firstShare).toBeCloseTo(30 / 80);
    expect(both.firstShareByMoney).toBeCloseTo(30 / (40 + 3 * 40));
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(percentile([], 50)).toBeNull();
  });
});
