import { describe, expect, it } from 'vitest';
import {
  expectedHoldSeconds,
  isLasting,
  observePace,
  spend,
  spendAllowance,
  UNKNOWN_PACE,
} from '../../src/domain/change-value';

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

  it('calls a change lasting from a quarter of the budget window', () => {
    expect(isLasting(449, BUDGET)).toBe(false);
    expect(isLasting(450, BUDGET)).toBe(true);
  });
});

describe('spend allowance', () => {
  const now = 10_000 * S;
  const times = (n: number, agoMs: number) => Array.from({ length: n }, () => now - agoMs);

  it('lets short-lived changes spend down to a fifth of the budget while more than half is left', () => {
    expect(spendAllowance([], now, BUDGET)).toEqual({ any: 240, shortLived: 192 });
    expect(spendAllowance(times(100, 1_000 * S), now, BUDGET)).toEqual({ any: 140, shortLived: 92 });
  });

  it('paces short-lived changes evenly over the window once half the budget is spent', () => {
    // 130 spent long ago (outside the last tenth of the window), 10 just now: 20 per tenth allowed.
    const spent = [...times(130, 1_000 * S), ...times(10, 10 * S)];
    expect(spendAllowance(spent, now, BUDGET)).toEqual({ any: 100, shortLived: 10 });
    const busy = [...times(120, 1_000 * S), ...times(20, 10 * S)];
    expect(spendAllowance(busy, now, BUDGET).shortLived).toBe(0);
  });

  it('keeps the reserve for lasting changes, and forgets changes older than the window', () => {
    expect(spendAllowance(times(200, 60 * S), now, BUDGET)).toEqual({ any: 40, shortLived: 0 });
    expect(spendAllowance(times(240, 1_801 * S), now, BUDGET)).toEqual({ any: 240, shortLived: 192 });
  });

  it('spends lasting changes from the whole allowance, short-lived ones from their share too', () => {
    const allowance = { any: 2, shortLived: 1 };
    expect(spend(allowance, false)).toEqual({ any: 1, shortLived: 0 });
    expect(spend({ any: 1, shortLived: 0 }, false)).toBeNull();
    expect(spend({ any: 1, shortLived: 0 }, true)).toEqual({ any: 0, shortLived: 0 });
    expect(spend({ any: 0, shortLived: 0 }, true)).toBeNull();
  });

  it('never allows more than the budget within any window, however the changes come', () => {
    let sent: number[] = [];
    for (let t = 0; t < 7_200; t += 3) {
      const at = t * S;
      let allowance = spendAllowance(sent, at, BUDGET);
      for (let k = 0; k < 5; k++) {
        const next = spend(allowance, (t + k) % 7 === 0);
        if (!next) break;
        allowance = next;
        sent.push(at);
      }
      sent = sent.filter((s) => s > at - BUDGET.windowSeconds * S);
      expect(sent.length).toBeLessThanOrEqual(BUDGET.limit);
    }
  });
});
