/**
 * A batch's floor and ceiling given relative to each product: as percentages of its own live price,
 * rounded to whole tenge on the safe side (a floor up, a ceiling down), or a floor from the minimum
 * margin its unit costs allow (`unit-economics.ts`).
 */
import { minusPercentRoundedUp, plusPercentRoundedDown } from '../domain/money';
import type { ProductSettings } from '../domain/product-settings';
import { floorForMargin, type UnitCosts } from '../domain/unit-economics';

export interface RelativeBoundsRequest {
  floorPercentBelowPrice?: number;
  ceilingPercentAbovePrice?: number;
  floorFromMarginPercent?: number;
}

/** A bound relative to the live price was asked of a product without one; `field` names the percentage given. */
export class NoLivePrice extends Error {
  constructor(
    readonly productId: string,
    readonly field: keyof RelativeBoundsRequest,
  ) {
    super(`product ${productId} has no live price yet; sync the catalog first`);
    this.name = 'NoLivePrice';
  }
}

/** A floor from a margin was asked of a product without a cost, or whose fees and margin take the whole price. */
export class MarginUnreachable extends Error {
  readonly field = 'floorFromMarginPercent';
  constructor(
    readonly productId: string,
    reason: 'no_cost' | 'fees_take_all',
  ) {
    super(
      reason === 'no_cost'
        ? `product ${productId} has no cost; set its cost first`
        : `product ${productId}: commission, tax and this margin add up to 100 % or more of the price`,
    );
    this.name = 'MarginUnreachable';
  }
}

/** The product's `minPrice` and `maxPrice` the request makes; none when it asks for neither. */
export function relativeBounds(
  product: { id: string; price: number | null } & UnitCosts,
  request: RelativeBoundsRequest,
): Partial<ProductSettings> {
  const bounds: Partial<ProductSettings> = {};
  if (request.floorFromMarginPercent !== undefined) {
    const floor = floorForMargin(product, request.floorFromMarginPercent);
    if (floor === null) throw new MarginUnreachable(product.id, product.cost === null ? 'no_cost' : 'fees_take_all');
    bounds.minPrice = floor;
  }
  if (request.floorPercentBelowPrice === undefined && request.ceilingPercentAbovePrice === undefined) return bounds;
  if (product.price === null) {
    throw new NoLivePrice(
      product.id,
      request.floorPercentBelowPrice !== undefined ? 'floorPercentBelowPrice' : 'ceilingPercentAbovePrice',
    );
  }
  if (request.floorPercentBelowPrice !== undefined) {
    bounds.minPrice = Math.max(1, minusPercentRoundedUp(product.price, request.floorPercentBelowPrice));
  }
  if (request.ceilingPercentAbovePrice !== undefined) {
    bounds.maxPrice = plusPercentRoundedDown(product.price, request.ceilingPercentAbovePrice);
  }
  return bounds;
}
