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
}

/**
 * The rivals on a card, cheapest first: prices floored to whole tenge (as Kaspi shows them),
 * offers of `notRivals` (our own merchant, the owner's other stores, excluded merchants) dropped,
 * one offer per merchant (its cheapest), broken prices dropped, ties in merchant id order.
 */
export function normaliseRivals(offers: readonly KaspiOffer[], notRivals: Iterable<string>): Rival[] {
  const skip = new Set(notRivals);
  const cheapest = new Map<string, number>();
  for (const offer of offers) {
    if (skip.has(offer.merchantId) || !Number.isFinite(offer.price)) continue;
    const priceTenge = Math.floor(offer.price);
    if (priceTenge < 1) continue;
    const known = cheapest.get(offer.merchantId);
    if (known === undefined || priceTenge < known) cheapest.set(offer.merchantId, priceTenge);
  }
  return [...cheapest]
    .map(([merchantId, priceTenge]) => ({ merchantId, priceTenge }))
    .sort((a, b) => a.priceTenge - b.priceTenge || compareIds(a.merchantId, b.merchantId));
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
