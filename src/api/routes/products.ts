import { z } from 'zod';
import type { ProductSettings } from '../../domain/product-settings';
import { listProducts, type ProductSortField } from '../../products/listing';
import { NoCityToPrice, recordManualPrice } from '../../products/manual-price';
import { KaspiUnreadable, NoCompetingCity, readProductOffers } from '../../products/offers';
import { MarginUnreachable, NoLivePrice, relativeBounds } from '../../products/relative-bounds';
import { changeProductSettings } from '../../products/settings-change';
import { ActiveLimitReached, SettingsRejected } from '../../products/settings-update';
import { isDemperRunning, wakeDemper } from '../../stores/demper-control';
import type { ApiDeps } from '../app';
import { currentUser } from '../auth';
import { HttpError } from '../problem';
import type { ApiRouter } from '../routing';
import { IdParams, PaginationQuery, paginated } from '../schemas';
import { tenantScope, type Product } from '../tenancy';
import { priceChangeView, PriceChangeView, ProductView, productView, renderProducts } from '../views';
import {
  BatchBody,
  ManualPriceBody,
  OffersQuery,
  OffersView,
  ProductListQuery,
  ProductSettingsPatch,
  settingsExample,
} from './products.schemas';

/**
 * The problems with a settings change that a merchant can fix, named by field (`prefix` is where the
 * settings sit in the request); anything else is passed on as it is.
 */
function settingsProblem(error: unknown, products: readonly Product[], prefix: string): unknown {
  if (error instanceof SettingsRejected) {
    return new HttpError(400, 'The product settings are not valid.', {
      type: 'urn:kaspi-demper:validation',
      errors: error.issues.map((i) => ({
        field: `${prefix}.${i.field}`,
        message: products.length > 1 ? `${i.message} (product ${products[i.index]!.id})` : i.message,
      })),
    });
  }
  if (error instanceof ActiveLimitReached) {
    return new HttpError(422, error.message, {
      type: 'urn:kaspi-demper:plan-limit',
      extra: { limit: error.limit, wouldBe: error.wouldBe },
    });
  }
  if (error instanceof NoLivePrice || error instanceof MarginUnreachable) {
    return new HttpError(400, 'The request is not valid.', {
      type: 'urn:kaspi-demper:validation',
      errors: [{ field: `body.${error.field}`, message: error.message }],
    });
  }
  return error;
}

export function productRoutes(api: ApiRouter, deps: Pick<ApiDeps, 'db' | 'temporal' | 'config' | 'readChannel'>) {
  const control = { db: deps.db, temporal: deps.temporal, config: deps.config };
  const render = (ids: readonly string[]) => renderProducts(deps.db, deps.config.kaspi, ids);

  /** Changes the products' settings, each by its own patch, with the problems a merchant can fix named by field. */
  const update = async (
    userId: string,
    owned: Product[],
    patchOf: (product: Product) => Partial<ProductSettings>,
    prefix: string,
  ) => {
    try {
      return await changeProductSettings(
        control,
        userId,
        owned.map((product) => ({ product, patch: patchOf(product) })),
      );
    } catch (error) {
      throw settingsProblem(error, owned, prefix);
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
      responses: {
        200: {
          description: 'Products, newest first unless `sort` says otherwise',
          schema: paginated(ProductView, 'ProductPage'),
        },
      },
    },
    async ({ params, query }, req, res) => {
      const store = await tenantScope(deps.db, currentUser(req).userId).store(params.id);
      const sort = query.sort
        ? { field: query.sort.replace(/^-/, '') as ProductSortField, descending: query.sort.startsWith('-') }
        : null;
      const { items, total } = await listProducts(
        deps.db,
        store.id,
        { active: query.active, search: query.search, state: query.state, noFloor: query.noFloor },
        sort,
        query,
      );
      res.json({
        items: items.map((p) => productView(p, store.points, deps.config.kaspi)),
        page: query.page,
        limit: query.limit,
        total,
      });
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
      description:
        'Switching a product on counts against the plan (20 active products without a subscription: 422 beyond).',
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
      await update(userId, [product], () => body, 'body');
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
      responses: {
        200: { description: 'The products as they are now', schema: z.object({ items: z.array(ProductView) }) },
      },
    },
    async ({ body }, req, res) => {
      const { userId } = currentUser(req);
      const owned = await tenantScope(deps.db, userId).products(body.productIds);
      await update(
        userId,
        owned,
        (product) => ({ ...body.settings, ...relativeBounds({ ...product, ...body.settings }, body) }),
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
      let offers;
      try {
        offers = await readProductOffers(
          { channel: deps.readChannel, urls: deps.config.kaspi, timeoutMs: deps.config.kaspiClient.timeoutMs },
          product,
          store,
          query.cityId,
        );
      } catch (error) {
        if (error instanceof NoCompetingCity) throw new HttpError(422, error.message);
        if (error instanceof KaspiUnreadable) {
          throw new HttpError(503, error.message, { headers: { 'Retry-After': String(error.retryAfterSeconds) } });
        }
        throw error;
      }
      res.json({ productId: product.id, kaspiProductId: product.kaspiProductId, ...offers });
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
        change = await recordManualPrice(deps.db, product, store.points, {
          priceTenge: body.price,
          cityPrices: body.cityPrices,
        });
      } catch (error) {
        if (error instanceof NoCityToPrice) throw new HttpError(422, `${error.message}.`);
        throw error;
      }
      await wakeDemper(control, store.id, 'manual_price');
      res.status(202).json(priceChangeView(change));
    },
  );
}
