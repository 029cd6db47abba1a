/**
 * Price-war detection for one product in one city. A price war is a rival that answers each of our
 * cuts by going under us again: followed a tenge at a time, both prices spiral down to the floor.
 * The state is small and plain JSON, kept per city in `products.pricing_state`.
 *
 * The loop feeds it two kinds of facts:
 * - `recordOurMove` after a push: a cut that put us under a rival starts waiting for an answer;
 * - `observeRivalMove` after every read of the card: the rival we cut under is under us again
 *   (one more round), or let us be for `answerWindowSeconds` (the war is over), or retreated.
 * `decidePrice` consults `priceWarGuardTenge` and stops following that rival below the guard, and the
 * change budget weighs a cut under that rival by how soon it answers (`answerExpectedSeconds`).
 */

import { minusPercentRoundedUp } from './money';
import type { ProductSettings } from './product-settings';
import type { Rival } from './rivals';

export interface PriceWarState {
  /** The rival answering our cuts, and how many of our cuts in a row it has answered. */
  rivalMerchantId: string | null;
  rounds: number;
  /** Our price before the first answered cut: the guard percent counts down from it. */
  startPriceTenge: number | null;
  lastRoundAtMs: number | null;
  /**
   * How soon the rival answers our cuts, in seconds: a running mean over the war's rounds, timed from our
   * push to the read that found the answer (so never shorter than the rival really took). Absent until a
   * round was seen, and in states kept before it was learned.
   */
  answerSeconds?: number;
  /** Our latest cut, waiting for the rival's answer. */
  pendingCut: PendingCut | null;
  /** The rival's clock, once an answer of it fell between two close reads; absent until then. */
  clock?: RivalClock;
}

/**
 * When a rival's bot last acted and how often it acts. A bot looks at the card on a clock of its own
 * and answers our cut at its first look after it: so a cut made just after a look stands a whole
 * period, one made just before it hardly at all.
 */
export interface RivalClock {
  actedAtMs: number;
  /** Null until two of its acts were timed. */
  periodSeconds: number | null;
}

export interface PendingCut {
  rivalMerchantId: string;
  fromPriceTenge: number;
  toPriceTenge: number;
  atMs: number;
  /** The latest read that found the cut still standing; absent until one did. */
  stoodAtMs?: number;
}

export const PRICE_WAR_TIMING = {
  /** A rival that has not gone under our cut within this time accepted it. */
  answerWindowSeconds: 15 * 60,
  /** A war with no new round for this long is forgotten, and the demper tries again. */
  memorySeconds: 24 * 60 * 60,
};
export type PriceWarTiming = typeof PRICE_WAR_TIMING;

export const NO_PRICE_WAR: PriceWarState = {
  rivalMerchantId: null,
  rounds: 0,
  startPriceTenge: null,
  lastRoundAtMs: null,
  pendingCut: null,
};

export interface OurMove {
  at: Date;
  fromPriceTenge: number;
  toPriceTenge: number;
  /** The rival the new price sits just under (a decision's `rival`), if any. */
  rivalMerchantId: string | null;
}

/** After a push: a cut under a rival waits for its answer; any other move cancels a waiting one. */
export function recordOurMove(state: PriceWarState, move: OurMove): PriceWarState {
  const { rivalMerchantId, fromPriceTenge, toPriceTenge } = move;
  const isCut = toPriceTenge < fromPriceTenge && rivalMerchantId !== null;
  return {
    ...state,
    pendingCut: isCut ? { rivalMerchantId, fromPriceTenge, toPriceTenge, atMs: move.at.getTime() } : null,
  };
}

export interface RivalObservation {
  at: Date;
  /** Our live price on the card now. */
  ourPriceTenge: number;
  /** The normalised rivals just read. */
  rivals: readonly Rival[];
  /** An answer found by a read at most this long after one that found the cut standing times the rival's clock. */
  closeReadMs?: number;
}

