/**
 * Where Kaspi's change budget (≈250 offer changes per 30 minutes per merchant) is best spent. A change
 * buys first place, or margin, until the card moves again: answering a rival that is itself a bot
 * re-undercutting every two minutes buys two minutes; answering a rival that stays put buys the rest
 * of the window. So each card learns how long its cheapest rival usually stays put (`CardPace`, kept in
 * `products.pricing_state` per city), a change is worth the money at stake times how long it is
 * expected to stand, and short-lived changes are paced so that budget is left for the lasting ones.
 */

import type { ChangeBudget } from './write-budget';

export interface CardPace {
  /** When the card's cheapest rival last moved (a new price, or another rival cheapest). */
  lastMoveAtMs: number | null;
  /** How long the cheapest rival usually stays put, in seconds: a running mean of the gaps between its moves; null until two moves were seen. */
  gapSeconds: number | null;
}

export const UNKNOWN_PACE: CardPace = { lastMoveAtMs: null, gapSeconds: null };

/** The newest gap's weight in the running mean: a bot that changed its pace is followed within a few moves. */
const GAP_WEIGHT = 0.5;

/** After a read of the card: a move of its cheapest rival updates the pace. */
export function observePace(pace: CardPace, rivalsMoved: boolean, atMs: number): CardPace {
  if (!rivalsMoved) return pace;
  if (pace.lastMoveAtMs === null) return { lastMoveAtMs: atMs, gapSeconds: pace.gapSeconds };
  const gap = Math.max(0, (atMs - pace.lastMoveAtMs) / 1000);
  return {
    lastMoveAtMs: atMs,
    gapSeconds: pace.gapSeconds === null ? gap : pace.gapSeconds * (1 - GAP_WEIGHT) + gap * GAP_WEIGHT,
  };
}

/**
 * How long a change made now is expected to stand before the card moves again: the card's usual gap,
 * or longer when it has been still for longer than that; at most `horizonSeconds` (one budget window,
 * beyond which the budget is whole again), and the horizon when nothing is known.
 */
export function expectedHoldSeconds(pace: CardPace, atMs: number, horizonSeconds: number): number {
  if (pace.gapSeconds === null) return horizonSeconds;
  const still = pace.lastMoveAtMs === null ? 0 : Math.max(0, (atMs - pace.lastMoveAtMs) / 1000);
  return Math.min(horizonSeconds, Math.max(pace.gapSeconds, still));
}

/** Changes expected to stand at least this share of the budget window are lasting; the rest are short-lived. */
const LASTING_SHARE = 1 / 4;

export function isLasting(holdSeconds: number, budget: ChangeBudget): boolean {
  return holdSeconds >= budget.windowSeconds * LASTING_SHARE;
}

/** Of the budget, the share short-lived changes leave for lasting ones. */
const RESERVE_SHARE = 0.2;
/** Short-lived changes spread evenly over the window once half the budget is spent: this many slices of it. */
const PACE_SLICES = 10;

export interface SpendAllowance {
  /** Changes that may go now, of any kind. */
  any: number;
  /** Of those, short-lived ones. */
  shortLived: number;
}

/**
 * How many changes may go now, from the times of the changes sent (or still waiting to be) within the
 * window. Lasting changes may spend whatever the budget has left. Short-lived ones leave a reserve for
 * lasting ones, and once half the budget is spent they go no faster than an even pace over the window,
 * so the budget is not all spent in the first minutes of a bot war, leaving the rest of the window
 * unable to answer anything.
 */
export function spendAllowance(changeTimesMs: readonly number[], nowMs: number, budget: ChangeBudget): SpendAllowance {
  const windowMs = budget.windowSeconds * 1000;
  const inWindow = changeTimesMs.filter((t) => t > nowMs - windowMs);
  const any = Math.max(0, budget.limit - inWindow.length);
  const reserve = Math.ceil(budget.limit * RESERVE_SHARE);
  let shortLived = Math.max(0, any - reserve);
  if (any < budget.limit / 2) {
    const sliceMs = windowMs / PACE_SLICES;
    const perSlice = Math.ceil((budget.limit - reserve) / PACE_SLICES);
    const recent = inWindow.filter((t) => t > nowMs - sliceMs).length;
    shortLived = Math.min(shortLived, Math.max(0, perSlice - recent));
  }
  return { any, shortLived };
}

/** Takes one change from the allowance when it has room for it; the allowance left, or null when it has none. */
export function spend(allowance: SpendAllowance, lasting: boolean): SpendAllowance | null {
  if (allowance.any <= 0 || (!lasting && allowance.shortLived <= 0)) return null;
  return { any: allowance.any - 1, shortLived: lasting ? allowance.shortLived : allowance.shortLived - 1 };
}
