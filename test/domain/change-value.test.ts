import { describe, expect, it } from 'vitest';
import {
  cardHoldSeconds,
  expectedHoldSeconds,
  holdIsKnown,
  isLasting,
  observePace,
  pushHold,
  spend,
  spendAllowance,
  paceBinds,
  paceIntervalMs,
  pacedHoldFloorSeconds,
  spendKind,
  UNKNOWN_PACE,
} from '../../src/domain/change-value';
import { NO_PRICE_WAR } from '../../src/domain/price-war';

const BUDGET = { limit: 240, windowSeconds: 1800 };
const S = 1000;

describe('card pace', () => {
  it('learns the gap between the rival’s moves, weighting the newest half', () => {
    let pace = observePace(UNKNOWN_PACE, true, 0);
    expect(pace).toEqual({ lastMoveAtMs: 0, gapSeconds: null });
    pace = observePace(pace, false, 60 * S);
    expect(pace).toEqual({ lastMoveAtMs: 0, gapSeconds: null });
    pace = observePace(pace, true, 120 * S);
    expect(pace).toEqual({ lastMoveAtMs: 120 * S, gapSeconds: 120 });
    pace = observePace(pace, true, 180 * S);
    expect(pace.gapSeconds).toBe(90);
  });

  it('expects a change to stand for the usual gap, longer when the card has been still longer, at most the horizon', () => {
    expect(expectedHoldSeconds(UNKNOWN_PACE, 0, 1800)).toBe(1800);
    const bot = { lastMoveAtMs: 1_000 * S, gapSeconds: 120 };
    expect(expectedHoldSeconds(bot, 1_001 * S, 1800)).toBe(120);
    expect(expectedHoldSeconds(bot, 1_500 * S, 1800)).toBe(500);
    expect(expectedHoldSeconds(bot, 9_000 * S, 1800)).toBe(1800);
  });

  const cut = (rivalMerchantId: string | null) => ({ rivalMerchantId, cut: true, leaderMerchantId: rivalMerchantId });
  const under = (rivalMerchantId: string, leaderMerchantId = rivalMerchantId) => ({
    rivalMerchantId,
    cut: false,
    leaderMerchantId,
  });
  const raise = under('calm');

  it('expects a cut to last while no rival was seen lowering its price, and a raise to stand for the card’s pace', () => {
    const blinking = { lastMoveAtMs: 0, gapSeconds: 12 };
    expect(cardHoldSeconds({ pace: blinking, war: NO_PRICE_WAR }, cut('calm'), 60 * S, 1800)).toBe(1800);
    expect(cardHoldSeconds({ pace: blinking, war: NO_PRICE_WAR }, raise, 60 * S, 1800)).toBe(60);
    expect(cardHoldSeconds(undefined, cut('bot'), 60 * S, 1800)).toBe(1800);
    expect(cardHoldSeconds(undefined, raise, 60 * S, 1800)).toBe(1800);
  });

  it('expects a cut under a rival that answers our cuts to stand only as long as it takes to answer', () => {
    const war = { ...NO_PRICE_WAR, rivalMerchantId: 'bot', rounds: 1, lastRoundAtMs: 0, answerSeconds: 40 };
    const movers = { bot: 0 };
    expect(cardHoldSeconds({ war, movers }, cut('bot'), 60 * S, 1800)).toBe(40);
    // Under another rival, while only rivals were seen lowering their prices: `moverSeconds`.
    expect(cardHoldSeconds({ war, movers }, cut('calm'), 60 * S, 1800, null, 6)).toBe(6);
    // Two rivals lowering their prices: the first of them to act answers.
    expect(cardHoldSeconds({ war, movers: { bot: 0, other: 30 * S } }, cut('bot'), 60 * S, 1800)).toBe(20);
    // A rival seen lowering its price longer than the horizon ago is not counted.
    expect(cardHoldSeconds({ war: NO_PRICE_WAR, movers }, cut('bot'), 1_900 * S, 1800)).toBe(1800);
  });

  it('expects a cut under a rival whose clock is known to stand until its next act', () => {
    const war = {
      ...NO_PRICE_WAR,
      rivalMerchantId: 'bot',
      rounds: 2,
      lastRoundAtMs: 0,
      answerSeconds: 5,
      clock: { actedAtMs: 100 * S, periodSeconds: 12 },
    };
    const movers = { bot: 100 * S };
    expect(cardHoldSeconds({ war, movers }, cut('bot'), 101 * S, 1800)).toBe(11);
    expect(cardHoldSeconds({ war, movers }, cut('bot'), 123 * S, 1800)).toBe(1);
    // Beyond three periods the phase is not trusted: a cut falls anywhere in one.
    expect(cardHoldSeconds({ war, movers }, cut('bot'), 140 * S, 1800)).toBe(6);
  });

  it('takes half the time since the read before off a move this read found, as it happened in between', () => {
    const justMoved = { lastMoveAtMs: 60 * S, gapSeconds: 12 };
    expect(cardHoldSeconds({ pace: justMoved, war: NO_PRICE_WAR }, raise, 60 * S, 1800, 50 * S)).toBe(7);
    expect(cardHoldSeconds({ pace: justMoved, war: NO_PRICE_WAR }, raise, 60 * S, 1800, 58 * S)).toBe(11);
    const war = { ...NO_PRICE_WAR, rivalMerchantId: 'bot', rounds: 1, lastRoundAtMs: 0, answerSeconds: 8 };
    const movers = { bot: 60 * S };
    expect(cardHoldSeconds({ pace: justMoved, war, movers }, cut('bot'), 60 * S, 1800, 50 * S)).toBe(3);
    expect(cardHoldSeconds({ pace: justMoved, war, movers }, cut('bot'), 60 * S, 1800, 30 * S)).toBe(0);
    // A card never read before, or a move an earlier read found: as they were.
    expect(cardHoldSeconds({ pace: justMoved, war: NO_PRICE_WAR }, raise, 60 * S, 1800)).toBe(12);
    const movedBefore = { lastMoveAtMs: 40 * S, gapSeconds: 12 };
    expect(cardHoldSeconds({ pace: movedBefore, war: NO_PRICE_WAR }, raise, 60 * S, 1800, 50 * S)).toBe(20);
  });

  it('knows nothing from the card’s pace of a change held behind its cheapest rival, under another one', () => {
    const stillLeader = { pace: { lastMoveAtMs: 0, gapSeconds: 600 }, war: NO_PRICE_WAR };
    // The cheapest rival sits still below our floor; the one we follow up at the floor creeps a tenge at a time.
    expect(cardHoldSeconds(stillLeader, under('creeper', 'bot'), 60 * S, 1800)).toBe(1800);
    expect(holdIsKnown(stillLeader, under('creeper', 'bot'))).toBe(false);
    expect(cardHoldSeconds(stillLeader, under('bot'), 60 * S, 1800)).toBe(600);
    expect(holdIsKnown(stillLeader, under('bot'))).toBe(true);
    // A cut is weighed by who answers it, whoever is cheapest.
    expect(holdIsKnown(stillLeader, { ...cut('creeper'), leaderMerchantId: 'bot' })).toBe(true);
  });

  it('knows how long a change stands from the card’s pace or from its rival’s answers, not from a card seen to move once', () => {
    const war = { ...NO_PRICE_WAR, rivalMerchantId: 'bot', rounds: 1, lastRoundAtMs: 0, answerSeconds: 40 };
    const movedOnce = { lastMoveAtMs: 0, gapSeconds: null };
    expect(holdIsKnown({ pace: { lastMoveAtMs: 0, gapSeconds: 30 }, war: NO_PRICE_WAR }, under('bot'))).toBe(true);
    expect(holdIsKnown({ pace: movedOnce, war }, under('bot'))).toBe(true);
    expect(holdIsKnown({ pace: movedOnce, war }, under('calm'))).toBe(false);
    expect(holdIsKnown({ war: NO_PRICE_WAR }, under('bot'))).toBe(false);
    expect(holdIsKnown(undefined, under('bot'))).toBe(false);
  });

  it('expects a push to stand until the first of its cards moves, known only when known for each', () => {
    const war = { ...NO_PRICE_WAR, rivalMerchantId: 'bot', rounds: 1, lastRoundAtMs: 0, answerSeconds: 40 };
    const cards = {
      almaty: { pace: { lastMoveAtMs: 0, gapSeconds: 1_200 }, war, movers: { bot: 0 } },
      astana: { war: NO_PRICE_WAR },
    };
    const lower = (cityId: string, merchantId: string) => ({
      cityId,
      rival: { merchantId },
      leader: { merchantId, priceTenge: 995 },
      livePriceTenge: 1000,
      targetPriceTenge: 990,
      positionBefore: 2,
      positionAfter: 1,
    });
    const higher = (cityId: string) => ({ ...lower(cityId, 'calm'), targetPriceTenge: 1010, positionBefore: 1 });
    // Held at the floor behind the rival: no better place, so it stands for the card's pace like a raise.
    const floor = (cityId: string) => ({ ...lower(cityId, 'bot'), targetPriceTenge: 998, positionAfter: 2 });
    expect(pushHold([higher('almaty'), lower('astana', 'bot')], cards, 60 * S, 1800, null)).toEqual({
      holdSeconds: 1_200,
      holdKnown: false,
    });
    expect(pushHold([lower('almaty', 'bot'), higher('almaty')], cards, 60 * S, 1800, null)).toEqual({
      holdSeconds: 40,
      holdKnown: true,
    });
    expect(pushHold([floor('almaty')], cards, 60 * S, 1800, null).holdSeconds).toBe(1_200);
    // Held at the floor under a rival behind the cheapest one: nothing known of how long.
    expect(pushHold([{ ...floor('almaty'), rival: { merchantId: 'creeper' } }], cards, 60 * S, 1800, null)).toEqual({
      holdSeconds: 1_800,
      holdKnown: false,
    });
  });

  it('calls a change lasting from a quarter of the budget window', () => {
    expect(isLasting(449, BUDGET)).toBe(false);
    expect(isLasting(450, BUDGET)).toBe(true);
  });
});

