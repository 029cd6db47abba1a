import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTokenService } from '../../src/accounts/tokens';
import { kaspiStores, orders } from '../../src/db/schema';
import { sealFor } from '../../src/db/sealed-columns';
import { ALMATY } from '../../src/kaspi/cities';
import { kaspiUrlsEnv } from '../../sandbox';
import type { OrderSeed } from '../../sandbox/orders';
import { freePort } from '../../src/stack/ports';
import { waitForPort } from '../../src/stack/temporal-dev-server';
import { startDemper } from '../../src/stores/demper-control';
import { startOrdersPoll } from '../../src/stores/orders-poll';
import { connectStore, demperProduct, loopStatus, sentAndPushed } from '../support/demper';
import {
  SHARED_ADDRESS_LIMITS_ENV,
  startTestApi,
  testConfig,
  testContext,
  useTestContext,
  type TestApi,
  type TestContext,
} from '../support/env';
import { call, registerMerchant } from '../support/http';
import { exited, spawnEntry, workerProcessEnv } from '../support/processes';
import { useSandbox } from '../support/sandbox';
import { TEST_JWT_SECRET } from '../support/secrets';
import { waitFor } from '../support/wait';

/** The same shop three times over, each run by a worker whose clock says another time. */
const SKEWS = [
  { name: 'no skew', faketime: null, merchantUid: '31970001' },
  { name: '+2 h', faketime: '+2h', merchantUid: '31970002' },
  { name: '-5 min', faketime: '-5m', merchantUid: '31970003' },
] as const;
const RIVAL = '31979999';
/** Cards whose rivals never move: the right decisions are fixed, whatever the clock. Each shop has its own copy. */
const CARDS = [
  { sku: 'SK-UNDER', rival: 9_000.5, floor: 5_000 },
  { sku: 'SK-FLOOR', rival: 4_000, floor: 5_000 },
  { sku: 'SK-ALONE', rival: null, floor: 5_000 },
];
const productIdOf = (shop: number, card: number) => String(941_000_000 + shop * 10 + card);
const DAY = 86_400_000;
/**
 * libfaketime (Debian's `faketime` package) preloaded into the child itself, rather than through the
 * `faketime` command, which would stand between the test and the child and keep signals from it.
 * It shifts the wall clock only; timers run on the monotonic clock as they should.
 */
const LIBFAKETIME = ['x86_64-linux-gnu', 'aarch64-linux-gnu']
  .map((arch) => `/usr/lib/${arch}/faketime/libfaketime.so.1`)
  .find((file) => fs.existsSync(file));
const skewedEnv = (skew: string | null): Record<string, string> => {
  if (skew === null) return {};
  if (!LIBFAKETIME) throw new Error('libfaketime is not installed: apt-get install faketime');
  return { LD_PRELOAD: LIBFAKETIME, FAKETIME: skew, DONT_FAKE_MONOTONIC: '1' };
};

/**
 * Workers and the API under libfaketime (`faketime`), at +2 h and −5 min against the same sandbox and
 * the same PostgreSQL and Temporal: each skewed worker makes the same repricing decisions as the one on
 * time, at the same pace, and stores every order exactly once — those created while it runs included.
 * JWTs: an API at −5 min issues tokens that an API on time takes within JWT_CLOCK_LEEWAY_SECONDS and
 * refuses without the leeway; an API at +2 h takes a token that expired within the leeway and refuses
 * one that expired before.
 */
