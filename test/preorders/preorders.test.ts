import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { alerts, preorders, priceChanges, products } from '../../src/db/schema';
import { isOnPreorder } from '../../src/domain/preorders';
import { CAPACITY_WAIT_MS, checkStorePreorders } from '../../src/preorders/check';
import type { ReadChannel } from '../../src/proxies/read-channel';
import { ALMATY, ASTANA } from '../../src/kaspi/cities';
import { readFirstSheet } from '../../src/lib/spreadsheet';
import { parseExcelPriceList } from '../../sandbox/price-list-parser';
import { testConfig, useTestApi, useTestContext, useTestWorker } from '../support/env';
import { call, registerMerchant, type Merchant } from '../support/http';
import { messagingEnv } from '../support/orders';
import { waitFor } from '../support/wait';
import { giveLiveSession, startLoop } from '../support/demper';
import { useSandbox } from '../support/sandbox';
import { seedProduct, seedStore } from '../support/seed';

const OURS = '31700001';
const PHONE = { sku: 'PRE-PHONE-1', productId: '930000001' };
const WATCH = { sku: 'PRE-WATCH-1', productId: '930000002' };
/** An offer of the store that is never put on preorder: nothing a preorder does may touch it. */
const LAMP = { sku: 'PRE-LAMP-1', productId: '930000003' };

/**
 * Preorders from the API to Kaspi and back, against the strict sandbox (a push that leaves a point out
 * removes the offer there; a price list removes every offer it leaves out): a product put on preorder
 * leaves the demper, the Excel export holds exactly Kaspi's price-list layout, each preorder goes through
 * the JSON pricefeed (pushed by the store's loop) and turns active once the public offers show it — or
 * failed, saying why — and only an explicit whole-assortment upload sends a price-list file.
 */
