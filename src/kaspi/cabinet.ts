import { z } from 'zod';
import { KaspiError } from './errors';
import { cabinetHeaders, kaspiRequest, type CabinetContext } from './http';
import { optionalId, priceNumber } from './offers';

/**
 * Whether an offer is available at a point, or on sale at all: Kaspi writes `"yes"`/`"no"`, newer
 * answers a boolean, and some a null for "not set". Only a yes or true counts as available.
 */
export const availableFlag = z
  .union([z.string(), z.boolean(), z.null()])
  .optional()
  .transform((v) => v === true || (typeof v === 'string' && v.trim().toLowerCase() === 'yes'));

const days = z
  .union([z.number(), z.null()])
  .optional()
  .transform((v) => (typeof v === 'number' && Number.isFinite(v) ? Math.max(0, Math.floor(v)) : 0));

/** One pickup point's state for an offer; `storeId` is merchant-prefixed (`{merchantUid}_PP1`). */
export const availabilitySchema = z.object({
  storeId: z.string().min(1),
  available: availableFlag,
  preOrder: days,
  stockSpecified: z.boolean().nullish(),
  stockCount: z.number().nullish(),
});

export const cabinetOfferSchema = z.object({
  sku: z.string().min(1),
  masterSku: optionalId,
  offerId: optionalId,
  title: z.string().nullish(),
  model: z.string().nullish(),
  masterTitle: z.string().nullish(),
  brand: z.string().nullish(),
  brandName: z.string().nullish(),
  masterCategory: z.string().nullish(),
  images: z.array(z.string()).nullish(),
  /** Absent or null on some answers: the list was asked for offers on sale or archived, so it says. */
  available: z.union([z.string(), z.boolean(), z.null()]).optional(),
  price: priceNumber.nullish(),
  minPrice: priceNumber.nullish(),
  allCityPrices: z.record(z.string(), z.object({ price: priceNumber })).nullish(),
  availabilities: z.array(availabilitySchema).nullish(),
  shopLink: z.string().nullish(),
  updatedAt: z.string().nullish(),
});

/**
 * The list page; its items are read one by one (`toOfferListPage`) so one bad item does not lose the
 * page. `total` is not always there, and nothing depends on it.
 */
