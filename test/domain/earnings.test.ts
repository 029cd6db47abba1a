import { describe, expect, it } from 'vitest';
import { roomWhileFirst, timeShares } from '../../src/domain/earnings';

describe('earnings figures', () => {
  it('counts the room under the rival behind us, within the ceiling, and none when not first', () => {
    const standing = { first: true, maxPrice: null, cheapestRivalPrice: 9_500, step: 1 };
    expect(roomWhileFirst(9_000, standing)).toBe(499);
    expect(roomWhileFirst(9_000, { ...standing, maxPrice: 9_200 })).toBe(200);
    expect(roomWhileFirst(9_000, { ...standing, step: 10 })).toBe(490);
    expect(roomWhileFirst(9_600, standing)).toBe(0);
    expect(roomWhileFirst(9_000, { ...standing, first: false })).toBe(0);
    // Alone on the card: up to the ceiling, and nothing to count without one.
    expect(roomWhileFirst(9_000, { ...standing, cheapestRivalPrice: null, maxPrice: 12_000 })).toBe(3_000);
    expect(roomWhileFirst(9_000, { ...standing, cheapestRivalPrice: null })).toBe(0);
  });

  it('shares first place out of the time watched and out of the time the floor allowed', () => {
    expect(timeShares({ watchedSeconds: 1_500, firstSeconds: 900, floorSeconds: 600 })).toEqual({
      firstShare: 0.6,
      firstShareWhereAllowed: 1,
      floorShare: 0.4,
    });
    expect(timeShares({ watchedSeconds: 0, firstSeconds: 0, floorSeconds: 0 })).toEqual({
      firstShare: null,
      firstShareWhereAllowed: null,
      floorShare: null,
    });
    expect(timeShares({ watchedSeconds: 600, firstSeconds: 0, floorSeconds: 600 }).firstShareWhereAllowed).toBeNull();
  });
});
