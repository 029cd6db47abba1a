import type { KaspiUrls } from '../../src/kaspi';

/** One product of our merchant as every contender sees it: its card, its floor and ceiling. */
export interface BenchProduct {
  productId: string;
  sku: string;
  model: string;
  floorTenge: number;
  ceilingTenge: number;
}

export interface ContenderSetup {
  urls: KaspiUrls;
  merchantUid: string;
  /** Cabinet cookies of our merchant in this contender's market. */
  cookies: Record<string, string>;
  /** Our pickup points: `{uid}_PPn` store ids and the city each serves. */
  points: { storeId: string; cityId: string }[];
  products: BenchProduct[];
}
