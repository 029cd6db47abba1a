import { z } from 'zod';
import { competingCities } from '../../domain/city-prices';
import { PRICE_REASONS } from '../../domain/pricing';
import { productSettingsSchema, type ProductSettings } from '../../domain/product-settings';
import { PRICE_CHANGE_STATUSES } from '../../db/schema';
import type { ChangeDetail } from '../../demper/check';
import { readCards } from '../../demper/card-reader';
import { PREORDER_CLEAR, PREORDER_SET } from '../../preorders/pricefeed';
import { recordManualPrice } from '../../products/manual-price';
import { settingsColumns } from '../../products/settings';
import { ActiveLimitReached, SettingsRejected, updateProductSettings } from '../../products/settings-update';
import { isDemperRunning, wakeDemper } from '../../stores/demper-control';
import type { ApiDeps } from '../app';
import { currentUser } from '../auth';
import { HttpError } from '../problem';
import type { ApiRouter } from '../routing';
import { IdParams, PaginationQuery, Tenge, Timestamp, Uuid, paginated } from '../schemas';
import { tenantScope, type PriceChange, type Product } from '../tenancy';

type SettingsShape = typeof productSettingsSchema.shape;
type PatchShape = { [K in keyof SettingsShape]: z.ZodOptional<SettingsShape[K] extends z.ZodDefault<infer T> ? T : SettingsShape[K]> };

/** Every setting of the domain's contract, optional and without defaults: a patch changes only what it names. */
const settingsPatchShape = Object.fromEntries(
  Object.entries(productSettingsSchema.shape).map(([key, schema]) => [
    key,
    (schema instanceof z.ZodDefault ? (schema.unwrap() as z.ZodType) : schema).optional(),
  ]),
) as unknown as PatchShape;

const ProductSettingsPatch = z.strictObject(settingsPatchShape).meta({
  id: 'ProductSettingsPatch',
  description:
    'Demper settings; only the fields given change. Money in whole tenge; a product needs minPrice (or cost) ' +
    'before the demper lowers its price.',
});

const settingsExample = { active: true, strategy: 'undercut', minPrice: 9_500, maxPrice: 14_000, step: 1 } as const;

const CityId = z.string().regex(/^\d{9}$/, 'must be a 9-digit Kaspi city id').meta({ example: '750000000' });

const ProductView = z
  .object({
    id: Uuid,
    storeId: Uuid,
    sku: z.string().meta({ example: '130342357_673822557' }),
    kaspiProductId: z.string().meta({ description: "Kaspi's product card id", example: '130342357' }),
    name: z.string(),
    brand: z.string().nullable(),
    price: Tenge.nullable().meta({ description: 'Live price as last seen or pushed (the lowest of the city prices)' }),
    cityPrices: z.record(z.string(), Tenge),
    ...z.object(settingsPatchShape).required().shape,
    position: z.int().nullable().meta({ description: 'Our place on the card at the last check (the worst over its cities)' }),
    cheapestRival: z
      .object({ merchantId: z.string(), price: Tenge })
      .nullable()
      .meta({ description: 'The cheapest competing offer at the last check' }),
    lastCheckAt: Timestamp.nullable(),
    nextCheckAt: Timestamp.nullable(),
    preorderDays: z.int().nullable(),
    vanishedAt: Timestamp.nullable().meta({ description: 'Set when the offer left the cabinet list' }),
    createdAt: Timestamp,
  })
  .meta({ id: 'Product' });

function productView(p: Product): z.infer<typeof ProductView> {
  return {
    id: p.id,
    storeId: p.storeId,
    sku: p.sku,
    kaspiProductId: p.kaspiProductId,
    name: p.name,
    brand: p.brand,
    price: p.price,
    cityPrices: p.cityPrices,
    ...settingsColumns(p),
    position: p.position,
    cheapestRival:
      p.cheapestRivalMerchant !== null && p.cheapestRivalPrice !== null
        ? { merchantId: p.cheapestRivalMerchant, price: p.cheapestRivalPrice }
        : null,
    lastCheckAt: p.lastCheckAt?.toISOString() ?? null,
    nextCheckAt: p.nextCheckAt?.toISOString() ?? null,
    preorderDays: p.preorderDays,
    vanishedAt: p.vanishedAt?.toISOString() ?? null,
    createdAt: p.createdAt.toISOString(),
  };
}

const PriceChangeView = z
  .object({
    id: Uuid,
    productId: Uuid,
    source: z.enum(['demper', 'manual', 'preorder']),
    cycle: z.int().meta({ description: 'The demper cycle that decided it (manual changes count down from -1)' }),
    status: z.enum(PRICE_CHANGE_STATUSES),
    reason: z.union([z.enum(PRICE_REASONS), z.enum(['manual', PREORDER_SET, PREORDER_CLEAR])]),
    oldPrice: Tenge.nullable(),
    newPrice: Tenge,
    cityId: z.string().nullable().meta({ description: 'The one city changed, when only one was' }),
    cityPrices: z.array(z.object({ cityId: z.string(), price: Tenge })).meta({ description: 'Every city price the push carries' }),
    rival: z
      .object({ merchantId: z.string(), price: Tenge })
      .nullable()
      .meta({ description: 'The rival whose price set the target' }),
    error: z.string().nullable(),
    createdAt: Timestamp,
    sentAt: Timestamp.nullable(),
  })
  .meta({ id: 'PriceChange' });

