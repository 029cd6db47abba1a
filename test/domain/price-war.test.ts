import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { minusPercentRoundedUp } from '../../src/domain/money';
import {
  answerExpectedSeconds,
  NO_PRICE_WAR,
  observeRivalMove,
  PRICE_WAR_TIMING,
  type PriceWarState,
  priceWarGuardTenge,
  priceWarRival,
  recordOurMove,
  timeClock,
} from '../../src/domain/price-war';
import { decidePrice } from '../../src/domain/pricing';
import type { Rival } from '../../src/domain/rivals';
import { RIVAL_IDS, RUNS, settings, US } from './arbitraries';

const [BOT, OTHER] = RIVAL_IDS as [string, string];
const T0 = Date.parse('2025-06-02T06:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

/** We cut under the bot, the bot cuts under us: one round. */
function round(
  state: PriceWarState,
  minute: number,
  fromPriceTenge: number,
  toPriceTenge: number,
  answerTenge: number,
) {
  const cut = recordOurMove(state, { at: at(minute), fromPriceTenge, toPriceTenge, rivalMerchantId: BOT });
  return observeRivalMove(cut, {
    at: at(minute + 1),
    ourPriceTenge: toPriceTenge,
    rivals: [{ merchantId: BOT, priceTenge: answerTenge }],
  });
}

describe('price-war detection, by example', () => {
  it('counts the cuts a rival answers in a row and remembers where the war started', () => {
    let state = round(NO_PRICE_WAR, 0, 1000, 998, 997);
    state = round(state, 2, 998, 996, 995);
    state = round(state, 4, 996, 994, 993);
    expect(state).toMatchObject({ rivalMerchantId: BOT, rounds: 3, startPriceTenge: 1000, pendingCut: null });
    const s = settings({ priceWarRounds: 3, priceWarGuardPercent: 1 });
    expect(priceWarRival(state, s)).toBe(BOT);
    expect(priceWarGuardTenge(state, s)).toBe(990);
    expect(priceWarGuardTenge(state, { ...s, priceWarGuardPrice: 995 })).toBe(995);
    expect(priceWarGuardTenge(state, { ...s, priceWarRounds: 4 })).toBeNull();
  });

  it('times how soon the rival answers our cuts over the rounds', () => {
    let state = round(NO_PRICE_WAR, 0, 1000, 998, 997);
    expect(state.answerSeconds).toBe(60);
    const cut = recordOurMove(state, { at: at(2), fromPriceTenge: 997, toPriceTenge: 996, rivalMerchantId: BOT });
    state = observeRivalMove(cut, {
      at: at(5),
      ourPriceTenge: 996,
      rivals: [{ merchantId: BOT, priceTenge: 995 }],
    });
    expect(state.answerSeconds).toBe(120);
    expect(answerExpectedSeconds(state, BOT)).toBe(120);
    expect(answerExpectedSeconds(state, OTHER)).toBeNull();
    expect(answerExpectedSeconds(NO_PRICE_WAR, BOT)).toBeNull();
  });

  it('times the rival’s clock from an answer found between two close reads, and only then', () => {
    const S = 1000;
    const cut = recordOurMove(NO_PRICE_WAR, {
      at: at(0),
      fromPriceTenge: 1000,
      toPriceTenge: 998,
      rivalMerchantId: BOT,
    });
    const answer = [{ merchantId: BOT, priceTenge: 997 }];
    const stood = observeRivalMove(cut, {
      at: new Date(T0 + 9 * S),
      ourPriceTenge: 998,
      rivals: [{ merchantId: BOT, priceTenge: 1005 }],
      closeReadMs: 2 * S,
    });
    expect(stood.pendingCut?.stoodAtMs).toBe(T0 + 9 * S);
    // Answered between the reads at 9 s and 10 s: the bot acted at 9.5 s.
    const timed = observeRivalMove(stood, {
      at: new Date(T0 + 10 * S),
      ourPriceTenge: 998,
      rivals: answer,
      closeReadMs: 2 * S,
    });
    expect(timed.clock).toEqual({ actedAtMs: T0 + 9_500, periodSeconds: null });
    // Reads 10 s apart say only that it answered somewhere in between.
    const loose = observeRivalMove(cut, {
      at: new Date(T0 + 10 * S),
      ourPriceTenge: 998,
      rivals: answer,
      closeReadMs: 2 * S,
    });
    expect(loose.clock).toBeUndefined();
    expect(loose.rounds).toBe(1);
  });

  it('takes the rival’s period as the shortest gap between two of its timed acts', () => {
    let clock = timeClock(undefined, 10_000);
    expect(clock).toEqual({ actedAtMs: 10_000, periodSeconds: null });
    clock = timeClock(clock, 46_000);
    expect(clock).toEqual({ actedAtMs: 46_000, periodSeconds: 36 });
    // Our next cut came within a period: the gap is the period itself.
    clock = timeClock(clock, 58_000);
    expect(clock).toEqual({ actedAtMs: 58_000, periodSeconds: 12 });
    clock = timeClock(clock, 94_000);
    expect(clock.periodSeconds).toBe(12);
    // An act older than the one known (a read that began before it) changes nothing.
    expect(timeClock(clock, 90_000)).toBe(clock);
  });

  it('waits for an answer within the window, and calls the war off when none comes', () => {
    const war = round(round(NO_PRICE_WAR, 0, 1000, 998, 997), 2, 998, 996, 995);
    const cut = recordOurMove(war, { at: at(10), fromPriceTenge: 996, toPriceTenge: 994, rivalMerchantId: BOT });
    const rivals: Rival[] = [{ merchantId: BOT, priceTenge: 995 }];
    const soon = observeRivalMove(cut, { at: at(11), ourPriceTenge: 994, rivals });
    expect(soon).toEqual({ ...cut, pendingCut: { ...cut.pendingCut, stoodAtMs: at(11).getTime() } });
    const late = observeRivalMove(soon, {
      at: at(10 + PRICE_WAR_TIMING.answerWindowSeconds / 60),
      ourPriceTenge: 994,
      rivals,
    });
    expect(late).toEqual(NO_PRICE_WAR);
  });

  it('ends when the rival retreats above us or leaves, and is forgotten after a quiet day', () => {
    const war = round(round(NO_PRICE_WAR, 0, 1000, 998, 997), 2, 998, 996, 995);
    expect(
      observeRivalMove(war, { at: at(5), ourPriceTenge: 996, rivals: [{ merchantId: BOT, priceTenge: 1100 }] }),
    ).toEqual(NO_PRICE_WAR);
    expect(observeRivalMove(war, { at: at(5), ourPriceTenge: 996, rivals: [] })).toEqual(NO_PRICE_WAR);
    const stillUnder = { ourPriceTenge: 996, rivals: [{ merchantId: BOT, priceTenge: 995 }] };
    expect(observeRivalMove(war, { at: at(5), ...stillUnder })).toEqual(war);
    expect(observeRivalMove(war, { at: at(5 + 24 * 60), ...stillUnder })).toEqual(NO_PRICE_WAR);
  });

  it('starts over when a different rival answers, and ignores raises', () => {
    const war = round(NO_PRICE_WAR, 0, 1000, 998, 997);
    const cutUnderOther = recordOurMove(war, {
      at: at(2),
      fromPriceTenge: 998,
      toPriceTenge: 996,
      rivalMerchantId: OTHER,
    });
    const answered = observeRivalMove(cutUnderOther, {
      at: at(2.5),
      ourPriceTenge: 996,
      rivals: [{ merchantId: OTHER, priceTenge: 995 }],
    });
    expect(answered).toMatchObject({ rivalMerchantId: OTHER, rounds: 1, startPriceTenge: 998, answerSeconds: 30 });
    const raise = recordOurMove(cutUnderOther, {
      at: at(4),
      fromPriceTenge: 996,
      toPriceTenge: 1200,
      rivalMerchantId: OTHER,
    });
    expect(raise.pendingCut).toBeNull();
  });
});

describe('price-war guard: property', () => {
  it('stops the spiral: against a bot that answers every cut, the price never falls below the guard', () => {
    fc.assert(
      fc.property(
        fc.record({
          startPriceTenge: fc.integer({ min: 2000, max: 50_000 }),
          step: fc.integer({ min: 1, max: 20 }),
          botStep: fc.integer({ min: 1, max: 20 }),
          botRaises: fc.boolean(),
          rounds: fc.integer({ min: 2, max: 4 }),
          guardPercent: fc.integer({ min: 0, max: 10 }),
          bystander: fc.option(fc.integer({ min: 0, max: 3000 }), { nil: null }),
        }),
        (w) => {
          const s = settings({
            minPrice: 1,
            maxPrice: null,
            step: w.step,
            priceWarRounds: w.rounds,
            priceWarGuardPercent: w.guardPercent,
            maxDropPercentPerChange: 100,
            maxDropPercentPerDay: 100,
          });
          let state = NO_PRICE_WAR;
          let live = w.startPriceTenge;
          let bot = live - w.botStep;
          let lowest = live;
          for (let minute = 0; minute < 300; minute += 2) {
            const offers = [{ merchantId: BOT, price: bot }];
            if (w.bystander !== null) offers.push({ merchantId: OTHER, price: w.startPriceTenge + w.bystander });
            const rivals = offers.map((o) => ({ merchantId: o.merchantId, priceTenge: o.price }));
            state = observeRivalMove(state, { at: at(minute), ourPriceTenge: live, rivals });
            const d = decidePrice({
              cityId: '750000000',
              ourMerchantId: US,
              livePriceTenge: live,
              offers,
              settings: s,
              war: state,
            });
            if (d.changed) {
              state = recordOurMove(state, {
                at: at(minute),
                fromPriceTenge: live,
                toPriceTenge: d.targetPriceTenge,
                rivalMerchantId: d.rival?.merchantId ?? null,
              });
              live = d.targetPriceTenge;
              lowest = Math.min(lowest, live);
            }
            if (live <= bot) bot = Math.max(1, live - w.botStep);
            else if (w.botRaises) bot = live - 1;
          }
          const guard = minusPercentRoundedUp(w.startPriceTenge, w.guardPercent);
          const beforeRecognised = w.startPriceTenge - w.rounds * (w.botStep + w.step);
          expect(lowest).toBeGreaterThanOrEqual(Math.min(guard, beforeRecognised));
          expect(priceWarRival(state, s)).toBe(BOT);
        },
      ),
      RUNS,
    );
  });
});
