import { describe, expect, it } from 'vitest';
import { NO_PRICE_WAR } from '../../src/domain/price-war';
import {
  awaitsAnswer,
  clockHoldSeconds,
  moverCount,
  nextActAtMs,
  observeMovers,
  watchDelaySeconds,
} from '../../src/domain/rival-watch';

const S = 1000;
const HORIZON = 1800;

describe('rival watch', () => {
  it('counts as movers the rivals that lower their own price, not those that enter, leave or go up', () => {
    const before = { bot: 1000, blinker: 990, creeper: 1010 };
    const read = [
      { merchantId: 'bot', priceTenge: 995 },
      { merchantId: 'creeper', priceTenge: 1020 },
      { merchantId: 'newcomer', priceTenge: 980 },
    ];
    const movers = observeMovers({ old: 0 }, before, read, 60 * S);
    expect(movers).toEqual({ bot: 60 * S, old: 0 });
    expect(moverCount(movers, 60 * S, HORIZON)).toBe(2);
    expect(moverCount(movers, 1_801 * S, HORIZON)).toBe(1);
    expect(moverCount(undefined, 0, HORIZON)).toBe(0);
  });

  it('keeps the eight movers seen last', () => {
    const before = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`r${i}`, 1000]));
    const read = Array.from({ length: 10 }, (_, i) => ({ merchantId: `r${i}`, priceTenge: 900 }));
    const movers = observeMovers({ stale: 0 }, before, read, 60 * S);
    expect(Object.keys(movers)).toHaveLength(8);
    expect(movers.stale).toBeUndefined();
  });

  const clock = { actedAtMs: 100 * S, periodSeconds: 12 };
  const war = { ...NO_PRICE_WAR, rivalMerchantId: 'bot', rounds: 2, lastRoundAtMs: 0, clock };
  const movers = { bot: 100 * S };

  it('expects a cut to stand until the rival’s next act while the phase is trusted, then half a period', () => {
    expect(clockHoldSeconds(clock, 101 * S)).toBe(11);
    expect(clockHoldSeconds(clock, 125 * S)).toBe(11);
    expect(clockHoldSeconds(clock, 140 * S)).toBe(6);
    expect(clockHoldSeconds({ actedAtMs: 0, periodSeconds: null }, S)).toBeNull();
    expect(clockHoldSeconds(undefined, S)).toBeNull();
  });

  it('knows the rival’s next act while it fights alone and no cut of ours waits for its answer', () => {
    expect(nextActAtMs({ war, movers }, 101 * S, HORIZON)).toBe(112 * S);
    expect(nextActAtMs({ war, movers }, 112 * S, HORIZON)).toBe(124 * S);
    expect(nextActAtMs({ war, movers }, 140 * S, HORIZON)).toBeNull();
    expect(nextActAtMs({ war, movers: { ...movers, other: 100 * S } }, 101 * S, HORIZON)).toBeNull();
    const pendingCut = { rivalMerchantId: 'bot', fromPriceTenge: 1000, toPriceTenge: 998, atMs: 101 * S };
    expect(nextActAtMs({ war: { ...war, pendingCut }, movers }, 102 * S, HORIZON)).toBeNull();
  });

  it('watches a cut under a rival that answers our cuts, while one rival at most fights over the card', () => {
    const pendingCut = { rivalMerchantId: 'bot', fromPriceTenge: 1000, toPriceTenge: 998, atMs: 100 * S };
    const answering = { ...NO_PRICE_WAR, rivalMerchantId: 'bot', rounds: 1, pendingCut };
    const card = { war: answering, movers: { bot: 50 * S } };
    expect(awaitsAnswer(card, 110 * S, 24, HORIZON)).toBe(true);
    expect(awaitsAnswer(card, 124 * S, 24, HORIZON)).toBe(false);
    expect(awaitsAnswer({ ...card, movers: { bot: 50 * S, other: 60 * S } }, 110 * S, 24, HORIZON)).toBe(false);
    // A rival that never answered a cut of ours, or not this one.
    expect(awaitsAnswer({ ...card, war: { ...NO_PRICE_WAR, pendingCut } }, 110 * S, 24, HORIZON)).toBe(false);
    expect(awaitsAnswer({ ...card, war: { ...answering, rivalMerchantId: 'other' } }, 110 * S, 24, HORIZON)).toBe(
      false,
    );
    expect(awaitsAnswer({ war: NO_PRICE_WAR }, 110 * S, 24, HORIZON)).toBe(false);
    // Once the rival's period is known, for two of them.
    const known = { ...answering, clock: { actedAtMs: 90 * S, periodSeconds: 6 } };
    expect(awaitsAnswer({ ...card, war: known }, 111 * S, 24, HORIZON)).toBe(true);
    expect(awaitsAnswer({ ...card, war: known }, 113 * S, 24, HORIZON)).toBe(false);
  });

  it('reads a watched card again at the watch interval, one with a known clock just after the next act', () => {
    const options = { watchSeconds: 1, spanSeconds: 24, horizonSeconds: HORIZON };
    const pendingCut = { rivalMerchantId: 'bot', fromPriceTenge: 1000, toPriceTenge: 998, atMs: 100 * S };
    const cut = { war: { ...war, pendingCut }, movers };
    expect(watchDelaySeconds([{ war, movers }, cut], 101 * S, options)).toBe(1);
    expect(watchDelaySeconds([{ war, movers }], 101 * S, options)).toBe(11.5);
    expect(watchDelaySeconds([{ war: NO_PRICE_WAR }], 101 * S, options)).toBeNull();
    expect(watchDelaySeconds([], 101 * S, options)).toBeNull();
  });
});