function priceChangeView(c: PriceChange): z.infer<typeof PriceChangeView> {
  const detail = c.detail as unknown as Partial<ChangeDetail>;
  const rival = detail.changes?.find((d) => d.rival)?.rival ?? null;
  return {
    id: c.id,
    productId: c.productId,
    source: c.source,
    cycle: c.cycle,
    status: c.status,
    reason: c.reason as z.infer<typeof PriceChangeView>['reason'],
    oldPrice: c.oldPrice,
    newPrice: c.newPrice,
    cityId: c.cityId,
    cityPrices: (detail.cityPrices ?? []).map((p) => ({ cityId: p.cityId, price: p.value })),
    rival: rival && { merchantId: rival.merchantId, price: rival.priceTenge },
    error: c.error,
    createdAt: c.createdAt.toISOString(),
    sentAt: c.sentAt?.toISOString() ?? null,
  };
}

const ProductListQuery = z.strictObject({
  ...PaginationQuery.shape,
  active: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .meta({ description: 'Only products switched on (true) or off (false)' }),
  search: z.string().trim().min(1).max(100).optional().meta({ description: 'Part of the name, SKU or card id' }),
});

const BatchBody = z
  .strictObject({
    productIds: z
      .array(z.uuid())
      .min(1)
      .max(500)
      .refine((ids) => new Set(ids).size === ids.length, 'must not repeat an id'),
    settings: ProductSettingsPatch,
  })
  .meta({ id: 'ProductBatch' });

