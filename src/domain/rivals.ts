/** An offer on a product card as the public offers endpoint gives it (only the fields pricing reads). */
export interface KaspiOffer {
  merchantId: string;
  /** May be fractional. */
  price: number;
}

/** A competing merchant's offer after normalisation: whole tenge, one per merchant. */
export interface Rival {
  merchantId: string;
  priceTenge: number;
  /**
   * At our whole-tenge price but a fraction above it, and listed after our offer: first place is ours
   * by price, not by Kaspi's rules for a tie. Absent otherwise.
   */
  behindUs?: true;
}

/**
 * The rivals on a card, cheapest first: prices floored to whole tenge (as Kaspi shows them),
 * offers of `notRivals` (our own merchant, the owner's other stores, excluded merchants) dropped,
 * one offer per merchant (its cheapest), broken prices dropped, ties in merchant id order. The offers
 * come in Kaspi's order, cheapest first: a rival listed after our own offer (`us`, at our live price)
 * whose price floors to ours but is a fraction above it is marked `behindUs`.
 */
export function normaliseRivals(
  offers: readonly KaspiOffer[],
  notRivals: Iterable<string>,
  us?: { merchantId: string; priceTenge: number },
): Rival[] {
  const skip = new Set(notRivals);
  const ourAt = us
    ? offers.findIndex((o) => o.merchantId === us.merchantId && Math.floor(o.price) === us.priceTenge)
    : -1;
  const cheapest = new Map<string, Rival>();
  offers.forEach((offer, at) => {
    if (skip.has(offer.merchantId) || !Number.isFinite(offer.price)) return;
    const priceTenge = Math.floor(offer.price);
    if (priceTenge < 1) return;
    const known = cheapest.get(offer.merchantId);
    if (known !== undefined && known.priceTenge <= priceTenge) return;
    const behindUs =
      us !== undefined && ourAt >= 0 && at > ourAt && priceTenge === us.priceTenge && offer.price > us.priceTenge;
    cheapest.set(offer.merchantId, { merchantId: offer.merchantId, priceTenge, ...(behindUs ? { behindUs } : {}) });
  });
  return [...cheapest.values()].sort((a, b) => a.priceTenge - b.priceTenge || compareIds(a.merchantId, b.merchantId));
}

/**
 * Our place on the card at a price: 1 + the rivals strictly cheaper. A tie with a rival counts as
 * sharing its place, because Kaspi orders equal prices by rules of its own.
 */
export function positionAt(priceTenge: number, rivals: readonly Rival[]): number {
  return 1 + rivals.filter((r) => r.priceTenge < priceTenge).length;
}

/** True when the cheapest rival came, left, changed hands or changed price between two checks. */
export function rivalsMoved(before: Rival | null, after: Rival | null): boolean {
  if (before === null || after === null) return before !== after;
  return before.merchantId !== after.merchantId || before.priceTenge !== after.priceTenge;
}

export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
