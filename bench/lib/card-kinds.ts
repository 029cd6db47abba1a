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
}

/** Each move of ours that took first place back on the card within the span, and how long it held it. */
function regainHolds(events: PriceEvent[], ourMerchantUid: string, fromMs: number, toMs: number): number[] {
  let ours: number | null = null;
  const rivals = new Map<string, number>();
  const isFirst = () => ours !== null && [...rivals.values()].every((p) => ours! < p);
  const holds: number[] = [];
  let regainedAt: number | null = null;
  for (const e of events) {
    if (e.atMs > toMs) break;
    const before = isFirst();
    if (e.merchantUid === ourMerchantUid) ours = e.price;
    else if (e.price === null) rivals.delete(e.merchantUid);
    else rivals.set(e.merchantUid, e.price);
    const after = isFirst();
    if (e.atMs < fromMs) continue;
    if (!before && after && e.merchantUid === ourMerchantUid) regainedAt = e.atMs;
    if (before && !after && regainedAt !== null) {
      holds.push(e.atMs - regainedAt);
      regainedAt = null;
    }
  }
  if (regainedAt !== null) holds.push(toMs - regainedAt);
  return holds;
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
    const holds: number[] = [];
    for (const [, events] of ofKind) {
      holds.push(...regainHolds(events, options.ourMerchantUid, options.fromMs, options.toMs));
      let ours: number | null = null;
      for (const e of events) {
        if (e.merchantUid !== options.ourMerchantUid) continue;
        if (e.atMs >= options.fromMs && e.atMs < options.toMs && ours !== null && e.price !== null) {
          if (e.price < ours) lowered++;
          if (e.price > ours) raised++;
        }
        ours = e.price;
      }
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
    const regainHoldMs = holds.length ? holds.reduce((a, b) => a + b, 0) / holds.length : null;
    return { kind, cards: ofKind.length, lowered, raised, regains: holds.length, regainHoldMs, ...figures };
  });
}
