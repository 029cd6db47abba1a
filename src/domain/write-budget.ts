/**
 * Kaspi's limits on price writes, per merchant account (KASPI_API.md §3): about 2 pushes a second
 * are safe and 3 bring a 30-minute ban, and stores budget about 250 changes per rolling 30 minutes.
 * The store's demper is the merchant's only writer, so it owns both budgets; these functions keep
 * them as plain state the workflow carries.
 */

import type { PriceDecision } from './pricing';
import { compareIds } from './rivals';

export interface WritePace {
  pushesPerSecond: number;
  /** Pushes that may go back to back after a quiet spell. */
  burst: number;
}

export const DEFAULT_WRITE_PACE: WritePace = { pushesPerSecond: 1.5, burst: 1 };

/**
 * A token bucket holding up to `burst` pushes and refilling at `pushesPerSecond`, kept as the one
 * instant at which it will be full again. The refill interval is rounded up to a whole millisecond,
 * so the pace never exceeds the rate and the arithmetic stays exact.
 */
export interface WriteBucket {
  fullAtMs: number;
}

export const FULL_WRITE_BUCKET: WriteBucket = { fullAtMs: 0 };

export interface WriteTokenResult {
  granted: boolean;
  bucket: WriteBucket;
  /** When the next push may go (after this one, if granted). */
  nextAllowedAt: Date;
}

export function takeWriteToken(bucket: WriteBucket, now: Date, pace: WritePace = DEFAULT_WRITE_PACE): WriteTokenResult {
  const intervalMs = refillIntervalMs(pace);
  const slackMs = (pace.burst - 1) * intervalMs;
  const nowMs = now.getTime();
  const fullAtMs = Math.max(bucket.fullAtMs, nowMs);
  if (fullAtMs - nowMs > slackMs) {
    return { granted: false, bucket, nextAllowedAt: new Date(fullAtMs - slackMs) };
  }
  const next = { fullAtMs: fullAtMs + intervalMs };
  return { granted: true, bucket: next, nextAllowedAt: new Date(Math.max(nowMs, next.fullAtMs - slackMs)) };
}

export function refillIntervalMs(pace: WritePace): number {
  if (!(pace.pushesPerSecond > 0) || !Number.isInteger(pace.burst) || pace.burst < 1) {
    throw new RangeError('write pace needs pushesPerSecond > 0 and a whole burst of at least 1');
  }
  return Math.ceil(1000 / pace.pushesPerSecond);
}

export interface ChangeBudget {
  limit: number;
  windowSeconds: number;
}

/** 240 rather than Kaspi's reported 250: room for the merchant's own edits in the cabinet. */
export const DEFAULT_CHANGE_BUDGET: ChangeBudget = { limit: 240, windowSeconds: 30 * 60 };

export interface ChangeBudgetStatus {
  remaining: number;
  /** When a change may next be made: now while some remain, else when the oldest counted one expires. */
  nextFreeAt: Date;
  /** The changes still inside the window, oldest first: the state to keep. */
  recentMs: number[];
}

/**
 * The rolling change budget from the times of past changes (one push counts once, however many
 * cities it carries). A change at t counts until t + window.
 */
export function changeBudgetStatus(
  changeTimesMs: readonly number[],
  now: Date,
  budget: ChangeBudget = DEFAULT_CHANGE_BUDGET,
): ChangeBudgetStatus {
  const windowMs = budget.windowSeconds * 1000;
  const nowMs = now.getTime();
  const recentMs = changeTimesMs.filter((t) => t > nowMs - windowMs).sort((a, b) => a - b);
  const remaining = Math.max(0, budget.limit - recentMs.length);
  const blocking = recentMs[recentMs.length - budget.limit];
  return {
    remaining,
    nextFreeAt: new Date(remaining > 0 || blocking === undefined ? nowMs : blocking + windowMs),
    recentMs,
  };
}

/** What a city's decision says about the place it moves the offer to. */
export type PlaceMove = Pick<
  PriceDecision,
  'livePriceTenge' | 'targetPriceTenge' | 'positionBefore' | 'positionAfter' | 'leader'
