import type { CardPace } from './change-value';
import { type DropDay, lowestAllowedPriceTenge } from './drop-limits';
import { type PriceWarState, priceWarGuardTenge, priceWarRival } from './price-war';
import { assertValidSettings, floorTenge, type ProductSettings } from './product-settings';
import type { Movers } from './rival-watch';
import { type KaspiOffer, normaliseRivals, positionAt, type Rival } from './rivals';

/**
 * The demper's decision for one product in one city. Rules, in the order they apply:
 *
 * 1. Kill switch: the store's switch is on → keep the live price (`kill_switch`).
 * 2. Inactive: the product is switched off → keep the live price (`inactive`).
 * 3. Strategy: aim at a rival —
 *    `undercut` the cheapest rival − step, `stay_top_n` the N-th rival − step, `match` the cheapest
 *    rival's price. Already under the aimed rival by less than a step → keep the live price rather
 *    than give money away. The same aim raises the price when we are ahead by more than needed
 *    (auto-raise: just under the next rival).
 * 4. No rivals (for `stay_top_n`: fewer than N) → `noRivalsAction`: keep the price (`no_rivals_hold`)
 *    or go to the ceiling (`no_rivals_ceiling`), always within floor and ceiling.
 * 5. Floor: the aim is below the floor → the best place at or above the floor, at the highest price
 *    that keeps it: just under the cheapest rival still above the floor, else the floor itself
 *    (`floor_reached`).
 * 6. Price-war guard: the aimed rival has answered our cuts `priceWarRounds` times in a row → the
 *    guard price works as a higher floor against it (`price_war_hold`).
 * 7. Ceiling: never above `maxPrice` (`ceiling`).
 * 8. No floor: a product with neither `minPrice` nor `cost` is never lowered (`no_floor`).
 * 9. Drop limits: one push lowers at most `maxDropPercentPerChange`, a day at most
 *    `maxDropPercentPerDay` (`drop_limited`). Coming down to the merchant's own ceiling is exempt.
 * 10. Otherwise the reason says which way the price went: the strategy's name when down, `raise`
 *    when up, `already_best` when it stays.
 * 11. A rival that left the card lately (`departed`) may come back at its price, as an offer out of
 *    stock for a moment does: a raise stops under that price (for `match`, at it; `stay_top_n` does
 *    not aim at the cheapest and is left as it is), never below the live price or the floor. Raising
 *    past it would buy margin only until it came back, then cost first place and another change to
 *    take it back.
 *
 * Prices are whole tenge. A push is due only when `changed`.
 */

export const PRICE_REASONS = [
  'undercut',
  'stay_top_n',
  'match',
  'raise',
  'already_best',
  'floor_reached',
  'price_war_hold',
  'ceiling',
  'no_rivals_hold',
  'no_rivals_ceiling',
  'no_floor',
  'drop_limited',
  'kill_switch',
  'inactive',
] as const;
export type PriceReason = (typeof PRICE_REASONS)[number];

/** What pricing remembers per product and city between checks (`products.pricing_state[cityId]`). */
export interface CityPricingState {
  war: PriceWarState;
  day: DropDay | null;
  /** The cheapest rival at the last check: a change makes the product hot. */
  leader: Rival | null;
  /** How often the cheapest rival moves (`change-value.ts`); absent in state from before it was learned. */
  pace?: CardPace;
  /** The cheapest rival that left the card lately, while it may come back (`departedRival`); absent otherwise. */
  departed?: Departed;
  /** The cheapest rivals' prices at the last check, by merchant id; absent in state from before they were kept. */
  prices?: Record<string, number>;
  /** Rivals seen lowering their price, and when (`rival-watch.ts`); absent until one was. */
  movers?: Movers;
}

export interface Departed {
  rival: Rival;
  /** The read that found it gone. */
  atMs: number;
}

