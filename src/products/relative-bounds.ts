/**
 * A batch's floor and ceiling given as percentages of each product's own live price, rounded to whole tenge
 * on the safe side: a floor up, a ceiling down.
 */
import { minusPercentRoundedUp, plusPercentRoundedDown } from '../domain/money';
import type { ProductSettings } from '../domain/product-settings';

export interface RelativeBoundsRequest {
  floorPercentBelowPrice?: number;
  ceilingPercentAbovePrice?: number;
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

/** The product's `minPrice` and `maxPrice` the percentages make; none when neither is given. */
export function relativeBounds(
  product: { id: string; price: number | null },
  request: RelativeBoundsRequest,
): Partial<ProductSettings> {
  const bounds: Partial<ProductSettings> = {};
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
