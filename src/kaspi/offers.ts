import { z } from 'zod';
import { KaspiError } from './errors';
import { kaspiRequest, storefrontHeaders, type KaspiContext } from './http';

/** Kaspi sends ids as strings but older payloads carry numbers; we always hold strings. */
export const idString = z.union([z.string().min(1), z.number()]).transform(String);

/** An id that may also come as an empty string or null, both meaning "none". */
export const optionalId = z
  .union([z.string(), z.number(), z.null()])
  .optional()
  .transform((v) => (v === null || v === undefined || v === '' ? null : String(v)));

/** A price in tenge: a number, or the same number written as a string (`"9990"`, `"9 990,5"`). */
export const priceNumber = z.union([
  z.number(),
  z
    .string()
    .transform((text) => text.replace(/[\s\u00a0]/g, '').replace(',', '.'))
    .pipe(z.string().regex(/^\d+(\.\d+)?$/, 'not a number'))
    .transform(Number),
]);

/** One seller's offer on a product card, as `offer-view/offers` returns it. */
export const offerSchema = z.object({
  merchantId: idString,
  merchantName: z.string().nullish(),
  merchantSku: z.string().nullish(),
  masterSku: idString.nullish(),
  title: z.string().nullish(),
  price: priceNumber.pipe(z.number().nonnegative()),
  merchantRating: z.number().nullish(),
  merchantReviewsQuantity: z.number().nullish(),
  deliveryDuration: z.string().nullish(),
  kaspiDelivery: z.boolean().nullish(),
  preorder: z.number().nullish(),
});

/** The card: offers are read one by one (`toOffersPage`), so one unusable offer does not hide the rest. */
export const offersResponseSchema = z.object({
  offers: z.array(z.unknown()),
  total: z.number().int().nonnegative().nullish(),
  offersCount: z.number().int().nonnegative().nullish(),
});

export interface CompetitorOffer {
  merchantId: string;
  merchantName: string;
  merchantSku: string | null;
  /** Kaspi may show fractional prices; we work in whole tenge and floor them. */
  priceTenge: number;
  /** The price as Kaspi gave it: of two offers at one whole tenge, the one a fraction dearer is listed behind. */
  price: number;
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
  /** Offers on the page that could not be read (no merchant, no usable price) and were left out. */
  skipped: number;
}

export function toCompetitorOffer(raw: z.infer<typeof offerSchema>): CompetitorOffer {
  return {
    merchantId: raw.merchantId,
    merchantName: raw.merchantName ?? '',
    merchantSku: raw.merchantSku ?? null,
    priceTenge: Math.floor(raw.price),
    price: raw.price,
    merchantRating: raw.merchantRating ?? null,
    merchantReviewsQuantity: raw.merchantReviewsQuantity ?? null,
    deliveryDuration: raw.deliveryDuration ?? null,
    kaspiDelivery: raw.kaspiDelivery ?? null,
    preorderDays: raw.preorder ?? 0,
  };
}

/**
 * One page of the offers response, normalised. Unreadable offers are skipped and counted; the page
 * fails as malformed only when it had offers and none of them could be read.
 */
export function toOffersPage(body: z.infer<typeof offersResponseSchema>): OffersPage {
  const offers: CompetitorOffer[] = [];
  for (const raw of body.offers) {
    const parsed = offerSchema.safeParse(raw);
    if (parsed.success) offers.push(toCompetitorOffer(parsed.data));
  }
  const skipped = body.offers.length - offers.length;
  if (body.offers.length > 0 && offers.length === 0) {
    throw new KaspiError({
      kind: 'malformed',
      endpoint: 'offers',
      surface: 'public',
      detail: `none of the ${skipped} offers could be read`,
    });
  }
  return { offers, total: body.total ?? body.offersCount ?? body.offers.length, skipped };
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
  /** Offers Kaspi listed that could not be read. */
  skipped: number;
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
  let skipped = 0;
  for (let page = 0; page < maxPages; page++) {
    const result = await fetchOffersPage(ctx, { productId: params.productId, cityId: params.cityId, page, limit });
    offers.push(...result.offers);
    skipped += result.skipped;
    total = result.total;
    const listed = result.offers.length + result.skipped;
    if (listed < limit || offers.length + skipped >= total) break;
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
    skipped,
  };
}

function badInput(detail: string): KaspiError {
  return new KaspiError({ kind: 'bad_request', endpoint: 'offers', detail });
}
