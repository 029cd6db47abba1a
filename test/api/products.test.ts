import { beforeAll, describe, expect, it } from 'vitest';
import { ALMATY, ASTANA } from '../../src/kaspi/cities';
import { isDemperRunning } from '../../src/stores/demper-control';
import { useTestApi } from '../support/env';
import { connectStore, control, startLoop, useDemperStack } from '../support/demper';
import { waitFor } from '../support/wait';
import { call, registerMerchant, type Merchant } from '../support/http';
import { seedProduct } from '../support/seed';

const OURS = '31700001';
const RIVAL = '31800001';
const OFFERS = [1, 2, 3].map((n) => ({ sku: `SKU-${n}`, productId: `94000000${n}`, model: `Чайник Tefal ${n}00` }));

/**
 * The catalog and product API against the sandbox cabinet: a sync imports the offer list and never
 * touches settings, settings are validated as a whole and count against the plan's 20 active
 * products, a product switched on is checked at once, and the live offers, the price history and
 * a manual price work end to end.
 */
describe('products and catalog sync', () => {
  const { sandbox, ctx } = useDemperStack({
    market: {
      merchants: [
        {
          uid: OURS,
          name: 'Мы',
          points: [
            { code: 'PP1', cityId: ALMATY },
            { code: 'PP2', cityId: ASTANA },
          ],
          rating: 4.9,
        },
        { uid: RIVAL, name: 'Соперник', points: [{ code: 'PP1', cityId: ALMATY }], rating: 4.2 },
      ],
      offers: [
        ...OFFERS.map((o) => ({
          merchantUid: OURS,
          ...o,
          price: 10_000,
          cityPrices: { [ALMATY]: 10_000, [ASTANA]: 10_500 },
        })),
        { merchantUid: RIVAL, sku: 'R-1', productId: OFFERS[0]!.productId, price: 9_490.5 },
      ],
    },
  });
  const api = useTestApi(ctx);
  let merchant: Merchant;
  let store: { id: string; userId: string };
  const byId: Record<string, string> = {};

  const as = () => ({ token: merchant.token });
  const products = async (query = '') =>
    (await call(api.url, 'GET', `/api/v1/stores/${store.id}/products${query}`, as())).body;
  const sync = async () => {
    expect((await call(api.url, 'POST', `/api/v1/stores/${store.id}/sync`, as())).status).toBe(202);
    return waitFor('the sync to finish', async () => {
      const progress = (await call(api.url, 'GET', `/api/v1/stores/${store.id}/sync`, as())).body;
      return progress.state === 'done' && progress;
    });
  };

  beforeAll(async () => {
    merchant = await registerMerchant(api.url, 'products');
    ({ store } = await connectStore(ctx, sandbox, OURS, {
      userId: merchant.id,
      // Long intervals: only a wake makes the loop look at a product soon.
      demperConfig: { intervalSeconds: 3_600, hotIntervalSeconds: 3_600 },
    }));
  });

  it('imports the cabinet offer list', async () => {
    expect((await call(api.url, 'GET', `/api/v1/stores/${store.id}/sync`, as())).body).toMatchObject({
      state: 'never',
    });
    const progress = await sync();
    expect(progress).toMatchObject({ pagesDone: 1, offersSeen: 3, created: 3, updated: 0, vanished: 0 });
    const list = await products();
    expect(list).toMatchObject({ total: 3, page: 1, limit: 50 });
    for (const o of OFFERS) {
      const item = list.items.find((p: { sku: string }) => p.sku === o.sku);
      expect(item).toMatchObject({
        kaspiProductId: o.productId,
        name: o.model,
        price: 10_000,
        cityPrices: { [ALMATY]: 10_000, [ASTANA]: 10_500 },
        active: false,
        minPrice: null,
        maxPrice: null,
        position: null,
      });
      byId[o.sku] = item.id;
    }
    expect((await products('?search=tefal%202')).items.map((p: { sku: string }) => p.sku)).toEqual(['SKU-2']);
    expect((await products('?active=true')).total).toBe(0);
  });

  it('validates settings as a whole and names the fields', async () => {
    const path = `/api/v1/products/${byId['SKU-1']}`;
    const crossed = await call(api.url, 'PATCH', path, { ...as(), body: { minPrice: 9_000, maxPrice: 8_000 } });
    expect(crossed.status).toBe(400);
    expect(crossed.body.errors).toEqual([expect.objectContaining({ field: 'body.maxPrice' })]);
    const fractional = await call(api.url, 'PATCH', path, { ...as(), body: { minPrice: 9_000.5 } });
    expect(fractional.body.errors).toEqual([
      expect.objectContaining({ field: 'body.minPrice', message: 'must be whole tenge' }),
    ]);
    const unknown = await call(api.url, 'PATCH', path, { ...as(), body: { floor: 9_000 } });
    expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'body.floor' })]);
    const ok = await call(api.url, 'PATCH', path, {
      ...as(),
      body: { minPrice: 9_000, maxPrice: 12_000, excludedMerchants: ['30000009'] },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      minPrice: 9_000,
      maxPrice: 12_000,
      step: 1,
      strategy: 'undercut',
      excludedMerchants: ['30000009'],
      active: false,
    });
  });

  it('checks a product at once when it is switched on', async () => {
    await startLoop(ctx, store);
    await waitFor(
      'the loop to settle',
      async () => ((await call(api.url, 'GET', `/api/v1/stores/${store.id}/demper`, as())).body.cycle ?? 0) >= 1,
    );
    const switchedOn = await call(api.url, 'PATCH', `/api/v1/products/${byId['SKU-1']}`, {
      ...as(),
      body: { active: true },
    });
    expect(switchedOn.body).toMatchObject({ active: true, nextCheckAt: null });
    // The loop sleeps for an hour unless woken: a check within seconds means the switch woke it.
    const checked = await waitFor(
      'the first check',
      async () => {
        const product = (await call(api.url, 'GET', `/api/v1/products/${byId['SKU-1']}`, as())).body;
        return product.lastCheckAt && product;
      },
      15_000,
    );
    expect(checked).toMatchObject({ position: 2, cheapestRival: { merchantId: RIVAL, price: 9_490 } });
    await waitFor(
      'first place',
      () => sandbox.market.card(OFFERS[0]!.productId, ALMATY)[0]?.offer.merchantUid === OURS,
      15_000,
    );
    const history = await waitFor('the change in the history', async () => {
      const page = (await call(api.url, 'GET', `/api/v1/products/${byId['SKU-1']}/price-changes`, as())).body;
      return page.items.find((c: { status: string }) => c.status === 'sent') && page;
    });
    expect(history.items[0]).toMatchObject({
      source: 'demper',
      reason: 'undercut',
      oldPrice: 10_000,
      newPrice: 9_489,
      cityId: ALMATY,
      rival: { merchantId: RIVAL, price: 9_490 },
      cityPrices: [
        { cityId: ASTANA, price: 10_500 },
        { cityId: ALMATY, price: 9_489 },
      ],
    });
  });

  it('shows the live competing offers of a product', async () => {
    const reply = await call(api.url, 'GET', `/api/v1/products/${byId['SKU-1']}/offers?cityId=${ALMATY}`, as());
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ cityId: ALMATY, ourPosition: 1, total: 2 });
    expect(reply.body.offers).toEqual([
      expect.objectContaining({ position: 1, merchantId: OURS, price: 9_489, ours: true }),
      expect.objectContaining({ position: 2, merchantId: RIVAL, price: 9_490, ours: false }),
    ]);
    // Without cityId: the product's first city.
    const astana = await call(api.url, 'GET', `/api/v1/products/${byId['SKU-1']}/offers`, as());
    expect(astana.body).toMatchObject({ cityId: ASTANA, ourPosition: 1, total: 1 });
    expect(astana.body.offers).toEqual([expect.objectContaining({ merchantId: OURS, price: 10_500 })]);
  });

  it('pushes a manual price through the loop', async () => {
    const reply = await call(api.url, 'POST', `/api/v1/products/${byId['SKU-2']}/price`, {
      ...as(),
      body: { price: 11_111 },
    });
    expect(reply.status).toBe(202);
    expect(reply.body).toMatchObject({ source: 'manual', reason: 'manual', status: 'pending', newPrice: 11_111 });
    expect(reply.body.cycle).toBeLessThan(0);
    await waitFor(
      'the manual price on Kaspi',
      () => sandbox.market.offer(OURS, 'SKU-2')!.cityPrices.get(ASTANA) === 11_111,
      15_000,
    );
    const history = (await call(api.url, 'GET', `/api/v1/products/${byId['SKU-2']}/price-changes`, as())).body;
    expect(history.items[0]).toMatchObject({ id: reply.body.id, status: 'sent' });
    const invalid = await call(api.url, 'POST', `/api/v1/products/${byId['SKU-2']}/price`, {
      ...as(),
      body: { price: 0 },
    });
    expect(invalid.status).toBe(400);
  });

  it('syncs again without touching settings, and marks offers that left the cabinet', async () => {
    const renamed = sandbox.market.offer(OURS, 'SKU-3')!;
    sandbox.market.mutate(renamed, () => {
      renamed.model = 'Чайник Tefal 300 Pro';
    });
    const archived = sandbox.market.offer(OURS, 'SKU-2')!;
    sandbox.market.mutate(archived, () => {
      archived.listed = false;
    });
    const progress = await sync();
    expect(progress).toMatchObject({ offersSeen: 2, created: 0, updated: 2, vanished: 1 });
    const list = (await products()).items;
    expect(list.find((p: { sku: string }) => p.sku === 'SKU-3').name).toBe('Чайник Tefal 300 Pro');
    expect(list.find((p: { sku: string }) => p.sku === 'SKU-2').vanishedAt).not.toBeNull();
    expect(list.find((p: { sku: string }) => p.sku === 'SKU-1')).toMatchObject({
      active: true,
      minPrice: 9_000,
      maxPrice: 12_000,
      excludedMerchants: ['30000009'],
      price: 9_489,
    });
  });

  it('keeps at most 20 products switched on without a subscription, all or nothing', async () => {
    const more = [];
    for (let n = 0; n < 20; n++) more.push((await seedProduct(ctx.db, store.id, { minPrice: 100 })).id);
    // SKU-1 is on already: 20 more would make 21.
    const tooMany = await call(api.url, 'POST', '/api/v1/products/batch', {
      ...as(),
      body: { productIds: more, settings: { active: true } },
    });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.detail).toMatch(/At most 20 products/);
    expect((await products('?active=true')).total).toBe(1);

    const nineteen = await call(api.url, 'POST', '/api/v1/products/batch', {
      ...as(),
      body: { productIds: more.slice(0, 19), settings: { active: true, step: 5 } },
    });
    expect(nineteen.status).toBe(200);
    expect(nineteen.body.items).toHaveLength(19);
    expect((await products('?active=true&limit=1')).total).toBe(20);
    const oneMore = await call(api.url, 'PATCH', `/api/v1/products/${more[19]}`, { ...as(), body: { active: true } });
    expect(oneMore.status).toBe(422);

    const badBatch = await call(api.url, 'POST', '/api/v1/products/batch', {
      ...as(),
      body: { productIds: [byId['SKU-1'], more[19]], settings: { maxPrice: 50 } },
    });
    expect(badBatch.status).toBe(400);
    expect(badBatch.body.errors[0].field).toBe('body.settings.maxPrice');
  });

  it('reports a sync that Kaspi refused the session for, and pauses the store', async () => {
    sandbox.auth.expireSessions({ merchantUid: OURS });
    expect((await call(api.url, 'POST', `/api/v1/stores/${store.id}/sync`, as())).status).toBe(202);
    const failed = await waitFor('the sync to fail', async () => {
      const progress = (await call(api.url, 'GET', `/api/v1/stores/${store.id}/sync`, as())).body;
      return progress.state === 'failed' && progress;
    });
    expect(failed.error).toMatch(/session_expired/);
    expect((await call(api.url, 'GET', `/api/v1/stores/${store.id}`, as())).body).toMatchObject({
      sessionState: 'needs_reauth',
      demperPausedReason: 'needs_reauth',
    });
    await waitFor(
      'the paused loop',
      async () => (await call(api.url, 'GET', `/api/v1/stores/${store.id}/demper`, as())).body.state === 'paused',
    );
  });

  it('stops the loop when the store is deleted', async () => {
    expect(await isDemperRunning(control(ctx), store.id)).toBe(true);
    expect((await call(api.url, 'DELETE', `/api/v1/stores/${store.id}`, as())).status).toBe(204);
    await waitFor('the loop to stop', async () => !(await isDemperRunning(control(ctx), store.id)));
  });
});