describe('spend allowance', () => {
  const now = 10_000 * S;
  const times = (n: number, agoMs: number) => Array.from({ length: n }, () => now - agoMs);

  it('lets short-lived changes spend the whole budget while more than half is left', () => {
    expect(spendAllowance([], now, BUDGET)).toEqual({ any: 240, shortLived: 240, marginOnly: 240 });
    expect(spendAllowance(times(100, 1_000 * S), now, BUDGET)).toEqual({ any: 140, shortLived: 140, marginOnly: 140 });
  });

  it('paces short-lived changes evenly over the window once half the budget is spent, and holds those buying only margin', () => {
    // 130 spent long ago (outside the last three tenths of the window), 10 just now: 72 per three tenths allowed.
    const spent = [...times(130, 1_000 * S), ...times(10, 10 * S)];
    expect(spendAllowance(spent, now, BUDGET)).toEqual({ any: 100, shortLived: 62, marginOnly: 0 });
    // A burst is answered after a quiet spell, and the pace holds over the three tenths.
    const quietThenBusy = [...times(122, 1_000 * S), ...times(20, 10 * S)];
    expect(spendAllowance(quietThenBusy, now, BUDGET).shortLived).toBe(52);
    const busy = [...times(68, 1_000 * S), ...times(54, 500 * S), ...times(18, 10 * S)];
    expect(spendAllowance(busy, now, BUDGET).shortLived).toBe(0);
  });

  it('says when the pace binds, and how far apart it spaces changes then', () => {
    expect(paceBinds(spendAllowance(times(120, 60 * S), now, BUDGET), BUDGET)).toBe(false);
    expect(paceBinds(spendAllowance(times(121, 60 * S), now, BUDGET), BUDGET)).toBe(true);
    // 240 changes in 30 minutes: one every 7.5 s.
    expect(paceIntervalMs(BUDGET)).toBe(7_500);
  });

  it('leaves to lasting changes what the pace holds back, and forgets changes older than the window', () => {
    expect(spendAllowance(times(200, 60 * S), now, BUDGET)).toEqual({ any: 40, shortLived: 0, marginOnly: 0 });
    expect(spendAllowance(times(240, 1_801 * S), now, BUDGET)).toEqual({ any: 240, shortLived: 240, marginOnly: 240 });
  });

  it('spends lasting changes from the whole allowance, short-lived ones from their share too', () => {
    const allowance = { any: 3, shortLived: 2, marginOnly: 1 };
    expect(spend(allowance, 'margin_only')).toEqual({ any: 2, shortLived: 1, marginOnly: 0 });
    expect(spend(allowance, 'short_lived')).toEqual({ any: 2, shortLived: 1, marginOnly: 1 });
    expect(spend({ any: 2, shortLived: 1, marginOnly: 1 }, 'short_lived')).toEqual({
      any: 1,
      shortLived: 0,
      marginOnly: 0,
    });
    expect(spend({ any: 1, shortLived: 1, marginOnly: 0 }, 'margin_only')).toBeNull();
    expect(spend({ any: 1, shortLived: 0, marginOnly: 0 }, 'short_lived')).toBeNull();
    expect(spend({ any: 1, shortLived: 0, marginOnly: 0 }, 'lasting')).toEqual({
      any: 0,
      shortLived: 0,
      marginOnly: 0,
    });
    expect(spend({ any: 0, shortLived: 0, marginOnly: 0 }, 'lasting')).toBeNull();
  });

  it('calls a short-lived change that wins no better place one that buys only margin', () => {
    const rival = (priceTenge: number) => ({ merchantId: 'R', priceTenge });
    const raise = {
      livePriceTenge: 900,
      targetPriceTenge: 949,
      positionBefore: 1,
      positionAfter: 1,
      leader: rival(950),
    };
    const regain = {
      livePriceTenge: 960,
      targetPriceTenge: 949,
      positionBefore: 2,
      positionAfter: 1,
      leader: rival(950),
    };
    expect(spendKind({ holdSeconds: 60, holdKnown: true, changes: [raise] }, BUDGET)).toBe('margin_only');
    expect(spendKind({ holdSeconds: 60, holdKnown: true, changes: [raise, regain] }, BUDGET)).toBe('short_lived');
    expect(spendKind({ holdSeconds: 600, holdKnown: true, changes: [raise] }, BUDGET)).toBe('lasting');
    // Nothing known of the card: the raise may be undone at once by a rival whose offer blinks; a regain still goes.
    expect(spendKind({ holdSeconds: 1_800, holdKnown: false, changes: [raise] }, BUDGET)).toBe('margin_only');
    expect(spendKind({ holdSeconds: 1_800, holdKnown: false, changes: [regain] }, BUDGET)).toBe('lasting');
    expect(spendKind({ holdSeconds: 1_800, holdKnown: true, changes: [raise] }, BUDGET)).toBe('lasting');
    // Level with the cheapest rival the offer shares first place, and the storefront may show the rival first.
    const breakTie = {
      livePriceTenge: 950,
      targetPriceTenge: 949,
      positionBefore: 1,
      positionAfter: 1,
      leader: rival(950),
    };
    expect(spendKind({ holdSeconds: 60, holdKnown: true, changes: [breakTie] }, BUDGET)).toBe('short_lived');
  });

  it('sets the floor a short-lived change must stand at half the median hold of those sent within the lookback', () => {
    const sent = (n: number, holdSeconds: number | null, agoMs: number) =>
      Array.from({ length: n }, () => ({ atMs: now - agoMs, holdSeconds }));
    // Within the last three tenths of the window (540 s): holds of 10 s and 30 s, median 20 s.
    const recent = [...sent(6, 10, 10 * S), ...sent(6, 30, 100 * S)];
    expect(pacedHoldFloorSeconds(recent, now, BUDGET)).toBe(10);
    // Older changes, lasting ones (from a quarter of the window) and ones of no known hold do not count.
    const aside = [...sent(20, 2, 600 * S), ...sent(20, 900, 10 * S), ...sent(20, null, 10 * S)];
    expect(pacedHoldFloorSeconds([...recent, ...aside], now, BUDGET)).toBe(10);
    // Too few to tell what a slot buys: no floor.
    expect(pacedHoldFloorSeconds([...sent(9, 30, 10 * S), ...aside], now, BUDGET)).toBe(0);
  });

  it('never allows more than the budget within any window, however the changes come', () => {
    let sent: number[] = [];
    for (let t = 0; t < 7_200; t += 3) {
      const at = t * S;
      let allowance = spendAllowance(sent, at, BUDGET);
      for (let k = 0; k < 5; k++) {
        const next = spend(allowance, (['lasting', 'short_lived', 'margin_only'] as const)[(t + k) % 3]!);
        if (!next) break;
        allowance = next;
        sent.push(at);
      }
      sent = sent.filter((s) => s > at - BUDGET.windowSeconds * S);
      expect(sent.length).toBeLessThanOrEqual(BUDGET.limit);
    }
  });
});
