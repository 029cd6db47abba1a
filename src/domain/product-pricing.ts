/**
 * One product, every city, one call: what an activity does after reading a product's offers.
 * Per city it brings the remembered state up to date (a new Almaty day, the rival's answer to our
 * last cut, the cheapest rival), decides the target, and combines the cities into one push plan. After the push went
 * through, `rememberPush` records our cuts so the rival's next answer can be recognised.
 */

import { type CardPace, observePace, UNKNOWN_PACE } from './change-value';
import { planPush, type PushPlan } from './city-prices';
import { rollDropDay } from './drop-limits';
import { NO_PRICE_WAR, observeRivalMove, recordOurMove } from './price-war';
import { type CityPricingState, decidePrice, type Departed, type PriceDecision } from './pricing';
import type { ProductSettings } from './product-settings';
import { observeMovers, RIVALS_KEPT } from './rival-watch';
import { compareIds, type KaspiOffer, normaliseRivals, type Rival, rivalsMoved } from './rivals';

export interface ProductPricingInput {
  at: Date;
  ourMerchantId: string;
  /** Merchant ids of the owner's other stores. */
  ownMerchantIds?: readonly string[];
  killSwitch?: boolean;
  settings: ProductSettings;
  /** Our live price in every city the product sells in. */
  liveCityPrices: Readonly<Record<string, number>>;
  /** The card's offers read this cycle, per city decided now. */
  offersByCity: Readonly<Record<string, readonly KaspiOffer[]>>;
  /** `products.pricing_state`. */
  pricingState: Readonly<Record<string, CityPricingState>>;
  /** A rival's answer found this soon after a read that found our cut standing times its clock (`RivalObservation`). */
  closeReadMs?: number;
}

export interface ProductPricing {
  /** One per city, by city id. */
  decisions: PriceDecision[];
  plan: PushPlan;
  /** The cheapest rival changed in some city since the last check (see `scheduleAfterCheck`). */
  rivalsMoved: boolean;
  /** The state to store, whether or not the push is made. */
  pricingState: Record<string, CityPricingState>;
}

export function decideProductPrices(input: ProductPricingInput): ProductPricing {
  const pricingState: Record<string, CityPricingState> = { ...input.pricingState };
  const ownMerchantIds = input.ownMerchantIds ?? [];
  const notRivals = [input.ourMerchantId, ...ownMerchantIds, ...input.settings.excludedMerchants];
  let moved = false;
  const cities = Object.entries(input.offersByCity).sort(([a], [b]) => compareIds(a, b));
  const decisions = cities.map(([cityId, offers]) => {
    const livePriceTenge = input.liveCityPrices[cityId];
    if (livePriceTenge === undefined) throw new RangeError(`no live price for city ${cityId}`);
    const remembered = pricingState[cityId];
    const rivals = normaliseRivals(offers, notRivals);
    const leader = rivals[0] ?? null;
    const cityMoved = remembered !== undefined && rivalsMoved(remembered.leader, leader);
    if (cityMoved) moved = true;
    const war = observeRivalMove(remembered?.war ?? NO_PRICE_WAR, {
      at: input.at,
      ourPriceTenge: livePriceTenge,
      rivals,
      closeReadMs: input.closeReadMs,
    });
    const day = rollDropDay(remembered?.day ?? null, input.at, livePriceTenge);
    const pace = observePace(remembered?.pace ?? UNKNOWN_PACE, cityMoved, input.at.getTime());
    const departed = departedRival(remembered, rivals, pace, input.at.getTime());
    const movers = observeMovers(remembered?.movers ?? {}, remembered?.prices ?? {}, rivals, input.at.getTime());
    const prices = Object.fromEntries(rivals.slice(0, RIVALS_KEPT).map((r) => [r.merchantId, r.priceTenge]));
    pricingState[cityId] = {
      war,
      day,
      leader,
      pace,
      prices,
      ...(Object.keys(movers).length ? { movers } : {}),
      ...(departed ? { departed } : {}),
    };
    return decidePrice({
      cityId,
      ourMerchantId: input.ourMerchantId,
      ownMerchantIds,
      killSwitch: input.killSwitch,
      livePriceTenge,
      offers,
      settings: input.settings,
      war,
      dayStartPriceTenge: day.startPriceTenge,
      departed: departed?.rival ?? null,
    });
  });
  return { decisions, plan: planPush(decisions, input.liveCityPrices), rivalsMoved: moved, pricingState };
}

/** A rival that left is expected back within this many of the card's usual gaps between moves. */
const RETURN_GAPS = 4;

/**
 * The card's cheapest rival at the last read when it is gone now, or the one that left before and has
 * not come back, while it may still: for `RETURN_GAPS` of the card's usual gaps (`CardPace`) since the
 * read that found it gone. A card whose pace is not known yet keeps none: its rival had stayed put as
 * long as it was watched, and is taken to have left for good.
 */
export function departedRival(
  remembered: CityPricingState | undefined,
  rivals: readonly Rival[],
  pace: CardPace,
  atMs: number,
): Departed | null {
  const gone = (rival: Rival) => !rivals.some((r) => r.merchantId === rival.merchantId);
  const departed =
    remembered?.leader && gone(remembered.leader)
      ? { rival: remembered.leader, atMs }
      : remembered?.departed && gone(remembered.departed.rival)
        ? remembered.departed
        : null;
  if (departed === null || pace.gapSeconds === null) return null;
  return atMs - departed.atMs < RETURN_GAPS * pace.gapSeconds * 1000 ? departed : null;
}

/** After a push went through: every city it lowered waits for its rival's answer. */
export function rememberPush(
  pricingState: Readonly<Record<string, CityPricingState>>,
  changes: readonly PriceDecision[],
  at: Date,
): Record<string, CityPricingState> {
  const next: Record<string, CityPricingState> = { ...pricingState };
  for (const d of changes) {
    const remembered = next[d.cityId];
    next[d.cityId] = {
      day: remembered?.day ?? null,
      leader: remembered?.leader ?? d.leader,
      ...(remembered?.pace ? { pace: remembered.pace } : {}),
      ...(remembered?.prices ? { prices: remembered.prices } : {}),
      ...(remembered?.movers ? { movers: remembered.movers } : {}),
      ...(remembered?.departed ? { departed: remembered.departed } : {}),
      war: recordOurMove(remembered?.war ?? NO_PRICE_WAR, {
        at,
        fromPriceTenge: d.livePriceTenge,
        toPriceTenge: d.targetPriceTenge,
        rivalMerchantId: d.rival?.merchantId ?? null,
      }),
    };
  }
  return next;
}
