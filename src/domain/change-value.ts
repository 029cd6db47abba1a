/**
 * Where Kaspi's change budget (≈250 offer changes per 30 minutes per merchant) is best spent. A change
 * buys first place, or margin, until the card moves again: answering a rival that is itself a bot
 * re-undercutting every two minutes buys two minutes; answering a rival that stays put buys the rest
 * of the window. So each card learns how long its cheapest rival usually stays put (`CardPace`, kept in
 * `products.pricing_state` per city), how soon a rival at war with us answers our cuts (`PriceWarState`),
 * and which rivals lower their prices and on what clock (`rival-watch.ts`); a change is worth the money
 * at stake times how long it is expected to stand, and short-lived changes are paced so that budget is
 * left through the window.
 */

import { answerExpectedSeconds } from './price-war';
import { type CardKnowledge, clockHoldSeconds, moverCount } from './rival-watch';
import { lowersPrice, winsPlace, type ChangeBudget, type PlaceMove } from './write-budget';

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

/**
 * One city's change as the budget weighs it: the rival it prices against, whether it is a cut — a
 * lower price that wins a better place, under a rival that may answer it — and the card's cheapest
 * rival. A lower price that wins none (held at the floor behind a rival) stands, like a raise, until
 * the rival it prices against moves.
 */
export interface CardMove {
  rivalMerchantId: string | null;
  cut: boolean;
  leaderMerchantId: string | null;
}

/**
 * Whether the card's pace says anything of the change. The pace is the cheapest rival's: it does for a
 * cut, and for any other change priced under that rival (or under none); not for one held behind it
 * under another rival — say at the floor, under a rival creeping up a tenge at a time while the
 * cheapest sits still below the floor.
 */
function paceTells(move: CardMove): boolean {
  return move.cut || move.rivalMerchantId === null || move.rivalMerchantId === move.leaderMerchantId;
}

/**
 * How long a change to one card is expected to stand.
 * - A cut stands until a rival goes under it. Only a rival seen lowering its own price does that (one
 *   that enters or leaves, or goes up, does not): with none seen, the cut is taken to last. Under a
 *   rival that has been answering our cuts it stands until the rival's next act, once its clock is
 *   known, else as long as it usually takes to answer; where rivals were only seen lowering their
 *   prices, `moverSeconds`. Where several have been, the first of them to act answers: the hold is
 *   shared among them.
 * - Any other change (a raise, a correction) priced under the card's cheapest rival stands until that
 *   rival moves again: the card's pace. Priced under another rival, how long is not known.
 * A move this read found (`previousReadAtMs`: the read before it) happened, on average, halfway
 * between the two reads: a bot moving on its own clock moves again that much sooner, so an answer to a
 * move seen late is worth less than one to a move seen as it happened.
 */
export function cardHoldSeconds(
  card: CardKnowledge | undefined,
  move: CardMove,
  atMs: number,
  horizonSeconds: number,
  previousReadAtMs: number | null = null,
  moverSeconds: number = horizonSeconds,
): number {
  const seen = moverCount(card?.movers, atMs, horizonSeconds);
  const answer = card && move.cut ? answerExpectedSeconds(card.war, move.rivalMerchantId) : null;
  const byClock = answer === null ? null : clockHoldSeconds(card?.war.clock, atMs);
  if (byClock !== null) return byClock / Math.max(1, seen);
  if (move.cut && answer === null && seen === 0) return horizonSeconds;
  if (!paceTells(move)) return horizonSeconds;
  const expected = move.cut
    ? (answer ?? moverSeconds) / Math.max(1, seen)
    : expectedHoldSeconds(card?.pace ?? UNKNOWN_PACE, atMs, horizonSeconds);
  const movedNow = card?.pace?.lastMoveAtMs === atMs && previousReadAtMs !== null;
  return movedNow ? Math.max(0, expected - Math.max(0, atMs - previousReadAtMs) / 2000) : expected;
}