>;

/**
 * The change leaves a tie with the cheapest rival for a price under it. A tie shares first place by
 * `positionAt`'s count, but the storefront orders equal prices by rules of its own: the buyer may see
 * the rival first, so breaking the tie wins first place.
 */
function breaksTieForFirst(c: PlaceMove): boolean {
  const { leader } = c;
  return leader !== null && c.livePriceTenge === leader.priceTenge && c.targetPriceTenge < leader.priceTenge;
}

/** The change takes first place: from behind a rival, or out of a tie with the cheapest one. */
export function takesFirstPlace(c: PlaceMove): boolean {
  return c.positionAfter === 1 && (c.positionBefore > 1 || breaksTieForFirst(c));
}

/** The change wins a better place: fewer rivals ahead, or first place alone where it was shared. */
export function winsPlace(c: PlaceMove): boolean {
  return c.positionAfter < c.positionBefore || takesFirstPlace(c);
}

/** The change lowers the card's price. */
export function lowersPrice(c: Pick<PlaceMove, 'livePriceTenge' | 'targetPriceTenge'>): boolean {
  return c.targetPriceTenge < c.livePriceTenge;
}

/** A product's pending push, as the activity that decided it sees it. */
export interface ChangeCandidate {
  productId: string;
  /** The per-city decisions that change a price (a push plan's `changes`). */
  changes: readonly PlaceMove[];
  /** What one sale of the product weighs, e.g. units sold in the last 30 days; 1 when unknown. */
  salesWeight?: number;
  /** How long the change is expected to stand (`change-value.ts`); unknown, it weighs as lasting longer than any known one. */
  holdSeconds?: number;
}

export interface ChangePriority {
  takesFirstPlace: boolean;
  improvesPosition: boolean;
  atStakeTenge: number;
}

/**
 * Money at stake in a change, summed over its cities and multiplied by the product's sales weight:
 * in a city where it takes first place, the sale it wins (the new price); elsewhere, the money per
 * sale it moves (the price gap).
 */
export function changePriority(candidate: ChangeCandidate): ChangePriority {
  let atStake = 0;
  let takesFirstPlaceAnywhere = false;
  let improvesPosition = false;
  for (const c of candidate.changes) {
    const takesFirst = takesFirstPlace(c);
    takesFirstPlaceAnywhere ||= takesFirst;
    improvesPosition ||= winsPlace(c);
    atStake += takesFirst ? c.targetPriceTenge : Math.abs(c.targetPriceTenge - c.livePriceTenge);
  }
  return {
    takesFirstPlace: takesFirstPlaceAnywhere,
    improvesPosition,
    atStakeTenge: atStake * (candidate.salesWeight ?? 1),
  };
}

/** Longer than any budget window, so a change of unknown hold ranks as a lasting one. */
const UNKNOWN_HOLD_SECONDS = 1e9;

/**
 * Which pushes go now when the budget binds: those that take first place, then those that improve
 * a position, then the rest (raises, corrections); within each, the most money at stake times how
 * long the change is expected to stand first; then product id, so the order is the same on every replay.
 */
export function prioritiseChanges<T extends ChangeCandidate>(
  candidates: readonly T[],
  budget: { remaining: number },
): { selected: T[]; deferred: T[] } {
  const tier = (p: ChangePriority) => (p.takesFirstPlace ? 0 : p.improvesPosition ? 1 : 2);
  const worth = (r: { candidate: T; priority: ChangePriority }) =>
    r.priority.atStakeTenge * (r.candidate.holdSeconds ?? UNKNOWN_HOLD_SECONDS);
  const ranked = candidates
    .map((candidate) => ({ candidate, priority: changePriority(candidate) }))
    .sort(
      (a, b) =>
        tier(a.priority) - tier(b.priority) ||
        worth(b) - worth(a) ||
        compareIds(a.candidate.productId, b.candidate.productId),
    )
    .map((r) => r.candidate);
  const take = Math.max(0, Math.floor(budget.remaining));
  return { selected: ranked.slice(0, take), deferred: ranked.slice(take) };
}