describe('preorders', () => {
  const sandbox = useSandbox({
    market: {
      merchants: [
        {
          uid: OURS,
          name: 'Preorder Shop',
          points: [
            { code: 'PP1', cityId: ALMATY },
            { code: 'PP2', cityId: ASTANA },
          ],
        },
      ],
      offers: [
        { merchantUid: OURS, ...PHONE, price: 250_000 },
        { merchantUid: OURS, ...WATCH, price: 90_000 },
        {
          merchantUid: OURS,
          ...LAMP,
          price: 12_000,
          cityPrices: { [ALMATY]: 12_000, [ASTANA]: 12_500 },
          points: ['PP2'],
        },
      ],
    },
  });
  const ctx = useTestContext(() => testConfig({ ...messagingEnv(sandbox), PREORDER_CHECK_INTERVAL_SECONDS: '0.3' }));
  const api = useTestApi(ctx);
  useTestWorker(ctx);
  let merchant: Merchant;
  let storeId: string;
  let phoneId: string;
  let watchId: string;
  const path = () => `/api/v1/stores/${storeId}/preorders`;

  beforeAll(async () => {
    merchant = await registerMerchant(api.url, 'preorders');
    const store = await seedStore(ctx.db, merchant.id, {
      merchantUid: OURS,
      name: 'Preorder Shop',
      points: [
        { code: 'PP1', cityId: ALMATY, enabled: true },
        { code: 'PP2', cityId: ASTANA, enabled: true },
      ],
    });
    storeId = store.id;
    await giveLiveSession(ctx, sandbox, storeId, OURS);
    phoneId = (
      await seedProduct(ctx.db, storeId, {
        kaspiProductId: PHONE.productId,
        sku: PHONE.sku,
        name: 'Смартфон X2',
        brand: 'Test',
        price: 250_000,
        active: true,
        minPrice: 200_000,
      })
    ).id;
    watchId = (
      await seedProduct(ctx.db, storeId, {
        kaspiProductId: WATCH.productId,
        sku: WATCH.sku,
        name: 'Часы W1',
        brand: null,
        price: 90_000,
      })
    ).id;
  });

  const product = async (id: string) => (await ctx.db.select().from(products).where(eq(products.id, id)))[0]!;
  /** An offer as Kaspi holds it: on sale or not, its preorder days, every point, its price per city. */
  const atKaspi = (sku: string) => {
    const offer = sandbox.market.offer(OURS, sku)!;
    return {
      listed: offer.listed,
      preorderDays: offer.preorderDays,
      points: [...offer.availabilities.entries()].map(([id, a]) => [id, a.available, a.preOrder]),
      prices: [ALMATY, ASTANA].map((city) => offer.cityPrices.get(city) ?? offer.basePrice),
    };
  };
  const pushesOf = (sinceMs = 0) => sandbox.market.pushLog({ merchantUid: OURS, sinceMs });

  it('puts a product on preorder, taking it out of the demper, and refuses what Kaspi would refuse', async () => {
    const created = await call(api.url, 'POST', path(), {
      token: merchant.token,
      body: {
        productId: phoneId,
        days: 14,
        warehouses: [
          { point: 1, quantity: 10 },
          { point: 2, quantity: 5 },
        ],
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      sku: PHONE.sku,
      model: 'Смартфон X2',
      brand: 'Test',
      price: 250_000,
      days: 14,
      status: 'draft',
    });
    expect((await product(phoneId)).preorderDays).toBe(14);
    expect(isOnPreorder((await product(phoneId)).preorderDays)).toBe(true);

    expect(
      (
        await call(api.url, 'POST', path(), {
          token: merchant.token,
          body: { productId: phoneId, days: 3, warehouses: [{ point: 1, quantity: 1 }] },
        })
      ).status,
    ).toBe(409);
    const refused = await call(api.url, 'POST', path(), {
      token: merchant.token,
      body: { productId: watchId, days: 7, warehouses: [{ point: 3, quantity: 2 }] },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'body.brand',
      'body.warehouses.0.point',
    ]);
    const invalid = await call(api.url, 'POST', path(), {
      token: merchant.token,
      body: { productId: watchId, days: 31, warehouses: [{ point: 1, quantity: 0 }] },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['body.days', 'body.warehouses']);

    const watch = await call(api.url, 'POST', path(), {
      token: merchant.token,
      body: { productId: watchId, days: 7, warehouses: [{ point: 2, quantity: 3 }], brand: 'Watchy', price: 89_990 },
    });
    expect(watch.status).toBe(201);
    const patched = await call(api.url, 'PATCH', `${path()}/${created.body.id}`, {
      token: merchant.token,
      body: { days: 10 },
    });
    expect(patched.body).toMatchObject({
      days: 10,
      status: 'draft',
      warehouses: [
        { point: 1, quantity: 10 },
        { point: 2, quantity: 5 },
      ],
    });
    expect((await product(phoneId)).preorderDays).toBe(10);
    expect((await call(api.url, 'GET', `${path()}?status=draft`, { token: merchant.token })).body).toMatchObject({
      total: 2,
      items: [{ sku: PHONE.sku }, { sku: WATCH.sku }],
    });
  });

  it("exports exactly Kaspi's price-list layout: SKU, model, brand, price, PP1..PP5 quantities, preorder days", async () => {
    const res = await fetch(`${api.url}${path()}/export.xlsx`, {
      headers: { authorization: `Bearer ${merchant.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(await readFirstSheet(bytes)).toEqual([
      ['SKU', 'model', 'brand', 'price', 'PP1', 'PP2', 'PP3', 'PP4', 'PP5', 'preorder'],
      [PHONE.sku, 'Смартфон X2', 'Test', '250000', '10', '5', '', '', '', '10'],
      [WATCH.sku, 'Часы W1', 'Watchy', '89990', '', '3', '', '', '', '7'],
    ]);
    // Kaspi's reader takes the same file: stocks per point and the preorder as days.
    expect(await parseExcelPriceList(bytes)).toMatchObject([
      {
        sku: PHONE.sku,
        price: 250_000,
        preorderDays: 10,
        availabilities: [
          { code: 'PP1', stockCount: 10 },
          { code: 'PP2', stockCount: 5 },
        ],
      },
      { sku: WATCH.sku, price: 89_990, preorderDays: 7, availabilities: [{ code: 'PP2', stockCount: 3 }] },
    ]);
  });

  it('sends each preorder through the pricefeed: every offer stays on sale at every point it had, nothing else changes', async () => {
    const lampBefore = atKaspi(LAMP.sku);
    const store = { id: storeId, userId: merchant.id };
    const uploadStatus = async () => (await call(api.url, 'GET', `${path()}/upload`, { token: merchant.token })).body;
    expect(await uploadStatus()).toEqual({
      state: 'never',
      startedAt: null,
      finishedAt: null,
      uploaded: null,
      refused: null,
      preorders: { draft: 2, processing: 0, active: 0, failed: 0 },
    });
    // The store's loop pushes them: without it nothing would.
    expect((await call(api.url, 'POST', `${path()}/upload`, { token: merchant.token, body: {} })).status).toBe(409);
    await startLoop(ctx, store);
    expect(
      (await call(api.url, 'POST', `${path()}/upload`, { token: merchant.token, body: { format: 'xlsx' } })).status,
    ).toBe(400);

    const upload = await call(api.url, 'POST', `${path()}/upload`, { token: merchant.token, body: {} });
    expect(upload.status).toBe(202);
    expect(upload.body).toMatchObject({ preorders: 2 });
    const active = await waitFor('both preorders to show on Kaspi', async () => {
      const list = await call(api.url, 'GET', path(), { token: merchant.token });
      return list.body.items.every((p: { status: string }) => p.status === 'active') ? list.body.items : null;
    });
    // The upload ends once Kaspi shows every preorder it sent.
    const done = await waitFor('the upload to end', async () => {
      const status = await uploadStatus();
      return status.state === 'done' ? status : null;
    });
    expect(done).toMatchObject({ uploaded: 2, refused: null, preorders: { draft: 0, processing: 0, active: 2 } });
    expect(Date.parse(done.finishedAt)).toBeGreaterThanOrEqual(Date.parse(done.startedAt));
    expect(
      active.map((p: { uploadedAt: string | null; activatedAt: string | null }) => [
        p.uploadedAt !== null,
        p.activatedAt !== null,
      ]),
    ).toEqual([
      [true, true],
      [true, true],
    ]);

    // One JSON push per offer naming every point (the catalog had none: they came from the offer details),
    // preorder days at the top and on each point, never a stock count, never a file.
    const pushes = pushesOf();
    expect(pushes.map((p) => [p.kind, p.sku, p.preOrder, p.stockCountSent]).sort()).toEqual([
      ['single', PHONE.sku, 10, false],
      ['single', WATCH.sku, 7, false],
    ]);
    for (const push of pushes) {
      expect(push.availabilities?.map((a) => [a.storeId, a.available]).sort()).toEqual([
        [`${OURS}_PP1`, 'yes'],
        [`${OURS}_PP2`, 'yes'],
      ]);
    }
    expect(atKaspi(PHONE.sku)).toEqual({
      listed: true,
      preorderDays: 10,
      points: [
        [`${OURS}_PP1`, true, 10],
        [`${OURS}_PP2`, true, 10],
      ],
      prices: [250_000, 250_000],
    });
    // The watch ships from PP2, and stays on sale at PP1 where it already was.
    expect(atKaspi(WATCH.sku)).toEqual({
      listed: true,
      preorderDays: 7,
      points: [
        [`${OURS}_PP1`, true, 7],
        [`${OURS}_PP2`, true, 7],
      ],
      prices: [89_990, 89_990],
    });
    expect(atKaspi(LAMP.sku)).toEqual(lampBefore);
    expect((await product(watchId)).availabilities.map((a) => a.storeId).sort()).toEqual([
      `${OURS}_PP1`,
      `${OURS}_PP2`,
    ]);

    // A changed preorder goes back to draft until sent again.
    await call(api.url, 'PATCH', `${path()}/${active[1].id}`, { token: merchant.token, body: { days: 5 } });
    expect((await call(api.url, 'POST', `${path()}/upload`, { token: merchant.token, body: {} })).status).toBe(202);
    await waitFor('the new days to show', () => sandbox.market.offer(OURS, WATCH.sku)!.preorderDays === 5);
    await waitFor(
      'both active again',
      async () => (await call(api.url, 'GET', `${path()}?status=active`, { token: merchant.token })).body.total === 2,
    );
    expect(atKaspi(LAMP.sku)).toEqual(lampBefore);
  });

  it('uploads a price-list file only for the whole assortment, asked for explicitly, and refuses a partial one', async () => {
    const route = `/api/v1/stores/${storeId}/price-list/upload`;
    const status = async () => (await call(api.url, 'GET', route, { token: merchant.token })).body;
    expect(await status()).toMatchObject({ state: 'never' });
    const unconfirmed = await call(api.url, 'POST', route, { token: merchant.token, body: { format: 'xml' } });
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.body.errors.map((e: { field: string }) => e.field)).toEqual(['body.wholeAssortment']);

    const before = [PHONE, WATCH, LAMP].map((o) => atKaspi(o.sku));
    const since = Date.now();
    expect(
      (await call(api.url, 'POST', route, { token: merchant.token, body: { format: 'xml', wholeAssortment: true } }))
        .status,
    ).toBe(202);
    const done = await waitFor('the upload to finish', async () =>
      (await status()).state === 'done' ? status() : null,
    );
    expect(done).toMatchObject({ offers: 3, preorders: 2, refused: null, unexpectedBody: null });
    const uploads = pushesOf(since).filter((p) => p.kind === 'upload');
    expect(uploads.map((p) => p.sku).sort()).toEqual([PHONE.sku, LAMP.sku, WATCH.sku].sort());
    expect(uploads.every((p) => p.availabilities?.every((a) => a.stockCount === undefined))).toBe(true);
    await waitFor('the file applied', () => uploads.every((p) => p.appliedAtMs));
    // Built from the cabinet's own list: Kaspi, which removes what a price list leaves out, removed nothing.
    expect([PHONE, WATCH, LAMP].map((o) => atKaspi(o.sku))).toEqual(before);

    // An item of the cabinet list that cannot be read would leave its offer out of the file: refused.
    sandbox.seed({
      offers: [{ merchantUid: OURS, sku: 'PRE-BROKEN-1', productId: '930000009', price: 1_000, malformed: true }],
    });
    const again = Date.now();
    expect(
      (await call(api.url, 'POST', route, { token: merchant.token, body: { format: 'xlsx', wholeAssortment: true } }))
        .status,
    ).toBe(202);
    const refused = await waitFor('the refusal', async () => ((await status()).state === 'failed' ? status() : null));
    expect(refused.refused).toMatch(/whole assortment.*could not be read.*PRE-BROKEN-1/);
    expect(pushesOf(again).filter((p) => p.kind === 'upload')).toEqual([]);
    expect(sandbox.market.offer(OURS, 'PRE-BROKEN-1')!.listed).toBe(true);
  });

  it('marks preorders failed, saying why, when Kaspi refuses the session', async () => {
    expect(sandbox.auth.expireSessions({ merchantUid: OURS })).toBeGreaterThan(0);
    expect((await call(api.url, 'POST', `${path()}/upload`, { token: merchant.token, body: {} })).status).toBe(202);
    const failed = await waitFor('the upload to fail', async () => {
      const list = await call(api.url, 'GET', `${path()}?status=failed`, { token: merchant.token });
      return list.body.items.length === 2 ? list.body.items : null;
    });
    expect(failed[0].error).toMatch(/session/);
  });

  it('ends a check whose proxies stay busy, leaving its preorders processing for the next one', async () => {
    await ctx.db
      .update(preorders)
      .set({ status: 'processing', uploadedAt: new Date(), error: null })
      .where(eq(preorders.storeId, storeId));
    // Their pushes went out; only Kaspi's showing them is left to see.
    await ctx.db
      .update(priceChanges)
      .set({ status: 'sent', sentAt: new Date() })
      .where(eq(priceChanges.storeId, storeId));
    const now = Date.now();
    const waits = [new Date(now + 5_000), new Date(now + CAPACITY_WAIT_MS + 60_000)];
    const busy: ReadChannel = {
      acquire: async () => ({ kind: 'wait', until: waits.shift() ?? new Date(now + 3_600_000) }),
      report: async () => undefined,
      holds: () => true,
    };
    const slept: number[] = [];
    const result = await checkStorePreorders(
      {
        db: ctx.db,
        channel: busy,
        urls: ctx.config.kaspi,
        timeoutMs: 1_000,
        activationTimeoutHours: 24,
        sleep: async (ms) => void slept.push(ms),
      },
      storeId,
    );
    expect(result).toEqual({ activated: 0, failed: 0, processing: 2 });
    // The short wait was waited out; the long one ended the check instead.
    expect(slept).toHaveLength(1);
    expect(slept[0]).toBeGreaterThan(4_000);
    expect(slept[0]).toBeLessThanOrEqual(5_000);
  });

  it('takes a product off preorder, at Kaspi too, and gives it back to the demper', async () => {
    await giveLiveSession(ctx, sandbox, storeId, OURS);
    const [first, second] = (await call(api.url, 'GET', path(), { token: merchant.token })).body.items;
    const before = atKaspi(first.sku);
    const lampBefore = atKaspi(LAMP.sku);
    expect(before.preorderDays).toBeGreaterThan(0);
    const since = Date.now();

    expect((await call(api.url, 'DELETE', `${path()}/${first.id}`, { token: merchant.token })).status).toBe(204);
    expect((await product(phoneId)).preorderDays).toBeNull();
    expect((await call(api.url, 'GET', `${path()}/${first.id}`, { token: merchant.token })).status).toBe(404);

    await waitFor('Kaspi to take it off preorder', () => sandbox.market.offer(OURS, first.sku)!.preorderDays === 0);
    // Only the preorder changed: the same points open, the same prices; the other preorder stays.
    expect(atKaspi(first.sku)).toEqual({
      listed: true,
      preorderDays: 0,
      points: before.points.map(([id, available]) => [id, available, 0]),
      prices: before.prices,
    });
    const pushes = pushesOf(since).filter((p) => p.status === 200);
    expect(pushes.map((p) => [p.kind, p.sku, p.preOrder])).toEqual([['single', first.sku, 0]]);
    expect(atKaspi(second.sku).preorderDays).toBeGreaterThan(0);
    expect(atKaspi(LAMP.sku)).toEqual(lampBefore);
  });

  it('tells the merchant when Kaspi cannot take a preorder off', async () => {
    const [left] = (await call(api.url, 'GET', path(), { token: merchant.token })).body.items;
    expect(sandbox.auth.expireSessions({ merchantUid: OURS })).toBeGreaterThan(0);
    expect((await call(api.url, 'DELETE', `${path()}/${left.id}`, { token: merchant.token })).status).toBe(204);
    const [alert] = await waitFor('the alert', async () => {
      const rows = await ctx.db
        .select()
        .from(alerts)
        .where(and(eq(alerts.userId, merchant.id), eq(alerts.kind, 'preorder_withdraw_failed')));
      return rows.length > 0 ? rows : null;
    });
    expect(alert!.message).toContain(left.sku);
    expect(alert!.message).toMatch(/session/);
    expect(sandbox.market.offer(OURS, left.sku)!.preorderDays).toBeGreaterThan(0);
  });
});
