import { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { orders, priceChanges, products } from '../../src/db/schema';
import { ALMATY } from '../../src/kaspi/cities';
import { createLogger } from '../../src/lib/logger';
import { pollOrdersNow, startOrdersPoll } from '../../src/stores/orders-poll';
import { saveShopApiToken } from '../../src/stores/shop-api-token';
import { ordersPollStatusQuery, ordersPollWorkflowId } from '../../src/workflows/messages';
import { connectStore, demperProduct, demperTestConfig, startLoop } from '../support/demper';
import { testConfig, useTestContext, useTestWorker } from '../support/env';
import { messagingEnv } from '../support/orders';
import { useSandbox } from '../support/sandbox';
import { seedStore, seedUser } from '../support/seed';
import { waitFor } from '../support/wait';

/** The orders poll's retry policy (`orders-poll.ts`): 2 s doubling, five attempts in all. */
const POLL_ATTEMPTS = 5;
const POLL_FIRST_RETRY_MS = 2_000;

/**
 * Kaspi's Shop API answers 500 to every orders read. The poll's activity is retried by Temporal with
 * its backoff and stops at its bound: Kaspi receives exactly five reads for the poll, each further
 * apart than the last by the policy's doubling, the workflow records the classified failure
 * (`KaspiUnavailable`) and waits for its next poll with no attempt left pending, and not one order row
 * is written. Once Kaspi answers again, a poll asked for goes through.
 */
describe('a Shop API answering 500 to every orders read', () => {
  const OURS = '32300001';
  const TOKEN = 'orders-500-token-0001';
  const sandbox = useSandbox();
  const ctx = useTestContext(() =>
    testConfig({
      ...messagingEnv(sandbox),
      KASPI_TIMEOUT_MS: '2000',
      ORDERS_POLL_INTERVAL: '3600',
      ORDERS_HEARTBEAT_TIMEOUT_SECONDS: '5',
    }),
  );
  useTestWorker(ctx);

  beforeAll(async () => {
    sandbox.seed({
      merchants: [{ uid: OURS, name: 'Orders 500', points: [{ code: 'PP1', cityId: ALMATY }], shopApiToken: TOKEN }],
    });
  });

  it(
    'retries the poll with backoff, stops at five attempts, records the failure and writes no order',
    { timeout: 80_000 },
    async ({ annotate }) => {
      const user = await seedUser(ctx.db);
      const store = await seedStore(ctx.db, user.id, { merchantUid: OURS, name: 'Orders 500' });
      await saveShopApiToken(ctx, store.id, TOKEN);
      sandbox.faults.add({ endpoint: 'orders', kind: '5xx', status: 500 });
      const handle = ctx.temporal.workflow.getHandle(ordersPollWorkflowId(store.id));
      await startOrdersPoll(ctx, store);

      const failed = await waitFor(
        'the poll giving up',
        async () => {
          const status = await handle.query(ordersPollStatusQuery);
          return status.lastError !== null && status.phase === 'waiting' && status;
        },
        60_000,
      );
      expect(failed.lastError).toMatch(/^KaspiUnavailable: Kaspi orders failed, unavailable \(HTTP 500\)/);
      // The next poll is the regular one, minutes away: nothing is left retrying.
      expect(Date.parse(failed.nextPollAt!) - Date.now()).toBeGreaterThan(5 * 60_000);
      expect((await handle.describe()).raw.pendingActivities ?? []).toEqual([]);

      const reads = sandbox.requests.filter((r) => r.endpoint === 'orders');
      expect(reads.map((r) => r.status)).toEqual(Array(POLL_ATTEMPTS).fill(500));
      const gaps = reads.slice(1).map((r, i) => r.atMs - reads[i]!.atMs);
      gaps.forEach((gap, k) =>
        expect(gap, `wait before attempt ${k + 2}`).toBeGreaterThanOrEqual(POLL_FIRST_RETRY_MS * 2 ** k - 100),
      );
      const { events } = await handle.fetchHistory();
      const polls = new Set(
        events!
          .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'pollOrders')
          .map((e) => Number(e.eventId)),
      );
      const ofPoll = (scheduledEventId: unknown) => polls.has(Number(scheduledEventId));
      // One scheduled poll, started once in the history: Temporal records only the last of its attempts.
      const started = events!.filter((e) => ofPoll(e.activityTaskStartedEventAttributes?.scheduledEventId));
      expect(started.map((e) => e.activityTaskStartedEventAttributes!.attempt)).toEqual([POLL_ATTEMPTS]);
      const failures = events!.filter((e) => ofPoll(e.activityTaskFailedEventAttributes?.scheduledEventId));
      expect(failures.map((e) => e.activityTaskFailedEventAttributes!.failure!.applicationFailureInfo?.type)).toEqual([
        'KaspiUnavailable',
      ]);
      expect(await ctx.db.select().from(orders).where(eq(orders.storeId, store.id))).toEqual([]);

      sandbox.faults.clear();
      expect(await pollOrdersNow(ctx, store.id)).toBe(true);
      await waitFor(
        'a poll that works',
        async () => (await handle.query(ordersPollStatusQuery)).lastError === null,
        15_000,
      );
      expect(sandbox.requests.filter((r) => r.endpoint === 'orders').at(-1)!.status).toBe(200);

      await annotate(
        `500: ${reads.length} orders reads, gaps ${gaps.map((g) => `${(g / 1000).toFixed(1)} s`).join(', ')}; then ${failed.lastError}`,
      );
    },
  );
});

