/** Request and response schemas of the product routes (`products.ts`), as the OpenAPI document names them. */
import { z } from 'zod';
import { PRODUCT_SORTS, PRODUCT_STATES } from '../../products/listing';
import { PaginationQuery, Tenge, Uuid } from '../schemas';
import { settingsPatchShape } from '../views';

export const ProductSettingsPatch = z.strictObject(settingsPatchShape).meta({
  id: 'ProductSettingsPatch',
  description:
    'Demper settings; only the fields given change. Money in whole tenge; a product needs minPrice (or cost) ' +
    'before the demper lowers its price.',
});

export const settingsExample = {
  active: true,
  strategy: 'undercut',
  minPrice: 9_500,
  maxPrice: 14_000,
  step: 1,
} as const;

const CityId = z
  .string()
  .regex(/^\d{9}$/, 'must be a 9-digit Kaspi city id')
  .meta({ example: '750000000' });

const SORT_VALUES = PRODUCT_SORTS.flatMap((f) => [f, `-${f}`] as const);

export const ProductListQuery = z.strictObject({
  ...PaginationQuery.shape,
  active: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .meta({ description: 'Only products switched on (true) or off (false)' }),
  search: z.string().trim().min(1).max(100).optional().meta({ description: 'Part of the name, SKU or card id' }),
  state: z.enum(PRODUCT_STATES).optional().meta({ description: 'Only products in this state (see `Product.state`)' }),
  noFloor: z
    .enum(['true'])
    .transform(() => true)
    .optional()
    .meta({
      description: 'Only products switched on without a floor (neither minPrice nor cost with a minimum margin)',
    }),
  sort: z.enum(SORT_VALUES).optional().meta({
    description: 'Sort by a field, ascending, or descending with `-`; empty values last. Default: newest first',
  }),
});

export const BatchBody = z
  .strictObject({
    productIds: z
      .array(z.uuid())
      .min(1)
      .max(500)
      .refine((ids) => new Set(ids).size === ids.length, 'must not repeat an id'),
    settings: ProductSettingsPatch,
    floorPercentBelowPrice: z.number().min(0).max(90).optional().meta({
      description: "Set each product's minPrice this many percent under its own live price (rounded up to whole tenge)",
    }),
    floorFromMarginPercent: z
      .number()
      .min(0)
      .max(99)
      .optional()
      .meta({
        description:
          "Set each product's minPrice to the lowest whole-tenge price that keeps this margin (profit over price) " +
          'after its commission, tax, delivery and cost; each product needs a cost',
      }),
    ceilingPercentAbovePrice: z.number().min(0).max(500).optional().meta({
      description:
        "Set each product's maxPrice this many percent over its own live price (rounded down to whole tenge)",
    }),
  })
  .refine(
    (b) =>
      b.floorFromMarginPercent === undefined ||
      (b.settings.minPrice === undefined && b.floorPercentBelowPrice === undefined),
    {
      message: 'give one of settings.minPrice, floorPercentBelowPrice and floorFromMarginPercent',
      path: ['floorFromMarginPercent'],
    },
  )
  .refine((b) => b.floorPercentBelowPrice === undefined || b.settings.minPrice === undefined, {
    message: 'give either settings.minPrice or floorPercentBelowPrice',
    path: ['floorPercentBelowPrice'],
  })
  .refine((b) => b.ceilingPercentAbovePrice === undefined || b.settings.maxPrice === undefined, {
    message: 'give either settings.maxPrice or ceilingPercentAbovePrice',
    path: ['ceilingPercentAbovePrice'],
  })
  .meta({ id: 'ProductBatch' });

export const OffersQuery = z.strictObject({
  cityId: CityId.optional().meta({ description: "Default: the product's first city" }),
});

const OfferView = z.object({
  position: z.int(),
  merchantId: z.string(),
  merchantName: z.string(),
  price: Tenge,
  merchantRating: z.number().nullable(),
  deliveryDuration: z.string().nullable(),
  ours: z.boolean(),
});

export const OffersView = z
  .object({
    productId: Uuid,
    kaspiProductId: z.string(),
    cityId: z.string(),
    ourPosition: z.int().nullable(),
    total: z.int(),
    offers: z.array(OfferView),
  })
  .meta({ id: 'ProductOffers' });

export const ManualPriceBody = z
  .strictObject({
    price: Tenge.min(1).optional().meta({ description: 'One price for every city the product sells in' }),
    cityPrices: z
      .record(CityId, Tenge.min(1))
      .optional()
      .meta({ description: 'Prices per city, over `price` and the live ones' }),
  })
  .refine((b) => b.price !== undefined || (b.cityPrices !== undefined && Object.keys(b.cityPrices).length > 0), {
    message: 'give price or cityPrices',
    path: ['price'],
  })
  .meta({ id: 'ManualPrice' });
