import type { PriceEvent } from '../../sandbox/market';

/** Our merchant in the hand-made cards of the bench's tests. */
export const US = 'us';

/** One price event on the one card (`p:c`) of a hand-made market; a null price leaves the card. */
export const ev = (atMs: number, merchantUid: string, price: number | null): PriceEvent => ({
  atMs,
  productId: 'p',
  cityId: 'c',
  merchantUid,
  sku: `${merchantUid}-sku`,
  price,
});
