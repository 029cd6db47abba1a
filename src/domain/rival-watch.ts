/**
 * What the demper learns of the rivals that fight it on a card, beyond the cheapest one's pace: which
 * of them lower their own prices (the bots that undercut), and when a bot that answers our cuts acts.
 * A bot looks at the card on a clock of its own and answers a cut at its first look after it; a cut
 * made just after a look stands a whole period. So a cut is watched — its card read every few seconds
 * — until the answer comes, which times the bot's act (`RivalClock`, kept in the price war's state),
 * and a card whose bot's clock is known is read just after its next act, when a cut stands longest.
 */

import type { CardPace } from './change-value';
import type { PriceWarState, RivalClock } from './price-war';

/** What a card's state holds of its rivals (`CityPricingState`, as the change budget reads it). */
export interface CardKnowledge {
  pace?: CardPace;
  war: PriceWarState;
  movers?: Movers;
}

/** Rivals seen lowering their own price lately, by merchant id: when each last did (`observeMovers`). */
export type Movers = Record<string, number>;

/**
 * The rivals a card remembers at most, their prices (`CityPricingState.prices`: its cheapest) and its
 * movers (the latest): the cheapest rivals are the ones that fight for first place.
 */
export const RIVALS_KEPT = 8;

/**
 * After a read of the card: each rival whose price is lower than at the last read is a mover. A rival
 * that enters or leaves, or goes up, is not: only a bot undercutting someone lowers its own price.
 */
export function observeMovers(
  movers: Movers,
  before: Readonly<Record<string, number>>,
  rivals: readonly { merchantId: string; priceTenge: number }[],
  atMs: number,
): Movers {
  const next = { ...movers };
  for (const r of rivals) {
    const was = before[r.merchantId];
    if (was !== undefined && r.priceTenge < was) next[r.merchantId] = atMs;
  }
  return Object.fromEntries(
    Object.entries(next)
      .sort(([, a], [, b]) => b - a)
      .slice(0, RIVALS_KEPT),
  );
}

/** How many rivals lowered their price within the last `horizonSeconds`. */
export function moverCount(movers: Movers | undefined, atMs: number, horizonSeconds: number): number {
  return Object.values(movers ?? {}).filter((t) => atMs - t <= horizonSeconds * 1000).length;
}

/** A phase is trusted this many periods after the act it was timed from; later, a cut falls anywhere in a period. */
const PHASE_PERIODS = 3;

/**
 * How long a cut made at `atMs` stands by the rival's clock: until its next act while the phase is
 * trusted, else half a period; null until its period is known.
 */
export function clockHoldSeconds(clock: RivalClock | undefined, atMs: number): number | null {
  const phase = clockPhase(clock, atMs);
  if (phase === null) return null;
  if (!phase.trusted) return phase.period / 2;
  return phase.period - (phase.since % phase.period);
}

/** The clock's period and the seconds since its timed act, and whether its phase is still trusted; null until its period is known. */
function clockPhase(
  clock: RivalClock | undefined,
  atMs: number,
): { period: number; since: number; trusted: boolean } | null {
  const period = clock?.periodSeconds ?? null;
  if (!clock || period === null || period <= 0) return null;
  const since = Math.max(0, (atMs - clock.actedAtMs) / 1000);
  return { period, since, trusted: since <= PHASE_PERIODS * period };
}

/**
 * When the rival at war with us next acts by its clock, while its phase is trusted and it fights alone
 * on the card and no cut of ours waits for its answer; null otherwise. A cut made just after is the one
 * that stands longest.
 */
export function nextActAtMs(card: CardKnowledge, atMs: number, horizonSeconds: number): number | null {
  const { clock, pendingCut, rounds } = card.war;
  const phase = clockPhase(clock, atMs);
  if (!clock || phase === null || !phase.trusted || pendingCut !== null || rounds === 0) return null;
  if (moverCount(card.movers, atMs, horizonSeconds) > 1) return null;
  return clock.actedAtMs + (Math.floor(phase.since / phase.period) + 1) * phase.period * 1000;
}

/**
 * Whether a cut on the card waits for its rival's answer closely enough to be read at short intervals:
 * a cut under a rival that has answered our cuts before (one that never did, a merchant pricing by hand,
 * is not worth the reads), made within `spanSeconds` (or twice the rival's period, once known), on a
 * card where one rival at most lowers its price.
 */
export function awaitsAnswer(card: CardKnowledge, atMs: number, spanSeconds: number, horizonSeconds: number): boolean {
  const { pendingCut: cut, rounds, rivalMerchantId, clock } = card.war;
  if (cut === null || rounds === 0 || rivalMerchantId !== cut.rivalMerchantId) return false;
  if (moverCount(card.movers, atMs, horizonSeconds) > 1) return false;
  const period = clock?.periodSeconds ?? null;
  return atMs - cut.atMs < (period === null ? spanSeconds : 2 * period) * 1000;
}

/**
 * How soon to read a product again for its rivals' sake: while a cut of ours on one of its cards waits
 * for an answer (`awaitsAnswer`, for `spanSeconds` or two of the rival's periods), `watchSeconds` from
 * now; else just after the next act of a rival whose clock is known (`nextActAtMs`), half of
 * `watchSeconds` after it; null when neither.
 */
export function watchDelaySeconds(
  cards: Iterable<CardKnowledge>,
  atMs: number,
  options: { watchSeconds: number; spanSeconds: number; horizonSeconds: number },
): number | null {
  const known = [...cards];
  if (known.some((card) => awaitsAnswer(card, atMs, options.spanSeconds, options.horizonSeconds)))
    return options.watchSeconds;
  const acts = known
    .map((card) => nextActAtMs(card, atMs, options.horizonSeconds))
    .filter((at): at is number => at !== null);
  return acts.length ? (Math.min(...acts) - atMs) / 1000 + options.watchSeconds / 2 : null;
}
