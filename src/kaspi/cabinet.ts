import { z } from 'zod';
import { KaspiError } from './errors';
import { cabinetHeaders, kaspiRequest, type CabinetContext } from './http';
import { idString } from './offers';

/** One pickup point's state for an offer; `storeId` is merchant-prefixed (`{merchantUid}_PP1`). */
export const availabilitySchema = z.object({
  storeId: z.string().min(1),
  available: z.enum(['yes', 'no']),
  preOrder: z.number().int().nonnegative().nullish(),
  stockSpecified: z.boolean().nullish(),
  stockCount: z.number().nullish(),
});

export const cabinetOfferSchema = z.object({
  sku: z.string().min(1),
  masterSku: idString.nullish(),
  offerId: idString.nullish(),
  title: z.string().nullish(),
  model: z.string().nullish(),
  masterTitle: z.string().nullish(),
  brand: z.string().nullish(),
  brandName: z.string().nullish(),
  masterCategory: z.string().nullish(),
  images: z.array(z.string()).nullish(),
  available: z.boolean().nullish(),
  price: z.number().nullish(),
  minPrice: z.number().nullish(),
  allCityPrices: z.record(z.string(), z.object({ price: z.number() })).nullish(),
  points: z.array(z.string()).nullish(),
  availabilities: z.array(availabilitySchema).nullish(),
  shopLink: z.string().nullish(),
  updatedAt: z.string().nullish(),
});

export const offerListResponseSchema = z.object({
  total: z.number().int().nonnegative(),
  data: z.array(cabinetOfferSchema),
});

export interface CityPrice {
  cityId: string;
  priceTenge: number;
}

export interface PointAvailability {
  /** `{merchantUid}_PPn` */
  storeId: string;
  available: boolean;
  preOrderDays: number;
}

export interface CabinetOffer {
  sku: string;
  /** The product card id, from `masterSku` or the `shopLink`. */
  productId: string | null;
  title: string;
  brand: string | null;
  /** `true` = on sale, `false` = archived. */
  available: boolean;
  /** `price`, or the lowest city price when Kaspi reports 0. */
  priceTenge: number;
  cityPrices: CityPrice[];
  availabilities: PointAvailability[];
  /** Path of the first image on Kaspi's CDN (`p/...`). */
  image: string | null;
  shopLink: string | null;
}

const SHOP_LINK_PRODUCT_ID = /\/p\/.*-(\d+)\/?/;

export function productIdFromShopLink(shopLink: string | null | undefined): string | null {
  return shopLink ? (SHOP_LINK_PRODUCT_ID.exec(shopLink)?.[1] ?? null) : null;
}

export function toAvailability(raw: z.infer<typeof availabilitySchema>): PointAvailability {
  return { storeId: raw.storeId, available: raw.available === 'yes', preOrderDays: raw.preOrder ?? 0 };
}

export function toCabinetOffer(raw: z.infer<typeof cabinetOfferSchema>): CabinetOffer {
  const cityPrices = Object.entries(raw.allCityPrices ?? {}).map(([cityId, { price }]) => ({
    cityId,
    priceTenge: Math.floor(price),
  }));
  const lowestCityPrice = cityPrices.length ? Math.min(...cityPrices.map((c) => c.priceTenge)) : 0;
  return {
    sku: raw.sku,
    productId: raw.masterSku ?? productIdFromShopLink(raw.shopLink),
    title: raw.title ?? raw.model ?? raw.masterTitle ?? raw.sku,
    brand: raw.brandName ?? raw.brand ?? null,
    available: raw.available ?? true,
    priceTenge: Math.floor(raw.price || raw.minPrice || lowestCityPrice),
    cityPrices,
    availabilities: (raw.availabilities ?? []).map(toAvailability),
    image: raw.images?.[0] ?? null,
    shopLink: raw.shopLink ?? null,
  };
}

export const MAX_OFFER_LIST_PAGE_SIZE = 100;

export interface OfferListParams {
  merchantUid: string;
  /** `true` lists offers on sale, `false` archived ones. */
  available: boolean;
  /** Search text (`t`). */
  text?: string;
}

export interface OfferListPage {
  total: number;
  offers: CabinetOffer[];
}

