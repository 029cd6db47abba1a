import { describe, expect, it } from 'vitest';
import { preorderApplied, pushPoints, type KnownPoint } from '../../src/domain/offer-points';

const PP1 = '30_PP1';
const PP2 = '30_PP2';
const PP3 = '30_PP3';
const known: KnownPoint[] = [
  { storeId: PP1, available: true, preOrderDays: 0 },
  { storeId: PP2, available: false, preOrderDays: 0 },
];

describe('the points a price push names', () => {
  it('names every known point as it is, available or not, and no preorder', () => {
    expect(pushPoints(known)).toEqual({
      points: [
        { storeId: PP1, available: true },
        { storeId: PP2, available: false },
      ],
      preOrderDays: undefined,
    });
  });

  it('names none when none is known, so Kaspi keeps its own', () => {
    expect(pushPoints([])).toEqual({ points: null, preOrderDays: undefined });
    expect(pushPoints([], { days: 0, storeIds: [] })).toEqual({ points: null, preOrderDays: 0 });
  });

  it('keeps a preorder the cabinet shows, at the top and on its points', () => {
    const onPreorder = [{ storeId: PP1, available: true, preOrderDays: 7 }, known[1]!];
    expect(pushPoints(onPreorder)).toEqual({
      points: [
        { storeId: PP1, available: true, preOrderDays: 7 },
        { storeId: PP2, available: false },
      ],
      preOrderDays: 7,
    });
  });

  it('sets a preorder on every available point and the points it ships from, losing none', () => {
    expect(pushPoints(known, { days: 14, storeIds: [PP3] })).toEqual({
      points: [
        { storeId: PP1, available: true, preOrderDays: 14 },
        { storeId: PP2, available: false },
        { storeId: PP3, available: true, preOrderDays: 14 },
      ],
      preOrderDays: 14,
    });
  });

  it('clears a preorder with zero days on every point, availability untouched', () => {
    expect(pushPoints(known, { days: 0, storeIds: [] })).toEqual({
      points: [
        { storeId: PP1, available: true, preOrderDays: 0 },
        { storeId: PP2, available: false, preOrderDays: 0 },
      ],
      preOrderDays: 0,
    });
  });

  it('tells whether the cabinet shows a preorder as pushed', () => {
    const shown = [
      { storeId: PP1, available: true, preOrderDays: 14 },
      { storeId: PP2, available: false, preOrderDays: 0 },
    ];
    expect(preorderApplied(shown, { days: 14, storeIds: [PP1] })).toBe(true);
    expect(preorderApplied(shown, { days: 14, storeIds: [PP2] })).toBe(false);
    expect(preorderApplied(shown, { days: 10, storeIds: [PP1] })).toBe(false);
    expect(preorderApplied(known, { days: 0, storeIds: [] })).toBe(true);
    expect(preorderApplied(shown, { days: 0, storeIds: [] })).toBe(false);
  });
});
