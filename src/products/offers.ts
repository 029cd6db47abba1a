/**
 * A product card's competing offers in one city, read live from Kaspi for the merchant to look at. The read
 * goes through the read channel like the demper's own, so it counts against the same per-IP limits, and a
 * channel with no capacity just now is said with when to try again rather than waited for.
 */
import type { kaspiStores, products } from '../db/schema';
import { readCards } from '../demper/card-reader';
import { competingCities } from '../domain/city-prices';
import type { KaspiUrls } from '../kaspi';
import type { ReadChannel } from '../proxies/read-channel';

type ProductRow = typeof products.$inferSelect;
type StoreRow = typeof kaspiStores.$inferSelect;

/** No city was given and the product competes in none: there is no card to read. */
export class NoCompetingCity extends Error {
  constructor() {
    super('The product competes in no city: give cityId, or set up pickup points.');
    this.name = 'NoCompetingCity';
  }
}

/** The card could not be read just now; `retryAfterSeconds` says when asking again makes sense. */
export class KaspiUnreadable extends Error {
  constructor(
    readonly retryAfterSeconds: number,
    failureKind: string | undefined,
  ) {
    super(`Kaspi could not be read just now${failureKind ? ` (${failureKind})` : ''}.`);
    this.name = 'KaspiUnreadable';
  }
}

export interface ProductOffers {
  cityId: string;
  ourPosition: number | null;
  total: number;
  /** Cheapest first, each with its 1-based place on the card. */
  offers: {
    position: number;
    merchantId: string;
    merchantName: string;
    price: number;
    merchantRating: number | null;
    deliveryDuration: string | null;
    ours: boolean;
  }[];
}

export interface OffersReadDeps {
  channel: ReadChannel;
  urls: KaspiUrls;
  timeoutMs: number;
}

/** A read blocked until a known moment is retried then; one that failed otherwise, in a few seconds. */
export function retryAfterSeconds(blockedUntil: Date | null, nowMs: number): number {
  return blockedUntil ? Math.max(1, Math.ceil((blockedUntil.getTime() - nowMs) / 1000)) : 5;
}

/** Reads the product's card in `cityId`, or in the first city it competes in when none is given. */
export async function readProductOffers(
  deps: OffersReadDeps,
  product: Pick<ProductRow, 'kaspiProductId' | 'cities'>,
  store: Pick<StoreRow, 'id' | 'userId' | 'merchantUid' | 'points'>,
  requestedCityId: string | undefined,
): Promise<ProductOffers> {
  const cityId = requestedCityId ?? competingCities(product.cities, store.points)[0];
  if (!cityId) throw new NoCompetingCity();
  const read = await readCards(
    {
      ...deps,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      now: () => Date.now(),
    },
    {
      userId: store.userId,
      storeId: store.id,
      merchantId: store.merchantUid,
      productId: product.kaspiProductId,
      cityIds: [cityId],
    },
  );
  const card = read.cards.get(cityId);
  if (!card) throw new KaspiUnreadable(retryAfterSeconds(read.blockedUntil, Date.now()), read.failures[0]?.kind);
  return {
    cityId,
    ourPosition: card.ourPosition ?? null,
    total: card.total,
    offers: card.offers.map((o, i) => ({
      position: i + 1,
      merchantId: o.merchantId,
      merchantName: o.merchantName,
      price: o.priceTenge,
      merchantRating: o.merchantRating,
      deliveryDuration: o.deliveryDuration,
      ours: o.merchantId === store.merchantUid,
    })),
  };
}