/** GET `/bff/offer-view/list?m=&p=&l=&a=` — one page of the merchant's offers. */
export async function fetchOfferListPage(
  ctx: CabinetContext,
  params: OfferListParams & { page: number; size: number },
): Promise<OfferListPage> {
  if (!Number.isInteger(params.size) || params.size < 1 || params.size > MAX_OFFER_LIST_PAGE_SIZE) {
    throw new KaspiError({ kind: 'bad_request', endpoint: 'offer_list', detail: `size must be 1–${MAX_OFFER_LIST_PAGE_SIZE}` });
  }
  const query = new URLSearchParams({
    m: params.merchantUid,
    p: String(params.page),
    l: String(params.size),
    a: String(params.available),
  });
  if (params.text) query.set('t', params.text);
  const body = await kaspiRequest(ctx, {
    endpoint: 'offer_list',
    surface: 'cabinet',
    method: 'GET',
    url: `${ctx.urls.mcUrl}/bff/offer-view/list?${query}`,
    headers: cabinetHeaders(ctx),
    schema: offerListResponseSchema,
  });
  return { total: body.total, offers: body.data.map(toCabinetOffer) };
}

/** Pages through the offer list until an empty or short page, or `total` is reached. */
export async function* offerListPages(
  ctx: CabinetContext,
  params: OfferListParams & { pageSize?: number; maxPages?: number },
): AsyncGenerator<OfferListPage> {
  const size = params.pageSize ?? MAX_OFFER_LIST_PAGE_SIZE;
  const maxPages = params.maxPages ?? 10_000;
  let seen = 0;
  for (let page = 0; page < maxPages; page++) {
    const result = await fetchOfferListPage(ctx, { ...params, page, size });
    seen += result.offers.length;
    yield result;
    if (result.offers.length < size || seen >= result.total) return;
  }
}

/** Every offer of the merchant with the given availability, all pages. */
export async function fetchAllOffers(
  ctx: CabinetContext,
  params: OfferListParams & { pageSize?: number; maxPages?: number },
): Promise<CabinetOffer[]> {
  const offers: CabinetOffer[] = [];
  for await (const page of offerListPages(ctx, params)) offers.push(...page.offers);
  return offers;
}

export const offerDetailsSchema = z.object({
  sku: z.string().min(1),
  masterSku: idString.nullish(),
  title: z.string().nullish(),
  model: z.string().nullish(),
  cities: z
    .array(z.object({ id: idString, name: z.string().nullish(), price: z.number().nullish() }))
    .nullish(),
  availabilities: z.array(availabilitySchema).nullish(),
});

export const offerDetailsResponseSchema = z.array(offerDetailsSchema);

export interface OfferDetails {
  sku: string;
  productId: string | null;
  title: string;
  cityPrices: CityPrice[];
  availabilities: PointAvailability[];
}

export function toOfferDetails(raw: z.infer<typeof offerDetailsSchema>): OfferDetails {
  return {
    sku: raw.sku,
    productId: raw.masterSku ?? null,
    title: raw.title ?? raw.model ?? raw.sku,
    cityPrices: (raw.cities ?? [])
      .filter((c) => typeof c.price === 'number')
      .map((c) => ({ cityId: c.id, priceTenge: Math.floor(c.price!) })),
    availabilities: (raw.availabilities ?? []).map(toAvailability),
  };
}

/** POST `/offers/api/v1/offer/details?m=` `{"sku":[...]}` — city prices and pickup points per offer. */
export async function fetchOfferDetails(
  ctx: CabinetContext,
  params: { merchantUid: string; skus: string[] },
): Promise<OfferDetails[]> {
  if (params.skus.length === 0) return [];
  const body = await kaspiRequest(ctx, {
    endpoint: 'offer_details',
    surface: 'cabinet',
    method: 'POST',
    url: `${ctx.urls.mcUrl}/offers/api/v1/offer/details?m=${encodeURIComponent(params.merchantUid)}`,
    headers: { ...cabinetHeaders(ctx), 'content-type': 'application/json' },
    body: JSON.stringify({ sku: params.skus }),
    schema: offerDetailsResponseSchema,
  });
  return body.map(toOfferDetails);
}