/**
 * A product card comes back broken — first cut off mid-JSON, then well-formed JSON in a shape Kaspi
 * does not answer (a contract change) — while a rival undercuts us. Each read is classified as a
 * `malformed` Kaspi failure and logged as such, and nothing of it reaches the database: no price
 * change is recorded, nothing is pushed, and the product's row keeps every price, position, rival
 * and pricing field it had; only the check's own schedule moves (when it looked, when to look again,
 * failures in a row, and so the row's modification time). The card read right again, the same loop
 * records the change and pushes it, so the assertions above are about the broken bodies, not a loop
 * that writes nothing anyway.
 */
describe('a malformed or wrong-schema product card', () => {
  const OURS = '32400001';
  const RIVAL = '32400002';
  const PRODUCT = { sku: 'MAL-1', productId: '961000001' };
  let logged = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logged += String(chunk);
      done();
    },
  });
  const sandbox = useSandbox({
    market: {
      merchants: [OURS, RIVAL].map((uid) => ({ uid, name: uid, points: [{ code: 'PP1', cityId: ALMATY }] })),
      offers: [
        // Within one change's drop limit (10 %) of the rival's 9,000, so one push reaches 8,999.
        { merchantUid: OURS, ...PRODUCT, price: 9_500 },
        { merchantUid: RIVAL, sku: 'R-MAL-1', productId: PRODUCT.productId, price: 9_000 },
      ],
    },
  });
  const ctx = useTestContext(
    () => demperTestConfig(sandbox, { LOG_LEVEL: 'warn' }),
    (config) => createLogger(config, 'worker', sink),
  );
  useTestWorker(ctx);

  it(
    'logs each broken card as malformed and writes no price, change or push',
    { timeout: 60_000 },
    async ({ annotate }) => {
      const { store } = await connectStore(ctx, sandbox, OURS, {
        demperConfig: { intervalSeconds: 5, hotIntervalSeconds: 5, maxPushesPerSecond: 2 },
      });
      const product = await demperProduct(ctx, store.id, {
        kaspiProductId: PRODUCT.productId,
        sku: PRODUCT.sku,
        price: 9_500,
        minPrice: 5_000,
      });
      const truncated = sandbox.faults.add({ endpoint: 'offers', kind: 'malformed', times: 1 });
      const reshaped = sandbox.faults.add({ endpoint: 'offers', kind: 'wrong_schema', times: 1 });
      /** The row without the check's schedule, which a failed check moves on purpose (and the row's modification time with it). */
      const productData = async () => {
        const [row] = await ctx.db.select().from(products).where(eq(products.id, product.id));
        const {
          lastCheckAt: _lastCheckAt,
          nextCheckAt: _nextCheckAt,
          updatedAt: _updatedAt,
          checkErrors,
          ...data
        } = row!;
        return { data, checkErrors };
      };
      const before = await productData();
      await startLoop(ctx, store);

      const afterBoth = await waitFor(
        'both broken reads checked',
        async () => {
          const now = await productData();
          return now.checkErrors === 2 && now;
        },
        30_000,
      );
      expect(truncated.fired + reshaped.fired).toBe(2);
      expect(afterBoth.data).toEqual(before.data);
      expect(await ctx.db.select().from(priceChanges).where(eq(priceChanges.storeId, store.id))).toEqual([]);
      expect(sandbox.market.pushLog({ merchantUid: OURS })).toEqual([]);

      const lines = logged
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { level: number; msg: string; productId?: string; errors?: string[] })
        .filter((line) => line.msg === 'could not read the product card' && line.productId === product.id);
      expect(lines.map((l) => [l.level, l.errors])).toEqual([
        [40, ['Kaspi offers failed, malformed (HTTP 200): body is not JSON']],
        [40, [expect.stringMatching(/^Kaspi offers failed, malformed \(HTTP 200\): unexpected shape: offers /)]],
      ]);

      // Read right, the same card is decided and pushed.
      const pushed = await waitFor(
        'the push once the card reads right',
        () => sandbox.market.pushLog({ merchantUid: OURS }).find((p) => p.status === 200),
        30_000,
      );
      expect(pushed.cityPrices?.[0]?.value).toBe(8_999);
      // Kaspi logs the push as it takes it; the sender records it as sent a moment later.
      await waitFor('the push recorded as sent', async () => (await productData()).data.price === 8_999, 10_000);
      await annotate(
        `malformed: ${lines.length} broken reads logged as malformed, 0 changes, 0 pushes; then pushed ${pushed.cityPrices?.[0]?.value}`,
      );
    },
  );
});
