import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { alerts, priceChanges } from '../../src/db/schema';
import { ALMATY } from '../../src/kaspi/cities';
import { connectStore, demperProduct, startLoop, useDemperStack } from '../support/demper';
import { useTestApi } from '../support/env';
import { call, registerMerchant, type Merchant } from '../support/http';
import { waitFor } from '../support/wait';

const OURS = '31900001';
const RIVAL = '32000001';
const card = (n: number) => `95000000${n}`;

/**
 * What the cabinet reads: each product's state (first, at the floor, without a floor, off) decided
 * by a real check and filtered on the server, the store's overview, its decisions, dry-run proposals
 * applied (or refused when the floor moved), floors and ceilings set as percentages in bulk, alerts.
 */
describe('the cabinet’s views of a store', () => {
  const { sandbox, ctx } = useDemperStack({
    market: {
      merchants: [
        { uid: OURS, name: 'Мы', points: [{ code: 'PP1', cityId: ALMATY }], rating: 4.9 },
        { uid: RIVAL, name: 'Соперник', points: [{ code: 'PP1', cityId: ALMATY }], rating: 4.2 },
      ],
      offers: [
        ...[1, 2, 3, 4, 5].map((n) => ({
          merchantUid: OURS,
          sku: `V-${n}`,
          productId: card(n),
          model: `Товар ${n}`,
          price: 10_000,
        })),
        { merchantUid: RIVAL, sku: 'R-1', productId: card(1), price: 9_500 },
        { merchantUid: RIVAL, sku: 'R-2', productId: card(2), price: 8_000 },
        { merchantUid: RIVAL, sku: 'R-5', productId: card(5), price: 9_000 },
      ],
    },
  });
  const api = useTestApi(ctx);
  let merchant: Merchant;
  let store: { id: string; userId: string };
  const ids: Record<string, string> = {};
  const as = () => ({ token: merchant.token });
  const get = async (path: string) => {
    const reply = await call(api.url, 'GET', path, as());
    expect(reply.status, path).toBe(200);
    return reply.body;
  };
  const skus = (page: { items: { sku: string }[] }) => page.items.map((p) => p.sku).sort();

  beforeAll(async () => {
    merchant = await registerMerchant(api.url, 'views');
    // A dry run that looks at each product once: proposals stay as they are while the test applies them.
    ({ store } = await connectStore(ctx, sandbox, OURS, {
      userId: merchant.id,
      demperConfig: { intervalSeconds: 3_600, hotIntervalSeconds: 3_600, dryRun: true },
    }));
    const seeded = {
      'V-1': { minPrice: 9_000, maxPrice: 12_000 },
      'V-2': { minPrice: 9_500 },
      'V-3': { minPrice: 9_000 },
      'V-4': { active: false },
      'V-5': {},
    };
    for (const [sku, settings] of Object.entries(seeded)) {
      const n = Number(sku.slice(2));
      const product = await demperProduct(ctx, store.id, {
        kaspiProductId: card(n),
        sku,
        name: `Товар ${n}`,
        price: 10_000,
        cityPrices: { [ALMATY]: 10_000 },
        ...settings,
      });
      ids[sku] = product.id;
    }
    await startLoop(ctx, store);
    await waitFor('every active product checked', async () => {
      const page = await get(`/api/v1/stores/${store.id}/products?active=true`);
      return page.items.every((p: { lastCheckAt: string | null }) => p.lastCheckAt !== null);
    });
  });

  it('says what state each product is in, and filters and sorts by it on the server', async () => {
    const all = await get(`/api/v1/stores/${store.id}/products?sort=name`);
    const bySku = Object.fromEntries(all.items.map((p: { sku: string }) => [p.sku, p]));
    expect(all.items.map((p: { sku: string }) => p.sku)).toEqual(['V-1', 'V-2', 'V-3', 'V-4', 'V-5']);
    expect(bySku['V-1']).toMatchObject({
      state: 'not_first',
      position: 2,
      offersCount: 2,
      gap: 500,
      cheapestRival: { merchantId: RIVAL, merchantName: 'Соперник', price: 9_500 },
    });
    expect(bySku['V-1'].competingCities).toEqual([{ id: ALMATY, name: 'Алматы' }]);
    expect(bySku['V-1'].kaspiUrl).toBe(`${sandbox.urls.publicUrl}/shop/p/-${card(1)}/`);
    expect(bySku['V-2']).toMatchObject({ state: 'at_floor', lastReason: 'floor_reached' });
    expect(bySku['V-3']).toMatchObject({ state: 'first', position: 1, offersCount: 1, cheapestRival: null, gap: null });
    expect(bySku['V-4']).toMatchObject({ state: 'off' });
    expect(bySku['V-5']).toMatchObject({ state: 'no_floor', lastReason: 'no_floor' });

    expect(skus(await get(`/api/v1/stores/${store.id}/products?state=at_floor`))).toEqual(['V-2']);
    expect(skus(await get(`/api/v1/stores/${store.id}/products?state=first`))).toEqual(['V-3']);
    expect(skus(await get(`/api/v1/stores/${store.id}/products?noFloor=true`))).toEqual(['V-5']);
    const byGap = (await get(`/api/v1/stores/${store.id}/products?sort=-gap`)).items.map((p: { sku: string }) => p.sku);
    expect(byGap.slice(0, 3)).toEqual(['V-2', 'V-5', 'V-1']);
    const bad = await call(api.url, 'GET', `/api/v1/stores/${store.id}/products?state=sleepy&sort=colour`, as());
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['query.sort', 'query.state']);
  });

  it('sums the store up: products by state, the change budget, the demper', async () => {
    const overview = await get(`/api/v1/stores/${store.id}/overview`);
    expect(overview.products).toMatchObject({
      total: 5,
      active: 4,
      first: 1,
      notFirst: 1,
      atFloor: 1,
      noFloor: 1,
      error: 0,
    });
    expect(overview.changeBudget).toEqual({ used: 0, limit: 240, windowSeconds: 1_800 });
    expect(overview.demper).toEqual({ state: 'running', pausedReason: null });
    const status = await get(`/api/v1/stores/${store.id}/demper`);
    expect(status.changeBudget).toEqual({ used: 0, limit: 240, windowSeconds: 1_800 });
  });

  it('keeps one proposal per product while nothing changes, however often it is checked', async () => {
    const checkedAt = (await get(`/api/v1/products/${ids['V-1']}`)).lastCheckAt;
    // Switched off and on, the product is checked again at once.
    await call(api.url, 'PATCH', `/api/v1/products/${ids['V-1']}`, { ...as(), body: { active: false } });
    await call(api.url, 'PATCH', `/api/v1/products/${ids['V-1']}`, { ...as(), body: { active: true } });
    await waitFor(
      'another check',
      async () => (await get(`/api/v1/products/${ids['V-1']}`)).lastCheckAt !== checkedAt,
      15_000,
    );
    const rows = await ctx.db.select().from(priceChanges).where(eq(priceChanges.productId, ids['V-1']!));
    expect(rows.map((r) => r.status)).toEqual(['proposed']);
  });

  it('applies a dry run’s proposal as a price of the merchant’s own, unless the floor has moved past it', async () => {
    const proposals = await get(`/api/v1/stores/${store.id}/proposals`);
    expect(proposals.items).toHaveLength(2);
    const proposal = proposals.items.find((p: { productId: string }) => p.productId === ids['V-1']);
    expect(proposal).toMatchObject({
      productName: 'Товар 1',
      newPrice: 9_499,
      status: 'proposed',
      reason: 'undercut',
      rival: { merchantName: 'Соперник', price: 9_500 },
    });
    expect(proposals.items.find((p: { productId: string }) => p.productId === ids['V-2'])).toMatchObject({
      newPrice: 9_500,
      reason: 'floor_reached',
    });
    expect(sandbox.market.pushLog({ merchantUid: OURS })).toEqual([]);

    await call(api.url, 'PATCH', `/api/v1/products/${ids['V-1']}`, { ...as(), body: { minPrice: 9_600 } });
    const refused = await call(api.url, 'POST', `/api/v1/stores/${store.id}/proposals/apply`, {
      ...as(),
      body: { changeIds: [proposal.id] },
    });
    expect(refused.body).toEqual({
      applied: [],
      skipped: [{ id: proposal.id, reason: 'a price is below the floor of 9600 now' }],
    });

    await call(api.url, 'PATCH', `/api/v1/products/${ids['V-1']}`, { ...as(), body: { minPrice: 9_000 } });
    const applied = await call(api.url, 'POST', `/api/v1/stores/${store.id}/proposals/apply`, { ...as(), body: {} });
    expect(applied.body.applied).toHaveLength(2);
    expect(applied.body.skipped).toEqual([]);
    await waitFor(
      'the applied prices at Kaspi',
      () => ['V-1', 'V-2'].every((sku) => sandbox.market.pushLog({ merchantUid: OURS }).some((p) => p.sku === sku)),
      15_000,
    );
    const [old] = await ctx.db.select().from(priceChanges).where(eq(priceChanges.id, proposal.id));
    expect(old!.status).toBe('applied');
    const sent = await waitFor('the change sent', async () => {
      const rows = await ctx.db.select().from(priceChanges).where(eq(priceChanges.productId, ids['V-1']!));
      return rows.find((r) => r.source === 'manual' && r.status === 'sent');
    });
    expect(sent).toMatchObject({ reason: 'undercut', newPrice: 9_499 });
    expect((await get(`/api/v1/stores/${store.id}/proposals`)).items).toEqual([]);

    const decisions = await get(`/api/v1/stores/${store.id}/decisions`);
    expect(decisions.items.find((d: { id: string }) => d.id === sent.id)).toMatchObject({
      productName: 'Товар 1',
      status: 'sent',
      source: 'manual',
    });
  });

  it('sets floors and ceilings as percentages of each product’s own price, all or nothing', async () => {
    const batch = await call(api.url, 'POST', '/api/v1/products/batch', {
      ...as(),
      body: {
        productIds: [ids['V-3'], ids['V-4']],
        settings: { step: 2 },
        floorPercentBelowPrice: 10,
        ceilingPercentAbovePrice: 15,
      },
    });
    expect(batch.status).toBe(200);
    for (const p of batch.body.items) expect(p).toMatchObject({ minPrice: 9_000, maxPrice: 11_500, step: 2 });
    const both = await call(api.url, 'POST', '/api/v1/products/batch', {
      ...as(),
      body: { productIds: [ids['V-3']], settings: { minPrice: 5_000 }, floorPercentBelowPrice: 10 },
    });
    expect(both.status).toBe(400);
    expect(both.body.errors).toEqual([expect.objectContaining({ field: 'body.floorPercentBelowPrice' })]);
  });

  it('lists the merchant’s alerts with the store they are about, and nobody else’s', async () => {
    await ctx.db.insert(alerts).values({
      audience: 'user',
      userId: merchant.id,
      kind: 'session_expired',
      message: 'Kaspi ended the session',
      link: `/api/v1/stores/${store.id}`,
    });
    const list = await get('/api/v1/alerts');
    expect(list.items[0]).toMatchObject({ kind: 'session_expired', storeId: store.id, storeName: expect.any(String) });
    const stranger = await registerMerchant(api.url, 'views-stranger');
    expect((await call(api.url, 'GET', '/api/v1/alerts', { token: stranger.token })).body.total).toBe(0);
  });
});