export interface PriceInput {
  cityId: string;
  ourMerchantId: string;
  /** Our price in this city now; a fractional price is floored like Kaspi's. */
  livePriceTenge: number;
  /** The card's offers for this city as Kaspi gives them, ours and duplicates included. */
  offers: readonly KaspiOffer[];
  settings: ProductSettings;
  /** Merchant ids of the owner's other stores: never rivals. */
  ownMerchantIds?: readonly string[];
  /** The store's kill switch. */
  killSwitch?: boolean;
  war?: PriceWarState;
  /** Our price when today's Almaty day began (see `rollDropDay`); the live price when absent. */
  dayStartPriceTenge?: number;
  /** A rival that left the card lately and may come back (rule 11). */
  departed?: Rival | null;
}

export interface PriceDecision {
  cityId: string;
  livePriceTenge: number;
  targetPriceTenge: number;
  /** The target differs from the live price: push it. */
  changed: boolean;
  reason: PriceReason;
  /** The rival whose price set the target (the one we now sit under or match), if any. */
  rival: Rival | null;
  /** The cheapest rival on the card. */
  leader: Rival | null;
  /** Our place on the card at the live price and at the target (1 + rivals strictly cheaper). */
  positionBefore: number;
  positionAfter: number;
  /** What the strategy alone asked for, before floor, guard, ceiling and safety limits. */
  wantedPriceTenge: number | null;
  floorTenge: number | null;
  ceilingTenge: number | null;
  /** The price-war guard in force against `rival`, if any. */
  guardTenge: number | null;
  rivalsCount: number;
}

export function decidePrice(input: PriceInput): PriceDecision {
  const { settings } = input;
  assertValidSettings(settings);
  const live = wholeTenge(input.livePriceTenge, 'livePriceTenge');
  const dayStart = wholeTenge(input.dayStartPriceTenge ?? live, 'dayStartPriceTenge');
  const rivals = normaliseRivals(
    input.offers,
    [input.ourMerchantId, ...(input.ownMerchantIds ?? []), ...settings.excludedMerchants],
    { merchantId: input.ourMerchantId, priceTenge: live },
  );
  const floor = floorTenge(settings);
  const ceiling = settings.maxPrice;

  const decision = (
    targetPriceTenge: number,
    reason: PriceReason,
    rival: Rival | null,
    wantedPriceTenge: number | null,
    guardTenge: number | null = null,
  ): PriceDecision => ({
    cityId: input.cityId,
    livePriceTenge: live,
    targetPriceTenge,
    changed: targetPriceTenge !== live,
    reason,
    rival,
    leader: rivals[0] ?? null,
    positionBefore: positionAt(live, rivals),
    positionAfter: positionAt(targetPriceTenge, rivals),
    wantedPriceTenge,
    floorTenge: floor,
    ceilingTenge: ceiling,
    guardTenge,
    rivalsCount: rivals.length,
  });

  // 1–2. Kill switch, inactive.
  if (input.killSwitch) return decision(live, 'kill_switch', null, null);
  if (!settings.active) return decision(live, 'inactive', null, null);

  // 3. Strategy.
  const aim = strategyAim(settings, rivals, live);
  // 11. A rival that left lately caps a raise.
  const underDeparted = (d: PriceDecision): PriceDecision => {
    const departed = input.departed;
    // Only a strategy that aims at the cheapest rival would be under it.
    if (!departed || settings.strategy === 'stay_top_n' || d.targetPriceTenge <= live) return d;
    const cap = settings.strategy === 'match' ? departed.priceTenge : departed.priceTenge - settings.step;
    const capped = Math.max(live, floor ?? 1, cap);
    if (capped >= d.targetPriceTenge) return d;
    return decision(capped, capped > live ? 'raise' : 'already_best', departed, d.wantedPriceTenge, d.guardTenge);
  };

  // 4. No rivals.
  if (aim === null) {
    if (settings.noRivalsAction === 'ceiling' && ceiling !== null) {
      return underDeparted(decision(ceiling, 'no_rivals_ceiling', null, ceiling));
    }
    return decision(withinBounds(live, floor, ceiling), 'no_rivals_hold', null, null);
  }

  let target = aim.priceTenge;
  let rival: Rival | null = aim.rival;
  let reason: PriceReason | null = null;

  // 5–6. Floor and price-war guard.
  const warRival = input.war ? priceWarRival(input.war, settings) : null;
  const guard = input.war && warRival === aim.rival.merchantId ? priceWarGuardTenge(input.war, settings) : null;
  const lowest = Math.max(floor ?? 1, guard ?? 1);
  if (target < lowest) {
    ({ priceTenge: target, rival } = bestPlaceAtOrAbove(lowest, rivals, settings));
    reason = guard !== null && guard > (floor ?? 0) ? 'price_war_hold' : 'floor_reached';
  }

  // 7. Ceiling.
  if (ceiling !== null && target > ceiling) {
    target = ceiling;
    reason ??= 'ceiling';
  }

  // 8. No floor.
  if (floor === null && target < live) {
    const aboveCeiling = ceiling !== null && live > ceiling;
    target = aboveCeiling ? ceiling : live;
    reason = aboveCeiling ? 'ceiling' : 'no_floor';
  }

  // 9. Drop limits.
  if (target < live) {
    const allowed = lowestAllowedPriceTenge(live, dayStart, settings);
    const limited = Math.min(live, allowed, ceiling ?? live);
    if (target < limited) {
      target = limited;
      reason = 'drop_limited';
    }
  }

  // 10. Which way it went.
  reason ??= target < live ? settings.strategy : target > live ? 'raise' : 'already_best';
  return underDeparted(decision(target, reason, rival, aim.priceTenge, guard));
}