export const offerListResponseSchema = z.object({
  total: z.number().int().nonnegative().nullish(),
  data: z.array(z.unknown()),
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

/** The pricefeed's point id (`{merchantUid}_PP1`) from whatever form an answer used (`PP1` or already prefixed). */
export function jsonStoreId(merchantUid: string | undefined, storeId: string): string {
  return !merchantUid || storeId.includes('_') ? storeId : `${merchantUid}_${storeId}`;
}

export function toAvailability(raw: z.infer<typeof availabilitySchema>, merchantUid?: string): PointAvailability {
  return { storeId: jsonStoreId(merchantUid, raw.storeId), available: raw.available, preOrderDays: raw.preOrder };
}

/** The list asked for offers on sale (`a=true`) or archived: an item that does not say is what was asked for. */
export function toCabinetOffer(
  raw: z.infer<typeof cabinetOfferSchema>,
  listed: { merchantUid?: string; available?: boolean } = {},
): CabinetOffer {
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
    available:
      raw.available === null || raw.available === undefined
        ? (listed.available ?? true)
        : availableFlag.parse(raw.available),
    priceTenge: Math.floor(raw.price || raw.minPrice || lowestCityPrice),
    cityPrices,
    availabilities: (raw.availabilities ?? []).map((a) => toAvailability(a, listed.merchantUid)),
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

/** A list item that could not be read: its SKU when it had one, and why. */
export interface UnreadableOffer {
  sku: string | null;
  reason: string;
}

export interface OfferListPage {
  /** Kaspi's count of offers, when it sent one; paging never relies on it. */
  total: number | null;
  offers: CabinetOffer[];
  /** Items of the page that could not be read, left out of `offers`. */
  unreadable: UnreadableOffer[];
  /** Items on the page, read or not: a page with fewer than asked for is the last. */
  listed: number;
}

/** Reads a list page item by item: a bad item is set aside with its SKU instead of failing the page. */
export function toOfferListPage(
  body: z.infer<typeof offerListResponseSchema>,
  listed: { merchantUid?: string; available?: boolean } = {},
): OfferListPage {
  const offers: CabinetOffer[] = [];
  const unreadable: UnreadableOffer[] = [];
  for (const item of body.data) {
    const parsed = cabinetOfferSchema.safeParse(item);
    if (parsed.success) {
      offers.push(toCabinetOffer(parsed.data, listed));
      continue;
    }
    const sku = (item as { sku?: unknown } | null)?.sku;
    const issue = parsed.error.issues[0];
    unreadable.push({
      sku: typeof sku === 'string' && sku ? sku : null,
      reason: issue ? `${issue.path.join('.') || '(item)'} ${issue.message}` : 'unreadable',
    });
  }
  return { total: body.total ?? null, offers, unreadable, listed: body.data.length };
}

/** GET `/bff/offer-view/list?m=&p=&l=&a=` — one page of the merchant's offers. */
export async function fetchOfferListPage(
  ctx: CabinetContext,
  params: OfferListParams & { page: number; size: number },
): Promise<OfferListPage> {
  if (!Number.isInteger(params.size) || params.size < 1 || params.size > MAX_OFFER_LIST_PAGE_SIZE) {
    throw new KaspiError({
      kind: 'bad_request',
      endpoint: 'offer_list',
      detail: `size must be 1–${MAX_OFFER_LIST_PAGE_SIZE}`,
    });
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
  return toOfferListPage(body, { merchantUid: params.merchantUid, available: params.available });
}

/**
 * Pages through the offer list until an empty or short page, the way the cabinet's own clients do;
 * `total` is not trusted to end it (a stale count would cut the list short).
 */
export async function* offerListPages(
  ctx: CabinetContext,
  params: OfferListParams & { pageSize?: number; maxPages?: number },
): AsyncGenerator<OfferListPage> {
  const size = params.pageSize ?? MAX_OFFER_LIST_PAGE_SIZE;
  const maxPages = params.maxPages ?? 10_000;
  for (let page = 0; page < maxPages; page++) {
    const result = await fetchOfferListPage(ctx, { ...params, page, size });
    yield result;
    if (result.listed < size) return;
  }
}

/**
 * Every offer of the merchant with the given availability, all pages; the items that could not be
 * read; and Kaspi's own count when it gave one.
 */
export async function fetchAllOffers(
  ctx: CabinetContext,
  params: OfferListParams & { pageSize?: number; maxPages?: number },
): Promise<{ offers: CabinetOffer[]; unreadable: UnreadableOffer[]; total: number | null }> {
  const offers: CabinetOffer[] = [];
  const unreadable: UnreadableOffer[] = [];
  let total: number | null = null;
  for await (const page of offerListPages(ctx, params)) {
    offers.push(...page.offers);
    unreadable.push(...page.unreadable);
    total ??= page.total;
  }
  return { offers, unreadable, total };
}

/** A point under a city of the details answer: `{pointId, name, available: true}`, or a bare point id. */
const detailsPointSchema = z.union([
  z
    .string()
    .min(1)
    .transform((storeId) => ({ storeId, available: true })),
  z
    .object({ pointId: z.string().nullish(), storeId: z.string().nullish(), available: availableFlag })
    .transform((p) => ({ storeId: p.pointId ?? p.storeId ?? '', available: p.available })),
]);

/**
 * One offer of the details answer. Seen in two shapes: cities with `id` and availabilities with
 * `"yes"`/`"no"`, and (live, 2026) cities with `cityId`, their points as objects with a boolean
 * `available`, next to (or instead of) the availabilities list.
 */
export const offerDetailsSchema = z.object({
  sku: z.string().min(1),
  masterSku: optionalId,
  title: z.string().nullish(),
  model: z.string().nullish(),
  cities: z
    .array(
      z.object({
        id: optionalId,
        cityId: optionalId,
        name: z.string().nullish(),
        price: priceNumber.nullish(),
        points: z.array(detailsPointSchema).nullish(),
      }),
    )
    .nullish(),
  availabilities: z.array(availabilitySchema).nullish(),
});

/** A bare array of offers, or the same under `data`; the offers are read one by one. */
export const offerDetailsResponseSchema = z
  .union([z.array(z.unknown()), z.object({ data: z.array(z.unknown()) })])
  .transform((body) => (Array.isArray(body) ? body : body.data));

export interface OfferDetails {
  sku: string;
  productId: string | null;
  title: string;
  cityPrices: CityPrice[];
  /** Every point the answer names, from its availabilities list and from its cities' points. */
  availabilities: PointAvailability[];
}

export function toOfferDetails(raw: z.infer<typeof offerDetailsSchema>, merchantUid?: string): OfferDetails {
  const cityPrices: CityPrice[] = [];
  const points = new Map<string, PointAvailability>();
  for (const a of raw.availabilities ?? []) {
    const point = toAvailability(a, merchantUid);
    points.set(point.storeId, point);
  }
  for (const city of raw.cities ?? []) {
    const cityId = city.cityId ?? city.id;
    if (cityId && typeof city.price === 'number') cityPrices.push({ cityId, priceTenge: Math.floor(city.price) });
    for (const p of city.points ?? []) {
      if (!p.storeId) continue;
      const storeId = jsonStoreId(merchantUid, p.storeId);
      // The availabilities list says more (preorder days) where it names the point too.
      if (!points.has(storeId)) points.set(storeId, { storeId, available: p.available, preOrderDays: 0 });
    }
  }
  return {
    sku: raw.sku,
    productId: raw.masterSku,
    title: raw.title ?? raw.model ?? raw.sku,
    cityPrices,
    availabilities: [...points.values()],
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
  const details: OfferDetails[] = [];
  for (const item of body) {
    const parsed = offerDetailsSchema.safeParse(item);
    if (parsed.success) details.push(toOfferDetails(parsed.data, params.merchantUid));
  }
  if (body.length > 0 && details.length === 0) {
    throw new KaspiError({
      kind: 'malformed',
      endpoint: 'offer_details',
      surface: 'cabinet',
      detail: 'none of the offers could be read',
    });
  }
  return details;
}