/** After reading the card: count an answered cut, or end the war when the rival stopped fighting. */
export function observeRivalMove(
  state: PriceWarState,
  observation: RivalObservation,
  timing: PriceWarTiming = PRICE_WAR_TIMING,
): PriceWarState {
  const atMs = observation.at.getTime();
  const current =
    state.lastRoundAtMs !== null && atMs - state.lastRoundAtMs > timing.memorySeconds * 1000
      ? { ...NO_PRICE_WAR, pendingCut: state.pendingCut }
      : state;
  const priceOf = (merchantId: string | null) =>
    observation.rivals.find((r) => r.merchantId === merchantId)?.priceTenge;

  const cut = current.pendingCut;
  if (cut !== null) {
    const answer = priceOf(cut.rivalMerchantId);
    if (answer !== undefined && answer < cut.toPriceTenge) {
      const sameRival = current.rounds > 0 && current.rivalMerchantId === cut.rivalMerchantId;
      const tookSeconds = Math.max(0, (atMs - cut.atMs) / 1000);
      const known = sameRival ? current.answerSeconds : undefined;
      const stoodAtMs = cut.stoodAtMs ?? cut.atMs;
      const clock = sameRival ? current.clock : undefined;
      const timed = atMs - stoodAtMs <= (observation.closeReadMs ?? 0);
      return {
        rivalMerchantId: cut.rivalMerchantId,
        rounds: sameRival ? current.rounds + 1 : 1,
        startPriceTenge: sameRival ? current.startPriceTenge : cut.fromPriceTenge,
        lastRoundAtMs: atMs,
        answerSeconds: known === undefined ? tookSeconds : (known + tookSeconds) / 2,
        pendingCut: null,
        ...(timed ? { clock: timeClock(clock, (stoodAtMs + atMs) / 2) } : clock ? { clock } : {}),
      };
    }
    if (atMs - cut.atMs >= timing.answerWindowSeconds * 1000) return NO_PRICE_WAR;
    return { ...current, pendingCut: { ...cut, stoodAtMs: atMs } };
  }

  if (current.rounds > 0) {
    const rivalPrice = priceOf(current.rivalMerchantId);
    if (rivalPrice === undefined || rivalPrice > observation.ourPriceTenge) return NO_PRICE_WAR;
  }
  return current;
}

/**
 * The rival's clock after an act of it timed at `actedAtMs`. Two acts are a whole number of periods
 * apart (the bot acts only when it has something to answer), so the period is at most the shortest gap
 * seen: one cut made within a period of the last act shows the period itself.
 */
export function timeClock(clock: RivalClock | undefined, actedAtMs: number): RivalClock {
  if (!clock) return { actedAtMs, periodSeconds: null };
  if (actedAtMs <= clock.actedAtMs) return clock;
  const gap = (actedAtMs - clock.actedAtMs) / 1000;
  return { actedAtMs, periodSeconds: Math.min(gap, clock.periodSeconds ?? gap) };
}

/**
 * How long a cut under `rivalMerchantId` is expected to stand before that rival answers it, when the rival
 * has been answering our cuts (one round is enough: this weighs the change, it does not stop it); null
 * when it has not.
 */
export function answerExpectedSeconds(state: PriceWarState, rivalMerchantId: string | null): number | null {
  if (state.rounds === 0 || rivalMerchantId === null || state.rivalMerchantId !== rivalMerchantId) return null;
  return state.answerSeconds ?? null;
}

/** The merchant id of the rival we are at war with, once it answered enough cuts in a row. */
export function priceWarRival(state: PriceWarState, settings: Pick<ProductSettings, 'priceWarRounds'>): string | null {
  return state.rounds >= settings.priceWarRounds ? state.rivalMerchantId : null;
}

/**
 * The lowest price the demper follows the war rival to: the higher of `priceWarGuardPrice` and
 * the war's starting price less `priceWarGuardPercent`; null when no war is on.
 */
export function priceWarGuardTenge(
  state: PriceWarState,
  settings: Pick<ProductSettings, 'priceWarRounds' | 'priceWarGuardPrice' | 'priceWarGuardPercent'>,
): number | null {
  if (priceWarRival(state, settings) === null || state.startPriceTenge === null) return null;
  const byPercent = minusPercentRoundedUp(state.startPriceTenge, settings.priceWarGuardPercent);
  return Math.max(byPercent, settings.priceWarGuardPrice ?? 0);
}