interface Aim {
  priceTenge: number;
  rival: Rival;
}

/** Rule 3: the price the strategy asks for and the rival it aims at; null when there is none to aim at. */
function strategyAim(settings: ProductSettings, rivals: readonly Rival[], liveTenge: number): Aim | null {
  const rival = settings.strategy === 'stay_top_n' ? rivals[(settings.topN ?? 1) - 1] : rivals[0];
  if (rival === undefined) return null;
  if (settings.strategy === 'match') return { priceTenge: rival.priceTenge, rival };
  // Level with a rival a fraction dearer, listed behind us, is already under it.
  const under = liveTenge < rival.priceTenge || (liveTenge === rival.priceTenge && rival.behindUs === true);
  const alreadyUnder = under && liveTenge >= rival.priceTenge - settings.step;
  return { priceTenge: alreadyUnder ? liveTenge : rival.priceTenge - settings.step, rival };
}

/**
 * Rules 5 and 6: the best place on the card at a price of at least `lowestTenge`, at the highest
 * price that keeps that place — under (or, for `match`, level with) the cheapest rival we can still
 * get ahead of; the lowest price itself when every rival is at or below it.
 */
function bestPlaceAtOrAbove(
  lowestTenge: number,
  rivals: readonly Rival[],
  settings: ProductSettings,
): { priceTenge: number; rival: Rival | null } {
  for (const rival of rivals) {
    if (settings.strategy === 'match' ? rival.priceTenge >= lowestTenge : rival.priceTenge > lowestTenge) {
      const priceTenge =
        settings.strategy === 'match' ? rival.priceTenge : Math.max(lowestTenge, rival.priceTenge - settings.step);
      return { priceTenge, rival };
    }
  }
  return { priceTenge: lowestTenge, rival: null };
}

function withinBounds(priceTenge: number, floor: number | null, ceiling: number | null): number {
  const raised = floor !== null ? Math.max(priceTenge, floor) : priceTenge;
  return ceiling !== null ? Math.min(raised, ceiling) : raised;
}

function wholeTenge(price: number, name: string): number {
  const tenge = Math.floor(price);
  if (!Number.isFinite(tenge) || tenge < 1)
    throw new RangeError(`${name} must be a price of at least 1 tenge, got ${price}`);
  return tenge;
}
