import type { PriceEvent } from '../../sandbox/market';

/**
 * How good a demper was, computed from a market's ground truth (every visible price change of every
 * offer). Pure: the timeline in, figures out.
 *
 * Definitions (per product card in one city, over the measured window):
 * - *first possible*: a moment when being strictly cheapest was allowed by our floor — there is no rival,
 *   or the highest whole-tenge price under the cheapest rival is at or above the floor;
 * - *first*: our offer is shown and strictly cheaper than every rival (ties do not count);
 * - *first share*: time first ÷ time first possible; *by money*, each card's time weighed by its
 *   product's price (`weight`), as a merchant counts it: first place on a dear product wins more;
 * - *margin kept*: while first with a rival present, our price ÷ the highest price that would still have
 *   been first (the whole tenge just under the cheapest rival, capped by our ceiling), time-weighted;
 *   1.0 means not a tenge given away;
 * - *reaction*: from the moment a rival's move takes first place from us (while first was possible) to the
 *   moment we hold it again; moves we never answered before the window closed count as unanswered.
 */
export interface CardFigures {
  /** What the card's time weighs in the share by money: its product's price scale. */
  weight: number;
  firstPossibleMs: number;
  firstMs: number;
  marginWeightedMs: number;
  marginMs: number;
  reactionsMs: number[];
  unanswered: number;
}

export interface DemperFigures {
  firstShare: number;
  firstShareByMoney: number;
  marginKept: number;
  reactionP50Ms: number | null;
  reactionP95Ms: number | null;
  reactions: number;
  unanswered: number;
}

interface CardState {
  ours: number | null;
  rivals: Map<string, number>;
}

/** Rivals may show fractional prices; ours are whole tenge. */
export function highestFirstPrice(rivalPrice: number): number {
  return Math.ceil(rivalPrice) - 1;
}

/**
 * The price a good demper holds on a card: the highest first price under the cheapest rival, within
 * the product's floor and ceiling; the ceiling when no rival is shown.
 */
export function targetPrice(
  cheapestRival: number | undefined,
  bounds: { floorTenge: number; ceilingTenge: number },
): number {
  if (cheapestRival === undefined) return bounds.ceilingTenge;
  return Math.max(bounds.floorTenge, Math.min(bounds.ceilingTenge, highestFirstPrice(cheapestRival)));
}

function cheapest(rivals: Map<string, number>): number | undefined {
  let min: number | undefined;
  for (const price of rivals.values()) if (min === undefined || price < min) min = price;
  return min;
}

/**
 * Figures of one card. `events` are that card's events in time order, from the start of the market
 * (earlier events establish the state at `fromMs`).
 */
export function cardFigures(
  events: PriceEvent[],
  options: {
    ourMerchantUid: string;
    floorTenge: number;
    ceilingTenge?: number;
    fromMs: number;
    toMs: number;
    weight?: number;
  },
): CardFigures {
  const state: CardState = { ours: null, rivals: new Map() };
  const figures: CardFigures = {
    weight: options.weight ?? 1,
    firstPossibleMs: 0,
    firstMs: 0,
    marginWeightedMs: 0,
    marginMs: 0,
    reactionsMs: [],
    unanswered: 0,
  };
  let lostAt: number | undefined;

  const status = () => {
    const rival = cheapest(state.rivals);
    const possible = rival === undefined || highestFirstPrice(rival) >= options.floorTenge;
    const first = state.ours !== null && (rival === undefined || state.ours < rival);
    return { rival, possible, first };
  };
  const accrue = (fromMs: number, toMs: number) => {
    const start = Math.max(fromMs, options.fromMs);
    const end = Math.min(toMs, options.toMs);
    if (end <= start) return;
    const { rival, possible, first } = status();
    if (!possible) return;
    const span = end - start;
    figures.firstPossibleMs += span;
    if (!first) return;
    figures.firstMs += span;
    if (rival !== undefined && state.ours !== null) {
      figures.marginMs += span;
      const best = Math.min(highestFirstPrice(rival), options.ceilingTenge ?? Infinity);
      figures.marginWeightedMs += span * Math.min(1, state.ours / best);
    }
  };

  let clock = events[0]?.atMs ?? options.fromMs;
  for (const event of events) {
    if (event.atMs > options.toMs) break;
    accrue(clock, event.atMs);
    clock = Math.max(clock, event.atMs);
    const before = status();
    if (event.merchantUid === options.ourMerchantUid) state.ours = event.price;
    else if (event.price === null) state.rivals.delete(event.merchantUid);
    else state.rivals.set(event.merchantUid, event.price);
    const after = status();
    if (event.atMs < options.fromMs) continue;
    if (before.first && !after.first && after.possible && event.merchantUid !== options.ourMerchantUid)
      lostAt ??= event.atMs;
    if (after.first && lostAt !== undefined) {
      figures.reactionsMs.push(event.atMs - lostAt);
      lostAt = undefined;
    }
    if (!after.possible) lostAt = undefined;
  }
  accrue(clock, options.toMs);
  if (lostAt !== undefined) figures.unanswered++;
  return figures;
}

export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function combine(cards: CardFigures[]): DemperFigures {
  const sum = (pick: (c: CardFigures) => number) => cards.reduce((s, c) => s + pick(c), 0);
  const reactions = cards.flatMap((c) => c.reactionsMs).sort((a, b) => a - b);
  const possible = sum((c) => c.firstPossibleMs);
  const possibleByMoney = sum((c) => c.firstPossibleMs * c.weight);
  const marginMs = sum((c) => c.marginMs);
  return {
    firstShare: possible > 0 ? sum((c) => c.firstMs) / possible : 0,
    firstShareByMoney: possibleByMoney > 0 ? sum((c) => c.firstMs * c.weight) / possibleByMoney : 0,
    marginKept: marginMs > 0 ? sum((c) => c.marginWeightedMs) / marginMs : 0,
    reactionP50Ms: percentile(reactions, 50),
    reactionP95Ms: percentile(reactions, 95),
    reactions: reactions.length,
    unanswered: sum((c) => c.unanswered),
  };
}

/** Groups a market's timeline by card, keeping time order. */
export function byCard(events: PriceEvent[]): Map<string, PriceEvent[]> {
  const cards = new Map<string, PriceEvent[]>();
  for (const event of events) {
    const key = `${event.productId}:${event.cityId}`;
    const list = cards.get(key);
    if (list) list.push(event);
    else cards.set(key, [event]);
  }
  return cards;
}