/**
 * Whether anything is known of how long a change to the card stands: the card's pace (once its cheapest
 * rival was seen to move twice) where it tells (`paceTells`), or how soon the rival it prices against
 * answers our cuts.
 */
export function holdIsKnown(card: CardKnowledge | undefined, move: CardMove): boolean {
  if (!card) return false;
  const paceKnown = (card.pace?.gapSeconds ?? null) !== null && paceTells(move);
  return paceKnown || answerExpectedSeconds(card.war, move.rivalMerchantId) !== null;
}

/**
 * How long a push is expected to stand: until the first of its cards moves again (`cardHoldSeconds`);
 * and whether that is known for every one of them (`holdIsKnown`).
 */
export function pushHold(
  changes: readonly (PlaceMove & { cityId: string; rival: { merchantId: string } | null })[],
  cards: Readonly<Record<string, CardKnowledge>>,
  atMs: number,
  horizonSeconds: number,
  previousReadAtMs: number | null,
  moverSeconds: number = horizonSeconds,
): { holdSeconds: number; holdKnown: boolean } {
  const moveOf = (c: (typeof changes)[number]): CardMove => ({
    rivalMerchantId: c.rival?.merchantId ?? null,
    cut: lowersPrice(c) && winsPlace(c),
    leaderMerchantId: c.leader?.merchantId ?? null,
  });
  return {
    holdSeconds: Math.min(
      ...changes.map((c) =>
        cardHoldSeconds(cards[c.cityId], moveOf(c), atMs, horizonSeconds, previousReadAtMs, moverSeconds),
      ),
    ),
    holdKnown: changes.every((c) => holdIsKnown(cards[c.cityId], moveOf(c))),
  };
}

/** Changes expected to stand at least this share of the budget window are lasting; the rest are short-lived. */
const LASTING_SHARE = 1 / 4;

export function isLasting(holdSeconds: number, budget: ChangeBudget): boolean {
  return holdSeconds >= budget.windowSeconds * LASTING_SHARE;
}

/**
 * How a change may spend the budget. A lasting one from all of it. A short-lived one at the even pace
 * once half is spent. A short-lived one that wins no better place on any card (a raise
 * after a rival went up or away, a correction) buys only margin, and only until the card moves again —
 * when a rival that stepped away comes back under it, the change costs first place and a second change
 * to take it back — so it waits while more than half the budget is spent (and a raise, in the check
 * that records it, while a cut waits to be pushed). So does one that wins no
 * place where its hold is not known (`holdKnown` false): a card not seen to move may hold a rival whose
 * offer blinks in and out between our reads, back under the raise as soon as it is made.
 */
export type SpendKind = 'lasting' | 'short_lived' | 'margin_only';

export function spendKind(
  change: { holdSeconds: number; holdKnown: boolean; changes: readonly PlaceMove[] },
  budget: ChangeBudget,
): SpendKind {
  const winsSomewhere = change.changes.some(winsPlace);
  if (isLasting(change.holdSeconds, budget) && (winsSomewhere || change.holdKnown)) return 'lasting';
  return winsSomewhere ? 'short_lived' : 'margin_only';
}

/** Short-lived changes spread evenly over the window once half the budget is spent: this many slices of it. */
const PACE_SLICES = 10;
/**
 * The even pace is held over this many of the latest slices, not over the last one alone: a burst of
 * rival moves after a quiet spell is answered at once, while over those slices together the pace is
 * no faster than before.
 */
const PACE_LOOKBACK_SLICES = 3;

export interface SpendAllowance {
  /** Changes that may go now, of any kind. */
  any: number;
  /** Of those, short-lived ones. */
  shortLived: number;
  /** Of those, ones that buy only margin. */
  marginOnly: number;
}

/**
 * How many changes may go now, from the times of the changes sent (or still waiting to be) within the
 * window. Lasting changes may spend whatever the budget has left. Short-lived ones, once half the budget
 * is spent, go no faster than an even pace over the window, so the budget is not all spent in the first
 * minutes of a bot war, leaving the rest of the window unable to answer anything; those that buy only
 * margin then wait. No share is set aside for lasting changes: one left idle while none come costs more
 * first place than a lasting change loses waiting for the next slot the pace frees, where it ranks by
 * its worth, its long hold counted (`prioritiseChanges`).
 */
