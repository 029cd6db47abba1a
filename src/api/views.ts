import { inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db';
import type { Config } from '../lib/config';
import { competingCities } from '../domain/city-prices';
import { PRICE_REASONS } from '../domain/pricing';
import { floorTenge, productSettingsSchema } from '../domain/product-settings';
import { DEFAULT_COMMISSION_PERCENT, profitAt } from '../domain/unit-economics';
import { kaspiStores, PRICE_CHANGE_STATUSES, type StorePoint } from '../db/schema';
import { PREORDER_CLEAR, PREORDER_SET } from '../domain/price-change';
import { cityName } from '../kaspi/cities';
import { PRODUCT_STATES, productsWithState, type ProductWithState } from '../products/listing';
import { settingsColumns } from '../products/settings';
import { Tenge, Timestamp, Uuid } from './schemas';
import type { PriceChange } from './tenancy';

/** The shapes products and price decisions take in answers and in the live stream. */

type SettingsShape = typeof productSettingsSchema.shape;
type PatchShape = {
  [K in keyof SettingsShape]: z.ZodOptional<SettingsShape[K] extends z.ZodDefault<infer T> ? T : SettingsShape[K]>;
};

/** Every setting of the domain's contract, optional and without defaults: a patch changes only what it names. */
export const settingsPatchShape = Object.fromEntries(
  Object.entries(productSettingsSchema.shape).map(([key, schema]) => [
    key,
    (schema instanceof z.ZodDefault ? (schema.unwrap() as z.ZodType) : schema).optional(),
  ]),
) as unknown as PatchShape;

const UnitProfitView = z
  .object({
    priceTenge: Tenge,
    commissionTenge: Tenge,
    taxTenge: Tenge,
    deliveryTenge: Tenge,
    costTenge: Tenge,
    profitTenge: z.int().meta({ description: 'Whole tenge; negative for a loss' }),
    marginPercent: z.number().meta({ description: 'Profit as a percentage of the price' }),
  })
  .meta({ id: 'UnitProfit' });

const City = z.object({ id: z.string().meta({ example: '750000000' }), name: z.string().meta({ example: 'Алматы' }) });

const cityOf = (id: string) => ({ id, name: cityName(id) ?? id });

export const ProductView = z
  .object({
    id: Uuid,
    storeId: Uuid,
    sku: z.string().meta({ example: '130342357_673822557' }),
    kaspiProductId: z.string().meta({ description: "Kaspi's product card id", example: '130342357' }),
    kaspiUrl: z.string().meta({ description: 'The product card on the storefront' }),
    name: z.string(),
    brand: z.string().nullable(),
    price: Tenge.nullable().meta({ description: 'Live price as last seen or pushed (the lowest of the city prices)' }),
    cityPrices: z.record(z.string(), Tenge),
    ...z.object(settingsPatchShape).required().shape,
    state: z.enum(PRODUCT_STATES).meta({
      description:
        'At a glance, the most pressing first: `off`, `preorder` (left alone), `paused` (the store’s demper), `error` ' +
        '(the card could not be read), `unchecked`, `at_floor` (a rival sells below the floor), `price_war` (held back), ' +
        '`no_floor` (would go lower but has no floor), `first`, `not_first`',
    }),
    lastReason: z
      .enum(PRICE_REASONS)
      .nullable()
      .meta({ description: 'The reason that set the price at the last check' }),
    position: z
      .int()
      .nullable()
      .meta({ description: 'Our place on the card at the last check (the worst over its cities)' }),
    offersCount: z.int().nullable().meta({ description: 'Offers on the card at the last check, ours included' }),
    cheapestRival: z
      .object({ merchantId: z.string(), merchantName: z.string().nullable(), price: Tenge })
      .nullable()
      .meta({ description: 'The cheapest competing offer at the last check' }),
    gap: z.int().nullable().meta({ description: 'Our price minus the cheapest rival’s: positive when we are dearer' }),
    competingCities: z.array(City).meta({ description: 'The cities the demper competes in for this product' }),
    cityChoices: z
      .array(City)
      .meta({ description: 'Cities that `cities` may name: the store’s points and the offer’s' }),
    lastCheckAt: Timestamp.nullable(),
    nextCheckAt: Timestamp.nullable(),
    checkErrors: z.int().meta({ description: 'Checks in a row that could not read the card' }),
    preorderDays: z.int().nullable(),
    vanishedAt: Timestamp.nullable().meta({ description: 'Set when the offer left the cabinet list' }),
    economics: z
      .object({
        commissionPercent: z
          .number()
          .meta({ description: 'The rate counted: the product’s own, else Kaspi’s default' }),
        floor: Tenge.nullable().meta({ description: 'The lowest price the demper may set' }),
        atPrice: UnitProfitView.nullable(),
        atFloor: UnitProfitView.nullable(),
        atCeiling: UnitProfitView.nullable(),
      })
      .meta({ description: 'Profit of one unit at the live price, the floor and the ceiling; null without cost' }),
    createdAt: Timestamp,
  })
  .meta({ id: 'Product' });

export type ProductViewShape = z.infer<typeof ProductView>;

export function productView(
  p: ProductWithState,
  points: readonly StorePoint[],
  urls: Config['kaspi'],
): ProductViewShape {
  const choices = new Set([...points.map((pt) => pt.cityId), ...p.cities, ...Object.keys(p.cityPrices)]);
  return {
    id: p.id,
    storeId: p.storeId,
    sku: p.sku,
    kaspiProductId: p.kaspiProductId,
    kaspiUrl: `${urls.publicUrl}/shop/p/-${p.kaspiProductId}/`,
    name: p.name,
    brand: p.brand,
    price: p.price,
    cityPrices: p.cityPrices,
    ...settingsColumns(p),
    state: p.state,
    lastReason: (PRICE_REASONS as readonly string[]).includes(p.lastReason ?? '')
      ? (p.lastReason as ProductViewShape['lastReason'])
      : null,
    position: p.position,
    offersCount: p.offersCount,
    cheapestRival:
      p.cheapestRivalMerchant !== null && p.cheapestRivalPrice !== null
        ? { merchantId: p.cheapestRivalMerchant, merchantName: p.cheapestRivalName, price: p.cheapestRivalPrice }
        : null,
    gap: p.price !== null && p.cheapestRivalPrice !== null ? p.price - p.cheapestRivalPrice : null,
    competingCities: competingCities(p.cities, points).map(cityOf),
    cityChoices: [...choices].filter(Boolean).sort().map(cityOf),
    lastCheckAt: p.lastCheckAt?.toISOString() ?? null,
    nextCheckAt: p.nextCheckAt?.toISOString() ?? null,
    checkErrors: p.checkErrors,
    preorderDays: p.preorderDays,
    vanishedAt: p.vanishedAt?.toISOString() ?? null,
    economics: economicsOf(p),
    createdAt: p.createdAt.toISOString(),
  };
}

function economicsOf(p: ProductWithState): ProductViewShape['economics'] {
  const floor = floorTenge(p);
  const at = (price: number | null) => (price === null ? null : profitAt(price, p));
  return {
    commissionPercent: p.commissionPercent ?? DEFAULT_COMMISSION_PERCENT,
    floor,
    atPrice: at(p.price),
    atFloor: at(floor),
    atCeiling: at(p.maxPrice),
  };
}

export const PriceChangeView = z
  .object({
    id: Uuid,
    productId: Uuid,
    source: z.enum(['demper', 'manual', 'preorder']),
    cycle: z.int().meta({ description: 'The demper cycle that decided it (manual changes count down from -1)' }),
    status: z.enum(PRICE_CHANGE_STATUSES).meta({
      description:
        '`pending` (to be pushed), `sent`, `proposed` (a dry run’s), `applied` (a proposal the merchant applied), ' +
        '`superseded` (a newer decision came first), `deferred` (the change budget or a breaker), `failed`',
    }),
    reason: z.union([z.enum(PRICE_REASONS), z.enum(['manual', PREORDER_SET, PREORDER_CLEAR])]),
    oldPrice: Tenge.nullable(),
    newPrice: Tenge,
    cityId: z.string().nullable().meta({ description: 'The one city changed, when only one was' }),
    cityName: z.string().nullable(),
    cityPrices: z
      .array(z.object({ cityId: z.string(), price: Tenge }))
      .meta({ description: 'Every city price the push carries' }),
    rival: z
      .object({ merchantId: z.string(), merchantName: z.string().nullable(), price: Tenge })
      .nullable()
      .meta({ description: 'The rival whose price set the target' }),
    error: z.string().nullable(),
    createdAt: Timestamp,
    sentAt: Timestamp.nullable(),
  })
  .meta({ id: 'PriceChange' });

export type PriceChangeViewShape = z.infer<typeof PriceChangeView>;

export function priceChangeView(c: PriceChange): PriceChangeViewShape {
  const { detail } = c;
  const rival = detail.changes.find((d) => d.rival)?.rival ?? null;
  return {
    id: c.id,
    productId: c.productId,
    source: c.source,
    cycle: c.cycle,
    status: c.status,
    reason: c.reason as PriceChangeViewShape['reason'],
    oldPrice: c.oldPrice,
    newPrice: c.newPrice,
    cityId: c.cityId,
    cityName: c.cityId ? (cityName(c.cityId) ?? null) : null,
    cityPrices: detail.cityPrices.map((p) => ({ cityId: p.cityId, price: p.value })),
    rival: rival && {
      merchantId: rival.merchantId,
      merchantName: detail.rivalNames?.[rival.merchantId] ?? null,
      price: rival.priceTenge,
    },
    error: c.error,
    createdAt: c.createdAt.toISOString(),
    sentAt: c.sentAt?.toISOString() ?? null,
  };
}

/** A decision with the product it concerns, as lists across products and the live stream give it. */
export const StoreDecisionView = PriceChangeView.extend({ productName: z.string() }).meta({ id: 'StoreDecisionEvent' });

/**
 * Products as answers show them, in the order of `ids`: with their state, and their store's cities
 * and the storefront's address. The caller has checked that the products are the user's.
 */
export async function renderProducts(
  db: Db,
  urls: Config['kaspi'],
  ids: readonly string[],
): Promise<ProductViewShape[]> {
  const rows = new Map((await productsWithState(db, ids)).map((p) => [p.id, p]));
  const storeIds = [...new Set([...rows.values()].map((p) => p.storeId))];
  const stores = storeIds.length
    ? await db
        .select({ id: kaspiStores.id, points: kaspiStores.points })
        .from(kaspiStores)
        .where(inArray(kaspiStores.id, storeIds))
    : [];
  const points = new Map(stores.map((s) => [s.id, s.points]));
  return ids.flatMap((id) => {
    const p = rows.get(id);
    return p ? [productView(p, points.get(p.storeId) ?? [], urls)] : [];
  });
}
