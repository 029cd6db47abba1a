import { DEFAULT_CHANGE_BUDGET } from '../../src/domain/write-budget';
import { and, desc, eq } from 'drizzle-orm';
import type { Locator } from 'playwright';
import { beforeAll, describe, expect, it } from 'vitest';
import { priceChanges, productDays, products } from '../../src/db/schema';
import { checkDueProducts, type CheckDeps } from '../../src/demper/check';
import { sendPriceChange } from '../../src/demper/push';
import { loadDemperStore } from '../../src/demper/store';
import { completeDemperConfig } from '../../src/domain/demper-config';
import { almatyDate } from '../../src/domain/almaty-time';
import { ALMATY } from '../../src/kaspi/cities';
import { createDirectReadChannel } from '../../src/proxies/read-channel';
import {
  cabinetContext,
  expectAccessible,
  expectNoSidewaysScroll,
  shoot,
  signInThroughPage,
  useCabinetBrowser,
  watchForProblems,
} from '../support/cabinet-browser';
import { connectStore, demperProduct } from '../support/demper';
import { testConfig, useTestApi, useTestContext, useTestWorker } from '../support/env';
import { call, registerMerchant, type Merchant } from '../support/http';
import { messagingEnv } from '../support/orders';
import { useSandbox } from '../support/sandbox';
import { waitFor } from '../support/wait';

const OURS = '35000001';
const RIVAL = '35000002';
const TOKEN = 'earnings-shop-api-token';
const FLOOR = 8_500;
const MIN = 60_000;
/** A quiet interval of 5 minutes: a gap of up to 10 minutes between checks counts in full. */
const CONFIG = completeDemperConfig({ intervalSeconds: 300, hotIntervalSeconds: 60 });

/** Three products on one card each against one rival: A first, then held at the floor, then first again; B never first; C always at the floor. */
const CARDS = {
  A: { productId: '950000001', ours: 9_000, rival: 9_500 },
  B: { productId: '950000002', ours: 10_000, rival: 9_700 },
  C: { productId: '950000003', ours: 9_000, rival: 8_000 },
  E: { productId: '950000004', ours: 10_000, rival: 8_000 },
} as const;

/**
 * What the demper earns, checked against figures worked out by hand: the real check step reads a
 * scripted sandbox market at scripted times (a yesterday in Almaty, then just after its midnight), the
 * orders poll stores two orders while A is first and B is not, and the API adds it all up. Then unit
 * economics: profit at the price by the formula, and a floor set from a minimum margin that the next
 * check holds to.
 */
