import { describe, expect, it } from 'vitest';
import type { CityPricingState } from '../../src/domain/pricing';
import { decideProductPrices, rememberPush } from '../../src/domain/product-pricing';
import { OUR_OTHER_STORE, RIVAL_IDS, settings, US } from './arbitraries';

const ALMATY = '750000000';
const ASTANA = '710000000';
const [BOT, CALM] = RIVAL_IDS as [string, string];
const T0 = Date.parse('2025-06-02T06:00:00Z');

describe('decideProductPrices', () => {
  it('decides every city, plans one push, and starts the day for the drop limit', () => {
    const result = decideProductPrices({
      at: new Date(T0),
      ourMerchantId: US,
      ownMerchantIds: [OUR_OTHER_STORE],
      settings: settings(),
      liveCityPrices: { [ALMATY]: 5000, [ASTANA]: 5200 },
      offersByCity: {
        [ALMATY]: [
          { merchantId: US, price: 5000 },
          { merchantId: OUR_OTHER_STORE, price: 4000 },
          { merchantId: BOT, price: 4800 },
        ],
        [ASTANA]: [{ merchantId: CALM, price: 5201 }],
      },
      pricingState: {},
    });
    expect(result.decisions.map((d) => [d.cityId, d.targetPriceTenge, d.reason])).toEqual([
      [ASTANA, 5200, 'already_best'],
      [ALMATY, 4799, 'undercut'],
    ]);
    expect(result.plan).toMatchObject({
      push: true,
      priceTenge: 4799,
      cityPrices: [
        { cityId: ASTANA, value: 5200 },
        { cityId: ALMATY, value: 4799 },
      ],
    });
    expect(result.pricingState[ALMATY]?.day).toEqual({ date: '2025-06-02', startPriceTenge: 5000 });
    expect(result.rivalsMoved).toBe(false);
  });

  it('tells when the cheapest rival moved in any city since the last check', () => {
    const check = (astanaRivalPrice: number, pricingState: Record<string, CityPricingState>) =>
      decideProductPrices({
        at: new Date(T0),
        ourMerchantId: US,
        settings: settings(),
        liveCityPrices: { [ALMATY]: 5000, [ASTANA]: 5000 },
        offersByCity: {
          [ALMATY]: [{ merchantId: CALM, price: 5001 }],
          [ASTANA]: [{ merchantId: CALM, price: astanaRivalPrice }],
        },
        pricingState,
      });
    const first = check(5001, {});
    expect(first.rivalsMoved).toBe(false);
    expect(check(5001, first.pricingState).rivalsMoved).toBe(false);
    expect(check(4900, first.pricingState).rivalsMoved).toBe(true);
  });

  it('remembers the rivals that lowered their prices, through a push, and times a bot answering a watched cut', () => {
    const check = (atS: number, ours: number, botPrice: number, pricingState: Record<string, CityPricingState>) =>
      decideProductPrices({
        at: new Date(T0 + atS * 1000),
        ourMerchantId: US,
        settings: settings(),
        liveCityPrices: { [ALMATY]: ours },
        offersByCity: {
          [ALMATY]: [
            { merchantId: US, price: ours },
            { merchantId: BOT, price: botPrice },
            { merchantId: CALM, price: 6000 },
          ],
        },
        pricingState,
        closeReadMs: 2000,
      });
    const first = check(0, 5000, 5100, {});
    expect(first.pricingState[ALMATY]).toMatchObject({ prices: { [BOT]: 5100, [CALM]: 6000 } });
    expect(first.pricingState[ALMATY]?.movers).toBeUndefined();
    const undercut = check(10, 5000, 4990, first.pricingState);
    expect(undercut.pricingState[ALMATY]?.movers).toEqual({ [BOT]: T0 + 10_000 });
    if (!undercut.plan.push) throw new Error('the bot under us is undercut');
    const pushed = rememberPush(undercut.pricingState, undercut.plan.changes, new Date(T0 + 11_000));
    expect(pushed[ALMATY]).toMatchObject({ movers: { [BOT]: T0 + 10_000 }, prices: { [BOT]: 4990 } });
    const standing = check(12, 4989, 4990, pushed);
    const answered = check(13, 4989, 4988, standing.pricingState);
    expect(answered.pricingState[ALMATY]?.war.clock).toEqual({ actedAtMs: T0 + 12_500, periodSeconds: null });
    expect(answered.pricingState[ALMATY]?.movers).toEqual({ [BOT]: T0 + 13_000 });
  });

  it('recognises a price war where a bot answers every cut, follows it to the guard only, then sits second', () => {
    const s = settings({ minPrice: 1000, priceWarRounds: 3, priceWarGuardPercent: 1 });
    let live: Record<string, number> = { [ALMATY]: 5000, [ASTANA]: 5000 };
    let bot = 4990;
    let state: Record<string, CityPricingState> = {};
    const reasons: string[] = [];
    let lowest = 5000;
    for (let cycle = 0; cycle < 12; cycle++) {
      const at = new Date(T0 + cycle * 120_000);
      const result = decideProductPrices({
        at,
        ourMerchantId: US,
        settings: s,
        liveCityPrices: live,
        offersByCity: {
          [ALMATY]: [
            { merchantId: BOT, price: bot },
            { merchantId: CALM, price: 5400 },
          ],
          [ASTANA]: [{ merchantId: CALM, price: 5100 }],
        },
        pricingState: state,
      });
      state = result.pricingState;
      reasons.push(result.decisions.find((d) => d.cityId === ALMATY)!.reason);
      if (result.plan.push) {
        state = rememberPush(state, result.plan.changes, at);
        live = Object.fromEntries(result.plan.cityPrices.map((c) => [c.cityId, c.value]));
      }
      const ours = live[ALMATY]!;
      lowest = Math.min(lowest, ours);
      if (ours <= bot) bot = ours - 5;
    }
    expect(state[ALMATY]?.war).toMatchObject({ rivalMerchantId: BOT, startPriceTenge: 5000 });
    expect(state[ALMATY]?.war.rounds).toBeGreaterThanOrEqual(3);
    expect(state[ASTANA]?.war.rounds).toBe(0);
    expect(reasons.slice(0, 7)).toEqual(Array(7).fill('undercut'));
    expect(reasons.slice(7)).toEqual(Array(5).fill('price_war_hold'));
    expect(lowest).toBe(4953);
    expect(live[ALMATY]).toBe(5399);
    expect(live[ASTANA]).toBe(5099);
  });

  it("keeps the price under a cheapest rival that left, for four of the card's usual gaps or until it is back", () => {
    let state: Record<string, CityPricingState> = {};
    let live = 4899;
    const read = (minute: number, botPrice: number | null) => {
      const result = decideProductPrices({
        at: new Date(T0 + minute * 60_000),
        ourMerchantId: US,
        settings: settings(),
        liveCityPrices: { [ALMATY]: live },
        offersByCity: {
          [ALMATY]: [
            { merchantId: US, price: live },
            { merchantId: CALM, price: 5400 },
            ...(botPrice === null ? [] : [{ merchantId: BOT, price: botPrice }]),
          ],
        },
        pricingState: state,
      });
      state = result.pricingState;
      if (result.plan.push) live = result.plan.priceTenge;
      return result.decisions[0]!;
    };
    read(0, 4900);
    expect(read(1, 4800)).toMatchObject({ targetPriceTenge: 4799, reason: 'undercut' });
    // Gone a minute after its last move: the card's gap is a minute, so it is waited for four.
    expect(read(2, null)).toMatchObject({ targetPriceTenge: 4799, reason: 'already_best' });
    expect(state[ALMATY]?.departed).toEqual({ rival: { merchantId: BOT, priceTenge: 4800 }, atMs: T0 + 2 * 60_000 });
    expect(read(3, null).targetPriceTenge).toBe(4799);
    expect(read(5, null).targetPriceTenge).toBe(4799);
    expect(read(6, null)).toMatchObject({ targetPriceTenge: 5399, reason: 'raise' });
    expect(state[ALMATY]?.departed).toBeUndefined();

    // Back within the wait: nothing to take back, and nothing is remembered.
    expect(read(7, 5300)).toMatchObject({ targetPriceTenge: 5299, reason: 'undercut' });
    expect(read(8, null).changed).toBe(false);
    expect(read(9, 5300)).toMatchObject({ targetPriceTenge: 5299, changed: false });
    expect(state[ALMATY]?.departed).toBeUndefined();

    // Gone at the first move seen: a rival that stayed put as long as it was watched has left for good.
    state = {};
    read(10, 5300);
    expect(read(11, null)).toMatchObject({ targetPriceTenge: 5399, reason: 'raise' });
  });
});
