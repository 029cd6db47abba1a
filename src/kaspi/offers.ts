import { z } from 'zod';
import { KaspiError } from './errors';
import { kaspiRequest, storefrontHeaders, type KaspiContext } from './http';

/** Kaspi sends ids as strings but older payloads carry numbers; we always hold strings. */
export const idString = z.union([z.string().min(1), z.number()]).transform(String);

/** One seller's offer on a product card, as `offer-view/offers` returns it. */
export const offerSchema = z.object({
  merchantId: idString,
  merchantName: z.string().nullish(),
  merchantSku: z.string().nullish(),
  masterSku: idString.nullish(),
  title: z.string().nullish(),
  price: z.number().nonnegative(),
  merchantRating: z.number().nullish(),
  merchantReviewsQuantity: z.number().nullish(),
  deliveryDuration: z.string().nullish(),
  kaspiDelivery: z.boolean().nullish(),
  preorder: z.number().nullish(),
});

export const offersResponseSchema = z.object({
  offers: z.array(offerSchema),
  total: z.number().int().nonnegative().nullish(),
  offersCount: z.number().int().nonnegative().nullish(),
});

export interface CompetitorOffer {
  merchantId: string;
  merchantName: string;
  merchantSku: string | null;
  /** Kaspi may show fractional prices; we work in whole tenge and floor them. */
  priceTenge: number;
  merchantRating: number | null;
  merchantReviewsQuantity: number | null;
  /** `EXPRESS`, `TODAY`, `TOMORROW`, `TILL_2_DAYS` … `OTHER`. */
  deliveryDuration: string | null;
  kaspiDelivery: boolean | null;
  /** Days until a preorder ships; 0 when the offer is in stock. */
  preorderDays: number;
}

export interface OffersPage {
  offers: CompetitorOffer[];
  total: number;
}

export function toCompetitorOffer(raw: z.infer<typeof offerSchema>): CompetitorOffer {
  return {
    merchantId: raw.merchantId,
    merchantName: raw.merchantName ?? '',
    merchantSku: raw.merchantSku ?? null,
    priceTenge: Math.floor(raw.price),
    merchantRating: raw.merchantRating ?? null,
    merchantReviewsQuantity: raw.merchantReviewsQuantity ?? null,
    deliveryDuration: raw.deliveryDuration ?? null,
    kaspiDelivery: raw.kaspiDelivery ?? null,
    preorderDays: raw.preorder ?? 0,
  };
}

/** One page of the offers response, normalised. */
export function toOffersPage(body: z.infer<typeof offersResponseSchema>): OffersPage {
  return {
    offers: body.offers.map(toCompetitorOffer),
    total: body.total ?? body.offersCount ?? body.offers.length,
  };
}

export const MAX_OFFERS_PAGE_SIZE = 64;

export interface FetchOffersParams {
  /** The product card id (`masterSku`, the number at the end of `/shop/p/<slug>-{id}/`). */
  productId: string;
  cityId: string;
  /** Our merchant id: our own offer is in the list and is returned apart from the rivals. */
  merchantId?: string;
  /** Offers per page, at most 64 (Kaspi answers 400 above). */
  limit?: number;
  /** Stop after this many pages even if Kaspi reports more offers. */
  maxPages?: number;
}

export interface OffersResult {
  productId: string;
  cityId: string;
  /** Every offer in Kaspi's order (cheapest first), ours included. */
  offers: CompetitorOffer[];
  /** Our offer, when `merchantId` was given and we sell in this city. */
  ours: CompetitorOffer | undefined;
  /** 1-based place of our offer in `offers`. */
  ourPosition: number | undefined;
  /** Everyone else. */
  rivals: CompetitorOffer[];
  total: number;
}

const DIGITS = /^\d+$/;

/** The body the product page sends (`sortOption: PRICE` = cheapest first). */
export function offersRequestBody(productId: string, cityId: string, page: number, limit: number) {
  return {
    cityId,
    id: productId,
    merchantUID: [],
    limit,
    page,
    sortOption: 'PRICE',
    highRating: null,
    searchText: null,
    isExcellentMerchant: false,
    zoneId: ['Magnum_ZONE1'],
    installationId: '-1',
  };
}

/** One page: POST `/yml/offer-view/offers/{productId}`. */
export async function fetchOffersPage(
  ctx: KaspiContext,
  params: { productId: string; cityId: string; page: number; limit: number },
): Promise<OffersPage> {
  const { productId, cityId, page, limit } = params;
  if (!DIGITS.test(productId)) throw badInput('productId must be digits');
  if (!DIGITS.test(cityId)) throw badInput('cityId must be digits');
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_OFFERS_PAGE_SIZE) {
    throw badInput(`limit must be 1–${MAX_OFFERS_PAGE_SIZE}`);
  }
  const body = await kaspiRequest(ctx, {
    endpoint: 'offers',
    surface: 'public',
    method: 'POST',
    url: `${ctx.urls.publicUrl}/yml/offer-view/offers/${productId}`,
    headers: {
      ...storefrontHeaders(ctx.urls, `${ctx.urls.publicUrl}/shop/p/-${productId}/?c=${cityId}`),
      'content-type': 'application/json; charset=UTF-8',
      'x-ks-city': cityId,
      cookie: `kaspi.city=${cityId}`,
    },
    body: JSON.stringify(offersRequestBody(productId, cityId, page, limit)),
    schema: offersResponseSchema,
  });
  return toOffersPage(body);
}

/**
 * All offers for a product in a city, paging until a short page or `total` is reached, with our own
 * offer identified.
 */
export async function fetchOffers(ctx: KaspiContext, params: FetchOffersParams): Promise<OffersResult> {
  const limit = params.limit ?? MAX_OFFERS_PAGE_SIZE;
  const maxPages = params.maxPages ?? 10;
  const offers: CompetitorOffer[] = [];
  let total = 0;
  for (let page = 0; page < maxPages; page++) {
    const result = await fetchOffersPage(ctx, { productId: params.productId, cityId: params.cityId, page, limit });
    offers.push(...result.offers);
    total = result.total;
    if (result.offers.length < limit || offers.length >= total) break;
  }
  const ourIndex = params.merchantId === undefined ? -1 : offers.findIndex((o) => o.merchantId === params.merchantId);
  return {
    productId: params.productId,
    cityId: params.cityId,
    offers,
    ours: ourIndex >= 0 ? offers[ourIndex] : undefined,
    ourPosition: ourIndex >= 0 ? ourIndex + 1 : undefined,
    rivals: offers.filter((o) => o.merchantId !== params.merchantId),
    total,
  };
}

function badInput(detail: string): KaspiError {
  return new KaspiError({ kind: 'bad_request', endpoint: 'offers', detail });
}