describe('what the demper earns', () => {
  const sandbox = useSandbox({
    market: {
      merchants: [
        { uid: OURS, name: 'Наш магазин', points: [{ code: 'PP1', cityId: ALMATY }], shopApiToken: TOKEN },
        { uid: RIVAL, name: 'Соперник', points: [{ code: 'PP1', cityId: ALMATY }] },
      ],
      offers: Object.entries(CARDS).flatMap(([sku, card]) => [
        { merchantUid: OURS, sku, productId: card.productId, price: card.ours },
        { merchantUid: RIVAL, sku: `R-${sku}`, productId: card.productId, price: card.rival },
      ]),
    },
  });
  const ctx = useTestContext(() => testConfig({ ...messagingEnv(sandbox), ORDERS_POLL_INTERVAL: '3600' }));
  useTestWorker(ctx);
  const api = useTestApi(ctx);
  const cabinet = useCabinetBrowser(ctx);
  let merchant: Merchant;
  let storeId: string;
  const ids: Record<string, string> = {};
  // A day already over in Almaty, whatever the hour this runs at.
  const day = almatyDate(new Date(Date.now() - 30 * 3_600_000));
  const nextDay = almatyDate(new Date(Date.parse(`${day}T12:00:00+05:00`) + 24 * 3_600_000));
  const at = (date: string, time: string) => new Date(`${date}T${time}:00+05:00`);

  const as = () => ({ token: merchant.token });
  const rivalPrice = (sku: keyof typeof CARDS, price: number) => {
    const offer = sandbox.market.offer(RIVAL, `R-${sku}`)!;
    sandbox.market.mutate(offer, () => offer.cityPrices.set(ALMATY, price));
  };
  const checkAt = async (now: Date) => {
    const deps: CheckDeps = {
      db: ctx.db,
      channel: createDirectReadChannel({ readsPerSecond: 50, banPauseMs: 1_000 }),
      urls: sandbox.urls,
      timeoutMs: 3_000,
      logger: ctx.logger,
      batchSize: 50,
      concurrency: 4,
      budget: DEFAULT_CHANGE_BUDGET,
      changesRecorded: () => undefined,
      readAheadSeconds: 0,
      now: () => now,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      progress: () => undefined,
    };
    const store = (await loadDemperStore(ctx.db, storeId))!;
    return checkDueProducts(deps, { store, cycle: now.getTime(), config: CONFIG, writesBlocked: false });
  };
  const earnings = async (from: string, to: string) => {
    const reply = await call(api.url, 'GET', `/api/v1/stores/${storeId}/earnings?from=${from}&to=${to}`, as());
    expect(reply.status, reply.text).toBe(200);
    return reply.body;
  };

  beforeAll(async () => {
    merchant = await registerMerchant(api.url, 'earnings');
    const { store, session } = await connectStore(ctx, sandbox, OURS, { userId: merchant.id, demperConfig: CONFIG });
    storeId = store.id;
    for (const [sku, card] of Object.entries(CARDS)) {
      const row = await demperProduct(ctx, storeId, {
        kaspiProductId: card.productId,
        sku,
        price: card.ours,
        cityPrices: { [ALMATY]: card.ours },
        minPrice: FLOOR,
        active: sku !== 'E',
      });
      ids[sku] = row.id;
    }
    const token = await call(api.url, 'PUT', `/api/v1/stores/${storeId}/shop-api-token`, {
      ...as(),
      body: { token: TOKEN },
    });
    expect(token.status).toBe(200);

    // 10:00 to 10:25, a check every 5 minutes.
    await checkAt(at(day, '10:00'));
    await checkAt(at(day, '10:05'));
    // Two orders come in while A is first (and 499 ₸ under the rival's 9 500 − 1) and B is not.
    sandbox.orders.add({
      merchantUid: OURS,
      code: '520000001',
      creationDateMs: at(day, '10:07').getTime(),
      status: 'ACCEPTED_BY_MERCHANT',
      state: 'PICKUP',
      customer: { firstName: 'Айжан' },
      entries: [{ sku: 'A', name: 'Товар A', quantity: 2, basePrice: 9_000 }],
    });
    sandbox.orders.add({
      merchantUid: OURS,
      code: '520000002',
      creationDateMs: at(day, '10:08').getTime(),
      status: 'ACCEPTED_BY_MERCHANT',
      state: 'PICKUP',
      customer: { firstName: 'Ерлан' },
      entries: [{ sku: 'B', name: 'Товар B', quantity: 1, basePrice: 10_000 }],
    });
    expect((await call(api.url, 'POST', `/api/v1/stores/${storeId}/orders/poll`, as())).status).toBe(202);
    await waitFor('both orders stored', async () => {
      const page = (await call(api.url, 'GET', `/api/v1/stores/${storeId}/orders`, as())).body;
      return page.total === 2;
    });

    // At 10:10 A's rival drops below A's floor: A is held at the floor, and that change is sent.
    rivalPrice('A', 8_000);
    await checkAt(at(day, '10:10'));
    const [floorChange] = await ctx.db
      .select()
      .from(priceChanges)
      .where(and(eq(priceChanges.productId, ids.A!), eq(priceChanges.status, 'pending')))
      .orderBy(desc(priceChanges.seq))
      .limit(1);
    expect(floorChange).toMatchObject({ reason: 'floor_reached', newPrice: FLOOR });
    const cabinet = {
      urls: sandbox.urls,
      timeoutMs: 3_000,
      session: { cookies: { 'mc-session': session.mcSession, 'mc-sid': session.mcSid } },
    };
    const sent = await sendPriceChange(
      { db: ctx.db, logger: ctx.logger, now: () => at(day, '10:11') },
      cabinet,
      OURS,
      floorChange!.id,
    );
    expect(sent.kind).toBe('sent');
    await waitFor(
      'A at its floor on the card',
      () => sandbox.market.offer(OURS, 'A')!.cityPrices.get(ALMATY) === FLOOR,
    );
    await checkAt(at(day, '10:15'));
    // At 10:20 the rival is back at 9 500: A (now 8 500) is first again.
    rivalPrice('A', 9_500);
    await checkAt(at(day, '10:20'));
    await checkAt(at(day, '10:25'));
    // Just after midnight: of the long gap only the ten minutes after the last check were watched, all
    // of them on the first day; then one more check five minutes on.
    await checkAt(at(nextDay, '00:05'));
    await checkAt(at(nextDay, '00:10'));
  });

  it('adds up time first, at the floor, changes and sales as worked out by hand', async () => {
    // Day one, kept per product when the new day began. A: first 10:00–10:10 and from 10:20 (900 s, and
    // the 600 s watched after 10:25), at the floor 10:10–10:20 (600 s). B: never first. C: at the floor throughout.
    const kept = await ctx.db.select().from(productDays).where(eq(productDays.storeId, storeId));
    expect(kept.find((d) => d.productId === ids.A)).toMatchObject({
      day,
      watchedSeconds: 2_100,
      firstSeconds: 1_500,
      floorSeconds: 600,
    });

    const one = await earnings(day, day);
    expect(one).toMatchObject({
      from: day,
      to: day,
      watchedSeconds: 6_300,
      firstSeconds: 1_500,
      floorSeconds: 2_700,
      firstShare: 1_500 / 6_300,
      firstShareWhereAllowed: 1_500 / 3_600,
      changes: 1,
      changesByReason: { floor_reached: 1 },
      whileFirst: { orders: 1, revenue: 18_000 },
      notFirst: { orders: 1, revenue: 10_000 },
      unwatched: { orders: 0, revenue: 0 },
      // Two units of A sold at 9 000 while 9 499 would still have been first.
      marginGivenUp: 998,
    });
    expect(one.floorShare).toBeCloseTo(2_700 / 6_300, 10);
    expect(one.stuckAtFloor.map((p: { sku: string }) => p.sku)).toEqual(['C']);
    expect(one.stuckAtFloor[0]).toMatchObject({ floor: FLOOR, floorShare: 1, cheapestRival: { price: 8_000 } });
    expect(one.losingTo).toEqual([
      expect.objectContaining({
        merchantId: RIVAL,
        name: 'Соперник',
        products: [expect.objectContaining({ sku: 'B' })],
      }),
    ]);

    // The new day so far: 00:05–00:10 for each, A first, C at the floor; both days together add up.
    expect(await earnings(nextDay, nextDay)).toMatchObject({
      watchedSeconds: 900,
      firstSeconds: 300,
      floorSeconds: 300,
    });
    expect(await earnings(day, nextDay)).toMatchObject({
      watchedSeconds: 7_200,
      firstSeconds: 1_800,
      floorSeconds: 3_000,
    });

    const perProduct = await call(
      api.url,
      'GET',
      `/api/v1/stores/${storeId}/earnings/products?from=${day}&to=${day}&limit=2`,
      as(),
    );
    expect(perProduct.body).toMatchObject({ total: 3, page: 1, limit: 2 });
    const a = (
      await call(api.url, 'GET', `/api/v1/stores/${storeId}/earnings/products?from=${day}&to=${day}`, as())
    ).body.items.find((p: { sku: string }) => p.sku === 'A');
    expect(a).toMatchObject({ firstShare: 1_500 / 2_100, firstShareWhereAllowed: 1, changes: 1, marginGivenUp: 998 });
  });

  it('refuses a bad period, naming the field, and another merchant’s store', async () => {
    const backwards = await call(api.url, 'GET', `/api/v1/stores/${storeId}/earnings?from=${nextDay}&to=${day}`, as());
    expect(backwards.status).toBe(400);
    expect(backwards.text).toContain('from');
    const malformed = await call(api.url, 'GET', `/api/v1/stores/${storeId}/earnings?to=yesterday`, as());
    expect(malformed.status).toBe(400);
    expect(malformed.text).toContain('to');
    const stranger = await registerMerchant(api.url, 'earnings-stranger');
    const foreign = await call(api.url, 'GET', `/api/v1/stores/${storeId}/earnings`, { token: stranger.token });
    expect(foreign.status).toBe(404);
  });

  it('shows the same figures in the cabinet, with what to do about the floor and the rival', async () => {
    const { page } = cabinet;
    await signInThroughPage(page, api.url, merchant, `/stores/${storeId}/earnings`);
    await page.getByRole('heading', { name: 'Доход демпера', exact: true }).waitFor();
    await page.locator('label').filter({ hasText: 'Свои даты' }).click();
    await page.getByLabel('С', { exact: true }).fill(day);
    await page.getByLabel('По', { exact: true }).fill(day);
    const plain = async (locator: Locator) => (await locator.textContent())!.replace(/\s/g, ' ');
    const figure = (label: string) => page.locator('.mantine-Card-root').filter({ hasText: label }).first();
    await expect.poll(() => plain(figure('Первое место'))).toContain('24 %');
    expect(await plain(figure('Первое место'))).toContain('когда позволял минимум: 42 %');
    expect(await plain(figure('На минимуме'))).toContain('43 %');
    expect(await plain(figure('Продано на первом месте'))).toContain('18 000 ₸');
    expect(await plain(figure('Недополучено'))).toContain('998 ₸');
    expect(await plain(page.getByRole('list', { name: 'Изменения цены по причинам' }))).toContain(
      'Упёрлись в минимум: 1',
    );
    expect(await plain(page.getByRole('listitem').filter({ hasText: 'Product C' }))).toContain(
      '«Соперник» продаёт за 8 000 ₸, ниже вашего минимума 8 500 ₸',
    );
    await page.getByText('«Соперник» впереди по 1 товару').waitFor();
    const rowA = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'Product A' }) });
    expect(await plain(rowA)).toContain('71 %');
    await expectAccessible(page, 'earnings');
    await shoot(page, 'earnings-desktop');

    const phone = await (await cabinetContext(cabinet.browser, 'phone')).newPage();
    watchForProblems(phone, 'phone', cabinet.problems);
    await signInThroughPage(phone, api.url, merchant, `/stores/${storeId}/earnings`);
    await phone.getByRole('heading', { name: 'Доход демпера', exact: true }).waitFor();
    await phone.getByText('По товарам').waitFor();
    await expectNoSidewaysScroll(phone);
    await expectAccessible(phone, 'earnings (phone)');
    await shoot(phone, 'earnings-phone');
    expect(cabinet.problems).toEqual([]);
  });

  it('shows profit at the price by the formula, and sets a floor from a margin that the demper holds to', async () => {
    const patched = await call(api.url, 'PATCH', `/api/v1/products/${ids.E}`, {
      ...as(),
      body: {
        active: true,
        cost: 6_000,
        commissionPercent: 10.9,
        deliveryCost: 500,
        taxPercent: 4,
        // One change may take the price all the way down to the floor.
        maxDropPercentPerChange: 20,
      },
    });
    expect(patched.status, patched.text).toBe(200);
    // 10 000 − 1 090 commission − 400 tax − 500 delivery − 6 000 cost = 2 010, a margin of 20.1 %.
    expect(patched.body.economics.atPrice).toEqual({
      priceTenge: 10_000,
      commissionTenge: 1_090,
      taxTenge: 400,
      deliveryTenge: 500,
      costTenge: 6_000,
      profitTenge: 2_010,
      marginPercent: 20.1,
    });
    // At the floor: 8 500 − 926.5 − 340 − 500 − 6 000 = 733.5, shown as 734.
    expect(patched.body.economics.atFloor).toMatchObject({ priceTenge: FLOOR, profitTenge: 734 });

    const noCost = await call(api.url, 'POST', '/api/v1/products/batch', {
      ...as(),
      body: { productIds: [ids.E, ids.B], settings: {}, floorFromMarginPercent: 10 },
    });
    expect(noCost.status).toBe(400);
    expect(noCost.body.errors).toEqual([expect.objectContaining({ field: 'body.floorFromMarginPercent' })]);
    expect((await ctx.db.select().from(products).where(eq(products.id, ids.E!)))[0]!.minPrice).toBe(FLOOR);

    // ⌈(6 000 + 500) / (1 − 0.109 − 0.04 − 0.10)⌉ = ⌈8 655.13⌉ = 8 656.
    const floored = await call(api.url, 'POST', '/api/v1/products/batch', {
      ...as(),
      body: { productIds: [ids.E], settings: {}, floorFromMarginPercent: 10 },
    });
    expect(floored.status, floored.text).toBe(200);
    expect(floored.body.items[0]).toMatchObject({ minPrice: 8_656, economics: { floor: 8_656 } });
    expect(floored.body.items[0].economics.atFloor.marginPercent).toBeGreaterThanOrEqual(10);

    // The rival sells at 8 000: the demper goes no lower than the new floor.
    await checkAt(new Date(at(nextDay, '00:10').getTime() + 10 * MIN));
    const decided = await ctx.db.select().from(priceChanges).where(eq(priceChanges.productId, ids.E!));
    expect(decided.map((c) => [c.reason, c.newPrice])).toEqual([['floor_reached', 8_656]]);
  });
});
