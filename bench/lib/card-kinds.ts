import type { Bot, PriceEvent } from '../../sandbox/market';
import { cardFigures, combine, type DemperFigures } from './metrics';

/**
 * A card by the most contesting of its rivals' bots: any `undercut` bot fights for first place; an
 * `enter_leave` one takes it back each time it returns below us; `raise` and `static` ones never take it.
 */
export const CARD_KINDS = ['undercut', 'enter_leave', 'raise', 'static'] as const;
export type CardKind = (typeof CARD_KINDS)[number];

export function cardKinds(bots: readonly Bot[], productOf: (bot: Bot) => string | undefined) {
  const kinds = new Map<string, CardKind>();
  for (const bot of bots) {
    const productId = productOf(bot);
    if (productId === undefined) continue;
    const current = kinds.get(productId);
    if (current === undefined || CARD_KINDS.indexOf(bot.kind) < CARD_KINDS.indexOf(current))
      kinds.set(productId, bot.kind);
  }
  return kinds;
}

export interface KindFigures extends DemperFigures {
  kind: CardKind;
  cards: number;
  /** Our own price moves on these cards (one per city card) inside the span, down and up. */
  lowered: number;
  raised: number;
  /** Our moves that took first place back, and how long each held it on average (until lost, or the span's end). */
  regains: number;
  regainHoldMs: number | null;
  /** The same regains by how long after the loss they came (`REGAIN_DELAY_BOUNDS_MS`). */
  regainsByDelay: RegainSpan[];
  /** Our moves down that took no first place. */
  missed: number;
}

/**
 * Bounds of the spans a regain is sorted into by how long after the loss it came: a rival bot moves
 * again on its own clock, so an answer made soon after its move stands longer than one made late.
 */
export const REGAIN_DELAY_BOUNDS_MS = [2_000, 8_000, 30_000] as const;

export interface RegainSpan {
  regains: number;
  /** How long those regains held first place on average; null when there were none. */
  holdMs: number | null;
}

interface CardMoves {
  /** Our price moves down and up within the span (a move at its very end not counted). */
  lowered: number;
  raised: number;
  /** Each move of ours that took first place back within the span: how long after the loss, and how long it held. */
  regains: { afterLossMs: number; holdMs: number }[];
  /** Our moves down within the span that left us short of first place: a rival had moved under the new price first, or stood where our floor could not follow. */
  missed: number;
}

/** Our moves on one card within the span, from its ground truth, in one pass over its events. */
function cardMoves(events: PriceEvent[], ourMerchantUid: string, fromMs: number, toMs: number): CardMoves {
  let ours: number | null = null;
  const rivals = new Map<string, number>();
  const isFirst = () => ours !== null && [...rivals.values()].every((p) => ours! < p);
  const moves: CardMoves = { lowered: 0, raised: 0, regains: [], missed: 0 };
  // Behind since the record began, until a loss says otherwise.
  let lostAtMs = events[0]?.atMs ?? fromMs;
  let regained: { atMs: number; afterLossMs: number } | null = null;
  for (const e of events) {
    if (e.atMs > toMs) break;
    const before = isFirst();
    const ourBefore = ours;
    if (e.merchantUid === ourMerchantUid) ours = e.price;
    else if (e.price === null) rivals.delete(e.merchantUid);
    else rivals.set(e.merchantUid, e.price);
    const after = isFirst();
    if (before && !after) lostAtMs = e.atMs;
    if (e.atMs < fromMs) continue;
    // How far our price moved with this event: 0 for a rival's, or where ours was or is off the card.
    const ourStep = e.merchantUid === ourMerchantUid && ourBefore !== null && ours !== null ? ours - ourBefore : 0;
    if (e.atMs < toMs && ourStep < 0) moves.lowered++;
    if (e.atMs < toMs && ourStep > 0) moves.raised++;
    if (ourStep < 0 && !after) moves.missed++;
    if (!before && after && e.merchantUid === ourMerchantUid)
      regained = { atMs: e.atMs, afterLossMs: e.atMs - lostAtMs };
    if (before && !after && regained !== null) {
      moves.regains.push({ afterLossMs: regained.afterLossMs, holdMs: e.atMs - regained.atMs });
      regained = null;
    }
  }
  if (regained !== null) moves.regains.push({ afterLossMs: regained.afterLossMs, holdMs: toMs - regained.atMs });
  return moves;
}

const meanOf = (values: readonly number[]) =>
  values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;

/** Regains sorted by how long after the loss they came (`REGAIN_DELAY_BOUNDS_MS`), one span more than the bounds. */
export function regainsByDelay(regains: readonly { afterLossMs: number; holdMs: number }[]): RegainSpan[] {
  const lows = [0, ...REGAIN_DELAY_BOUNDS_MS];
  return lows.map((low, i) => {
    const high = REGAIN_DELAY_BOUNDS_MS[i] ?? Number.POSITIVE_INFINITY;
    const holds = regains.filter((r) => r.afterLossMs >= low && r.afterLossMs < high).map((r) => r.holdMs);
    return { regains: holds.length, holdMs: meanOf(holds) };
  });
}

/** First share and our moves per card kind: where a contender's budget went and what it bought. */
export function figuresByKind(
  cards: Map<string, PriceEvent[]>,
  kinds: Map<string, CardKind>,
  options: {
    ourMerchantUid: string;
    bounds: (productId: string) => { floorTenge: number; ceilingTenge: number };
    fromMs: number;
    toMs: number;
  },
): KindFigures[] {
  return CARD_KINDS.map((kind) => {
    const ofKind = [...cards].filter(([key]) => kinds.get(key.split(':')[0]!) === kind);
    let lowered = 0;
    let raised = 0;
    const regains: CardMoves['regains'] = [];
    let missed = 0;
    for (const [, events] of ofKind) {
      const moves = cardMoves(events, options.ourMerchantUid, options.fromMs, options.toMs);
      lowered += moves.lowered;
      raised += moves.raised;
      regains.push(...moves.regains);
      missed += moves.missed;
    }
    const figures = combine(
      ofKind.map(([key, events]) =>
        cardFigures(events, {
          ourMerchantUid: options.ourMerchantUid,
          ...options.bounds(key.split(':')[0]!),
          fromMs: options.fromMs,
          toMs: options.toMs,
        }),
      ),
    );
    return {
      kind,
      cards: ofKind.length,
      lowered,
      raised,
      regains: regains.length,
      regainHoldMs: meanOf(regains.map((r) => r.holdMs)),
      regainsByDelay: regainsByDelay(regains),
      missed,
      ...figures,
    };
  });
}