const OffersQuery = z.strictObject({
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

const OffersView = z
  .object({
    productId: Uuid,
    kaspiProductId: z.string(),
    cityId: z.string(),
    ourPosition: z.int().nullable(),
    total: z.int(),
    offers: z.array(OfferView),
  })
  .meta({ id: 'ProductOffers' });

const ManualPriceBody = z
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

export function productRoutes(api: ApiRouter, deps: Pick<ApiDeps, 'db' | 'temporal' | 'config' | 'readChannel'>) {
  const control = { db: deps.db, temporal: deps.temporal, config: deps.config };

  /** Settings changes, with the problems a merchant can fix named by field. */
  const update = async (userId: string, updates: { product: Product; patch: Partial<ProductSettings> }[], prefix: string) => {
    try {
      const result = await updateProductSettings(deps.db, userId, updates);
      for (const storeId of new Set(result.activated.map((p) => p.storeId))) {
        // Switched on: checked at once, not at the loop's next wake.
        await wakeDemper(control, storeId, 'product_activated');
      }
      return result.products;
    } catch (error) {
      if (error instanceof SettingsRejected) {
        throw new HttpError(400, 'The product settings are not valid.', {
          type: 'urn:kaspi-demper:validation',
          errors: error.issues.map((i) => ({
            field: `${prefix}.${i.field}`,
            message: updates.length > 1 ? `${i.message} (product ${updates[i.index]!.product.id})` : i.message,
          })),
        });
      }
      if (error instanceof ActiveLimitReached) {
        throw new HttpError(422, error.message, {
          type: 'urn:kaspi-demper:plan-limit',
          extra: { limit: error.limit, wouldBe: error.wouldBe },
        });
      }
      throw error;
    }
  };

  api.route(
    {
      method: 'get',
      path: '/stores/:id/products',
      summary: "The store's products with their live price, position, cheapest rival and last check",
      tags: ['products'],
      access: 'user',
      params: IdParams,
      query: ProductListQuery,
      responses: { 200: { description: 'Products, newest first', schema: paginated(ProductView, 'ProductPage') } },
    },
    async ({ params, query }, req, res) => {
      const scope = tenantScope(deps.db, currentUser(req).userId);
      const { items, total } = await scope.listStoreProducts(params.id, query, { active: query.active, search: query.search });
      res.json({ items: items.map(productView), page: query.page, limit: query.limit, total });
    },
  );

  api.route(
    {
      method: 'get',
      path: '/products/:id',
      summary: 'One product and its demper settings',
      tags: ['products'],
      access: 'user',
      params: IdParams,
      responses: { 200: { description: 'The product', schema: ProductView } },
    },
    async ({ params }, req, res) => {
      res.json(productView(await tenantScope(deps.db, currentUser(req).userId).product(params.id)));
    },
  );

  api.route(
    {
      method: 'patch',
      path: '/products/:id',
      summary: "Change a product's demper settings",
      description: 'Switching a product on counts against the plan (20 active products without a subscription: 422 beyond).',
      tags: ['products'],
      access: 'user',
      params: IdParams,
      body: ProductSettingsPatch,
      bodyExample: settingsExample,
      responses: { 200: { description: 'The product as it is now', schema: ProductView } },
    },
    async ({ params, body }, req, res) => {
      const { userId } = currentUser(req);
      const product = await tenantScope(deps.db, userId).product(params.id);
      const [updated] = await update(userId, [{ product, patch: body }], 'body');
      res.json(productView(updated!));
    },
  );

  api.route(
    {
      method: 'post',
      path: '/products/batch',
      summary: 'Apply the same settings to many products at once',
      description: 'All or nothing: one invalid product or a plan limit leaves every product as it was.',
      tags: ['products'],
      access: 'user',
      body: BatchBody,
      bodyExample: { productIds: ['0b9f7c4e-2f1d-4d8a-9a44-6f1f2b7c3d10'], settings: settingsExample },
      responses: { 200: { description: 'The products as they are now', schema: z.object({ items: z.array(ProductView) }) } },
    },
    async ({ body }, req, res) => {
      const { userId } = currentUser(req);
      const owned = await tenantScope(deps.db, userId).products(body.productIds);
      const updated = await update(
        userId,
        owned.map((product) => ({ product, patch: body.settings })),
        'body.settings',
      );
      res.json({ items: updated.map(productView) });
    },
  );

  api.route(
    {
      method: 'get',
      path: '/products/:id/offers',
      summary: "The product card's competing offers, read live from Kaspi",
      tags: ['products'],
      access: 'user',
      params: IdParams,
      query: OffersQuery,
      responses: {
        200: { description: 'Offers, cheapest first', schema: OffersView },
        503: { description: 'Kaspi could not be read just now (see Retry-After)' },
      },
    },
    async ({ params, query }, req, res) => {
      const scope = tenantScope(deps.db, currentUser(req).userId);
      const product = await scope.product(params.id);
      const store = await scope.store(product.storeId);
      const cityId = query.cityId ?? competingCities(product.cities, store.points)[0];
      if (!cityId) throw new HttpError(422, 'The product competes in no city: give cityId, or set up pickup points.');
      const read = await readCards(
        {
          channel: deps.readChannel,
          urls: deps.config.kaspi,
          timeoutMs: deps.config.kaspiClient.timeoutMs,
          sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
          now: () => Date.now(),
        },
        { userId: store.userId, storeId: store.id, merchantId: store.merchantUid, productId: product.kaspiProductId, cityIds: [cityId] },
      );
      const card = read.cards.get(cityId);
      if (!card) {
        const seconds = read.blockedUntil ? Math.max(1, Math.ceil((read.blockedUntil.getTime() - Date.now()) / 1000)) : 5;
        throw new HttpError(503, `Kaspi could not be read just now${read.failures[0] ? ` (${read.failures[0].kind})` : ''}.`, {
          headers: { 'Retry-After': String(seconds) },
        });
      }
      res.json({
        productId: product.id,
        kaspiProductId: product.kaspiProductId,
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
      });
    },
  );

  api.route(
    {
      method: 'get',
      path: '/products/:id/price-changes',
      summary: "The product's price history: every decision with its reason and what became of it",
      tags: ['products'],
      access: 'user',
      params: IdParams,
      query: PaginationQuery,
      responses: { 200: { description: 'Newest first', schema: paginated(PriceChangeView, 'PriceChangePage') } },
    },
    async ({ params, query }, req, res) => {
      const { items, total } = await tenantScope(deps.db, currentUser(req).userId).listPriceChanges(params.id, query);
      res.json({ items: items.map(priceChangeView), page: query.page, limit: query.limit, total });
    },
  );

  api.route(
    {
      method: 'post',
      path: '/products/:id/price',
      summary: 'Set a price by hand',
      description:
        "Pushed by the store's demper loop through the same paced, fenced path as its own changes (also while it is " +
        'paused). An active product is repriced again at its next check: switch it off to keep a manual price.',
      tags: ['products'],
      access: 'user',
      params: IdParams,
      body: ManualPriceBody,
      bodyExample: { price: 12_990 },
      responses: {
        202: { description: 'Recorded; follow it in the price history', schema: PriceChangeView },
        409: { description: "The store's demper loop is not running" },
      },
    },
    async ({ params, body }, req, res) => {
      const scope = tenantScope(deps.db, currentUser(req).userId);
      const product = await scope.product(params.id);
      const store = await scope.store(product.storeId);
      if (!(await isDemperRunning(control, store.id))) {
        throw new HttpError(409, "The store's demper loop is not running, so nothing would push the price.");
      }
      let change;
      try {
        change = await recordManualPrice(deps.db, product, store.points, { priceTenge: body.price, cityPrices: body.cityPrices });
      } catch (error) {
        if (error instanceof RangeError) throw new HttpError(422, `${error.message}.`);
        throw error;
      }
      await wakeDemper(control, store.id, 'manual_price');
      res.status(202).json(priceChangeView(change));
    },
  );
}
