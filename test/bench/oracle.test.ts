import { describe, expect, it } from 'vitest';
import { regainHoldMs } from '../../bench/lib/oracle';

const bot = (over: Partial<Parameters<typeof regainHoldMs>[0][number]> = {}) => ({
  kind: 'undercut' as const,
  intervalMs: 12_000,
  nextAtMs: 5_000,
  stepTenge: 10,
  floorPrice: 900,
  ...over,
});

describe('how long an oracle that knows the bots expects first place to stand', () => {
  it('waits for the first bot that would undercut the price: by its clock, or from a random moment of the fastest period', () => {
    const bots = [bot(), bot({ intervalMs: 6_000, nextAtMs: 9_000 })];
    expect(regainHoldMs(bots, 1_000, 1_000, 'clocks')).toBe(4_000);
    expect(regainHoldMs(bots, 1_000, 1_000, 'periods')).toBe(2_000);
    expect(regainHoldMs([bot()], 1_000, 1_000, 'periods')).toBe(6_000);
    // A bot already due acts at its next tick.
    expect(regainHoldMs([bot({ nextAtMs: 500 })], 1_000, 1_000, 'clocks')).toBe(0);
  });

  it('counts only bots that undercut and that their floor lets go under the price', () => {
    expect(regainHoldMs([bot({ kind: 'raise' }), bot({ kind: 'static' })], 1_000, 0, 'periods')).toBeNull();
    expect(regainHoldMs([bot({ floorPrice: 995 })], 1_000, 0, 'clocks')).toBeNull();
    expect(regainHoldMs([bot({ floorPrice: 990 })], 1_000, 0, 'clocks')).toBe(5_000);
    expect(regainHoldMs([], 1_000, 0, 'clocks')).toBeNull();
  });
});