describe('clock skew of workers and the API', () => {
  const sandbox = useSandbox({
    market: {
      merchants: [
        ...SKEWS.map((s) => ({ uid: s.merchantUid, name: s.name, shopApiToken: `token-${s.merchantUid}` })),
        { uid: RIVAL, name: 'Rival' },
      ].map((m) => ({ ...m, points: [{ code: 'PP1', cityId: ALMATY }] })),
      offers: SKEWS.flatMap((s, i) =>
        CARDS.flatMap((c, j) => [
          { merchantUid: s.merchantUid as string, sku: c.sku, productId: productIdOf(i, j), price: 10_000 },
          ...(c.rival === null
            ? []
            : [{ merchantUid: RIVAL, sku: `R-${i}-${c.sku}`, productId: productIdOf(i, j), price: c.rival }]),
        ]),
      ),
    },
  });
  const ctx = useTestContext(() => testConfig({ ...kaspiUrlsEnv(sandbox.urls) }));
  const workers: ReturnType<typeof spawnEntry>[] = [];
  const shops: { name: string; storeId: string; userId: string; merchantUid: string; taskQueue: string }[] = [];
  let orderCodes = 0;

  const ordersFor = (merchantUid: string, count: number, creationDateMs: number): OrderSeed[] =>
    Array.from({ length: count }, () => ({
      merchantUid,
      code: String(870_000_000 + orderCodes++),
      creationDateMs,
      status: 'APPROVED_BY_BANK',
      state: 'NEW',
      deliveryMode: 'DELIVERY_PICKUP',
      pickupPointCode: 'PP1',
      customer: { firstName: 'Покупатель', lastName: 'К.', cellPhone: '7012345678' },
      entries: [{ sku: CARDS[0]!.sku, name: 'Товар', quantity: 1, basePrice: 9_000 }],
    }));

  beforeAll(async () => {
    for (const skew of SKEWS) {
      sandbox.seed({ orders: ordersFor(skew.merchantUid, 5, Date.now() - DAY) });
      const taskQueue = `skew-${randomUUID()}`;
      const worker = spawnEntry(
        'src/worker.ts',
        workerProcessEnv(taskQueue, {
          ...kaspiUrlsEnv(sandbox.urls),
          KASPI_TIMEOUT_MS: '3000',
          DIRECT_READS_PER_SECOND: '12',
          ORDERS_POLL_INTERVAL: '1',
          ORDERS_DIRECT_READS_PER_SECOND: '100',
          ...skewedEnv(skew.faketime),
        }),
      );
      workers.push(worker);
      const { store } = await connectStore(ctx, sandbox, skew.merchantUid, {
        demperConfig: { intervalSeconds: 5, hotIntervalSeconds: 5, maxPushesPerSecond: 2 },
      });
      await ctx.db
        .update(kaspiStores)
        .set({ shopApiTokenEnc: sealFor(ctx.keyring, 'storeShopApiToken', store.id, `token-${skew.merchantUid}`) })
        .where(eq(kaspiStores.id, store.id));
      for (const [j, card] of CARDS.entries()) {
        await demperProduct(ctx, store.id, {
          kaspiProductId: productIdOf(shops.length, j),
          sku: card.sku,
          price: 10_000,
          minPrice: card.floor,
          maxPrice: 12_000,
        });
      }
      shops.push({
        name: skew.name,
        storeId: store.id,
        userId: store.userId,
        merchantUid: skew.merchantUid,
        taskQueue,
      });
    }
    // The workers start together; each shop's loop and poll start on its worker's task queue.
    for (const [i, shop] of shops.entries()) {
      const worker = workers[i]!;
      await waitFor(
        `the worker at ${shop.name}`,
        () => worker.output().includes('worker polling') || worker.exitCode !== null,
        120_000,
      );
      expect(worker.exitCode, worker.output()).toBeNull();
    }
    for (const shop of shops) {
      const control = {
        temporal: ctx.temporal,
        db: ctx.db,
        config: { ...ctx.config, temporal: { ...ctx.config.temporal, taskQueue: shop.taskQueue } },
      };
      const store = { id: shop.storeId, userId: shop.userId };
      await startDemper(control, store);
      await startOrdersPoll(control, store);
    }
  });
  afterAll(async () => {
    for (const worker of workers) if (worker.exitCode === null) worker.kill('SIGTERM');
    await Promise.all(workers.map(exited));
  });

  const cycleOf = async (storeId: string) => (await loopStatus(ctx, storeId).catch(() => null))?.cycle ?? 0;

  it('makes the same decisions at the same pace, and stores every order once', { timeout: 300_000 }, async () => {
    const cycles = () => Promise.all(shops.map((s) => cycleOf(s.storeId)));
    const started = await waitFor(
      'two cycles of every loop',
      async () => {
        const now = await cycles();
        return now.every((c) => c >= 2) && now;
      },
      120_000,
    );
    // Orders created now, while the workers run: a worker five minutes behind must not leave them out.
    for (const shop of shops) sandbox.seed({ orders: ordersFor(shop.merchantUid, 3, Date.now()) });
    const stored = (storeId: string) =>
      ctx.db.select({ code: orders.code }).from(orders).where(eq(orders.storeId, storeId));
    await waitFor(
      'every order stored',
      async () => {
        for (const shop of shops)
          if ((await stored(shop.storeId)).length < sandbox.orders.all(shop.merchantUid).length) return false;
        return true;
      },
      60_000,
    );
    // The same pace: while the loop on time runs six more cycles (long enough that one slow check on
    // busy cores is not a stall), a skewed loop neither spins nor sleeps through its checks.
    const ended = await waitFor(
      'six more cycles on time',
      async () => {
        const now = await cycles();
        return now[0]! >= started[0]! + 6 && now;
      },
      90_000,
    );
    const paces = ended.map((c, i) => c - started[i]!);

    const decisions: Record<string, Record<string, number[]>> = {};
    for (const shop of shops) {
      const expected = sandbox.orders
        .all(shop.merchantUid)
        .map((o) => o.code)
        .sort();
      const codes = (await stored(shop.storeId)).map((o) => o.code).sort();
      expect(codes, `orders at ${shop.name}`).toEqual(expected);
      decisions[shop.name] = {};
      for (const card of CARDS) {
        const { recorded } = await sentAndPushed(ctx, sandbox, {
          storeId: shop.storeId,
          sku: card.sku,
          merchantUid: shop.merchantUid,
        });
        decisions[shop.name]![card.sku] = recorded;
      }
    }
    // The first cut stops at the drop limit's 9 000, already a fraction under the rival's 9 000.5 and
    // listed ahead of it: no tenge more is given.
    expect(decisions['no skew']!['SK-UNDER']!.at(-1)).toBe(9_000);
    // Prices that step down per cycle (towards a floor) may be a step apart at the moment of looking:
    // the same decisions means one shop's sequence is the start of the other's.
    for (const skewed of ['+2 h', '-5 min']) {
      for (const card of CARDS) {
        const [a, b] = [decisions['no skew']![card.sku]!, decisions[skewed]![card.sku]!];
        const [shorter, longer] = a.length <= b.length ? [a, b] : [b, a];
        expect(longer.slice(0, shorter.length), `${card.sku} at ${skewed}`).toEqual(shorter);
        expect(
          longer.length - shorter.length,
          `${card.sku} at ${skewed}: ${a.join(',')} vs ${b.join(',')}`,
        ).toBeLessThanOrEqual(1);
      }
    }
    // Neither stalled nor spinning: a loop that misreads its due times by hours runs no cycle in this
    // window, or dozens. Within that, processes sharing two busy cores keep somewhat different paces.
    const [onTime, ...skewed] = paces;
    for (const pace of skewed) {
      expect(pace, `cycles run meanwhile: ${paces.join(', ')}`).toBeGreaterThanOrEqual(1);
      expect(pace, `cycles run meanwhile: ${paces.join(', ')}`).toBeLessThanOrEqual(2 * onTime! + 2);
    }
    const { rows } = await ctx.db.execute<{ n: number }>(
      sql`select count(*)::int as n from orders where store_id in (${sql.join(
        shops.map((s) => sql`${s.storeId}`),
        sql`, `,
      )})`,
    );
    expect(rows[0]!.n).toBe(shops.reduce((n, s) => n + sandbox.orders.all(s.merchantUid).length, 0));
  });

  describe('tokens between APIs whose clocks differ', () => {
    const apis: ReturnType<typeof spawnEntry>[] = [];
    const inProcess: { api: TestApi; ctx: TestContext }[] = [];

    async function skewedApi(skew: string, env: Record<string, string>) {
      const port = await freePort();
      const child = spawnEntry('src/api/server.ts', {
        PORT: String(port),
        DATABASE_URL: inject('databaseUrl'),
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        ...SHARED_ADDRESS_LIMITS_ENV,
        ...skewedEnv(skew),
        ...env,
      });
      apis.push(child);
      await waitForPort('127.0.0.1', port, 60_000, () => child.exitCode === null);
      return `http://127.0.0.1:${port}`;
    }
    async function onTimeApi(leewaySeconds: number) {
      const apiCtx = testContext(testConfig({ JWT_CLOCK_LEEWAY_SECONDS: String(leewaySeconds) }));
      const api = await startTestApi(apiCtx);
      inProcess.push({ api, ctx: apiCtx });
      return api.url;
    }
    afterAll(async () => {
      for (const child of apis) if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.all(apis.map(exited));
      for (const { api, ctx: apiCtx } of inProcess) {
        await api.close();
        await apiCtx.close();
      }
    });

    it('takes a token expired within the leeway and refuses one expired before it', { timeout: 180_000 }, async () => {
      // Five minutes behind, a 270 s token expires 30 s before the time on time.
      const behind = await skewedApi('-5m', { JWT_TTL_SECONDS: '270' });
      const merchant = await registerMerchant(behind, 'skew');
      const [lenient, strict] = [await onTimeApi(60), await onTimeApi(0)];
      expect((await call(lenient, 'GET', '/api/v1/me', { token: merchant.token })).status).toBe(200);
      expect((await call(strict, 'GET', '/api/v1/me', { token: merchant.token })).status).toBe(401);

      // Two hours ahead, tokens issued on time: one expired 30 s ago by its clock, one 200 s ago.
      const ahead = await skewedApi('+2h', { JWT_CLOCK_LEEWAY_SECONDS: '60' });
      const issue = (ttlSeconds: number) =>
        createTokenService(TEST_JWT_SECRET, ttlSeconds, 60).issue({
          userId: merchant.id,
          role: 'user',
          tokenVersion: 0,
        });
      expect((await call(ahead, 'GET', '/api/v1/me', { token: (await issue(7_170)).token })).status).toBe(200);
      expect((await call(ahead, 'GET', '/api/v1/me', { token: (await issue(7_000)).token })).status).toBe(401);
    });
  });
});