export function spendAllowance(changeTimesMs: readonly number[], nowMs: number, budget: ChangeBudget): SpendAllowance {
  const windowMs = budget.windowSeconds * 1000;
  const inWindow = changeTimesMs.filter((t) => t > nowMs - windowMs);
  const any = Math.max(0, budget.limit - inWindow.length);
  let shortLived = any;
  const binding = paceBinds({ any }, budget);
  if (binding) {
    const lookbackMs = (windowMs * PACE_LOOKBACK_SLICES) / PACE_SLICES;
    const perLookback = Math.ceil((budget.limit * PACE_LOOKBACK_SLICES) / PACE_SLICES);
    const recent = inWindow.filter((t) => t > nowMs - lookbackMs).length;
    shortLived = Math.min(shortLived, Math.max(0, perLookback - recent));
  }
  return { any, shortLived, marginOnly: binding ? 0 : shortLived };
}

/**
 * While the pace binds, each slot it frees goes to one change, and a cut that falls within a second
 * buys next to nothing with it: the slot is better left to one that stands. So a short-lived change
 * must be expected to stand at least this share of the median hold of the short-lived changes sent
 * within the pace's lookback (`pacedHoldFloorSeconds`). One that falls short waits for its product's
 * next check — on a card whose rival acts on a clock, just after its next act, when a cut stands a
 * whole period. Half the median, not the median: the floor follows what the market offers and never
 * climbs past what most changes still reach.
 */
const PACED_HOLD_SHARE = 1 / 2;
/** Fewer short-lived changes than this within the lookback tell too little of what a slot buys: no floor. */
const PACED_HOLD_SAMPLES = 10;

/** A change the budget counts: when it was sent, and how long it was expected to stand (null when not recorded). */
export interface SentChange {
  atMs: number;
  holdSeconds: number | null;
}

/** The least hold a short-lived change must be expected to reach while the pace binds; 0 when too few were sent to tell. */
export function pacedHoldFloorSeconds(sent: readonly SentChange[], nowMs: number, budget: ChangeBudget): number {
  const lookbackMs = (budget.windowSeconds * 1000 * PACE_LOOKBACK_SLICES) / PACE_SLICES;
  const holds = sent
    .filter((c) => c.atMs > nowMs - lookbackMs && c.holdSeconds !== null && !isLasting(c.holdSeconds, budget))
    .map((c) => c.holdSeconds!)
    .sort((a, b) => a - b);
  if (holds.length < PACED_HOLD_SAMPLES) return 0;
  const mid = holds.length / 2;
  const median = holds.length % 2 ? holds[Math.floor(mid)]! : (holds[mid - 1]! + holds[mid]!) / 2;
  return median * PACED_HOLD_SHARE;
}

/** Whether short-lived changes keep the even pace now: once half the budget is spent. */
export function paceBinds(allowance: Pick<SpendAllowance, 'any'>, budget: ChangeBudget): boolean {
  return allowance.any < budget.limit / 2;
}

/** The even pace's interval between two changes, once it binds. */
export function paceIntervalMs(budget: ChangeBudget): number {
  return (budget.windowSeconds * 1000) / budget.limit;
}

/** Takes one change from the allowance when it has room for its kind; the allowance left, or null when it has none. */
export function spend(allowance: SpendAllowance, kind: SpendKind): SpendAllowance | null {
  const room =
    kind === 'lasting' ? allowance.any : kind === 'short_lived' ? allowance.shortLived : allowance.marginOnly;
  if (allowance.any <= 0 || room <= 0) return null;
  const shortLived = kind === 'lasting' ? allowance.shortLived : allowance.shortLived - 1;
  const marginOnly = Math.min(shortLived, kind === 'margin_only' ? allowance.marginOnly - 1 : allowance.marginOnly);
  return { any: allowance.any - 1, shortLived, marginOnly };
}
