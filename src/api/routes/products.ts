import { z } from 'zod';
import { competingCities } from '../../domain/city-prices';
import { minusPercentRoundedUp, plusPercentRoundedDown } from '../../domain/money';
import type { ProductSettings } from '../../domain/product-settings';
import { readCards } from '../../demper/card-reader';
import { listProducts, PRODUCT_SORTS, PRODUCT_STATES, type ProductSortField } from '../../products/listing';
import { recordManualPrice } from '../../products/manual-price';
import { ActiveLimitReached, SettingsRejected, updateProductSettings } from '../../products/settings-update';
import { isDemperRunning, wakeDemper } from '../../stores/demper-control';
import type { ApiDeps } from '../app';
import { currentUser } from '../auth';
import { HttpError } from '../problem';
import type { ApiRouter } from '../routing';
import { IdParams, PaginationQuery, Tenge, Uuid, paginated } from '../schemas';
import { tenantScope, type Product } from '../tenancy';
import { priceChangeView, PriceChangeView, ProductView, productView, renderProducts, settingsPatchShape } from '../views';

const ProductSettingsPatch = z.strictObject(settingsPatchShape).meta({
  id: 'ProductSettingsPatch',
  description:
    'Demper settings; only the fields given change. Money in whole tenge; a product needs minPrice (or cost) ' +
    'before the demper lowers its price.',
});

const settingsExample = { active: true, strategy: 'undercut', minPrice: 9_500, maxPrice: 14_000, step: 1 } as const;

const CityId = z.string().regex(/^\d{9}$/, 'must be a 9-digit Kaspi city id').meta({ example: '750000000' });

const SORT_VALUES = PRODUCT_SORTS.flatMap((f) => [f, `-${f}`] as const);

const ProductListQuery = z.strictObject({
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
    .meta({ description: 'Only products switched on without a floor (neither minPrice nor cost with a minimum margin)' }),
  sort: z
    .enum(SORT_VALUES)
    .optional()
    .meta({ description: 'Sort by a field, ascending, or descending with `-`; empty values last. Default: newest first' }),
});

const BatchBody = z
  .strictObject({
    productIds: z
      .array(z.uuid())
      .min(1)
      .max(500)
      .refine((ids) => new Set(ids).size === ids.length, 'must not repeat an id'),
    settings: ProductSettingsPatch,
    floorPercentBelowPrice: z
      .number()
      .min(0)
      .max(90)
      .optional()
      .meta({ description: "Set each product's minPrice this many percent under its own live price (rounded up to whole tenge)" }),
    ceilingPercentAbovePrice: z
      .number()
      .min(0)
      .max(500)
      .optional()
      .meta({ description: "Set each product's maxPrice this many percent over its own live price (rounded down to whole tenge)" }),
  })
  .refine((b) => b.floorPercentBelowPrice === undefined || b.settings.minPrice === undefined, {
    message: 'give either settings.minPrice or floorPercentBelowPrice',
    path: ['floorPercentBelowPrice'],
  })
  .refine((b) => b.ceilingPercentAbovePrice === undefined || b.settings.maxPrice === undefined, {
    message: 'give either settings.maxPrice or ceilingPercentAbovePrice',
    path: ['ceilingPercentAbovePrice'],
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

/**
 * A batch's floor and ceiling given as percentages of each product's own live price. A product
 * without a known price cannot take one: the whole batch is refused, naming it.
 */
function relativeBounds(
  product: Product,
  body: { floorPercentBelowPrice?: number; ceilingPercentAbovePrice?: number },
): Partial<ProductSettings> {
  const bounds: Partial<ProductSettings> = {};
  if (body.floorPercentBelowPrice === undefined && body.ceilingPercentAbovePrice === undefined) return bounds;
  if (product.price === null) {
    throw new HttpError(400, 'The request is not valid.', {
      type: 'urn:kaspi-demper:validation',
      errors: [
        {
          field: body.floorPercentBelowPrice !== undefined ? 'body.floorPercentBelowPrice' : 'body.ceilingPercentAbovePrice',
          message: `product ${product.id} has no live price yet; sync the catalog first`,
        },
      ],
    });
  }
  if (body.floorPercentBelowPrice !== undefined) bounds.minPrice = Math.max(1, minusPercentRoundedUp(product.price, body.floorPercentBelowPrice));
  if (body.ceilingPercentAbovePrice !== undefined) bounds.maxPrice = plusPercentRoundedDown(product.price, body.ceilingPercentAbovePrice);
  return bounds;
}

export function productRoutes(api: ApiRouter, deps: Pick<ApiDeps, 'db' | 'temporal' | 'config' | 'readChannel'>) {
  const control = { db: deps.db, temporal: deps.temporal, config: deps.config };
  const render = (ids: readonly string[]) => renderProducts(deps.db, deps.config.kaspi, ids);

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
      responses: { 200: { description: 'Products, newest first unless `sort` says otherwise', schema: paginated(ProductView, 'ProductPage') } },
    },
    async ({ params, query }, req, res) => {
      const store = await tenantScope(deps.db, currentUser(req).userId).store(params.id);
      const sort = query.sort ? { field: query.sort.replace(/^-/, '') as ProductSortField, descending: query.sort.startsWith('-') } : null;
      const { items, total } = await listProducts(
        deps.db,
        store.id,
        { active: query.active, search: query.search, state: query.state, noFloor: query.noFloor },
        sort,
        query,
      );
      res.json({ items: items.map((p) => productView(p, store.points, deps.config.kaspi)), page: query.page, limit: query.limit, total });
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
      const product = await tenantScope(deps.db, currentUser(req).userId).product(params.id);
      res.json((await render([product.id]))[0]);
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
      await update(userId, [{ product, patch: body }], 'body');
      res.json((await render([product.id]))[0]);
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
      await update(
        userId,
        owned.map((product) => ({ product, patch: { ...body.settings, ...relativeBounds(product, body) } })),
        'body.settings',
      );
      res.json({ items: await render(body.productIds) });
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
