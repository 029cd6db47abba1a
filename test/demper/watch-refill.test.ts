import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { kaspiStores, products } from '../../src/db/schema';
import { checkDueProducts } from '../../src/demper/check';
import { loadDemperStore } from '../../src/demper/store';
import type { DemperConfig } from '../../src/domain/demper-config';
import { DEFAULT_CHANGE_BUDGET } from '../../src/domain/write-budget';
import { ALMATY } from '../../src/kaspi/cities';
import { createDirectReadChannel } from '../../src/proxies/read-channel';
import { connectStore, demperProduct, demperTestConfig } from '../support/demper';
import { useTestContext } from '../support/env';
import { giveSandboxProxies } from '../support/proxies';
import { useSandbox } from '../support/sandbox';

const OURS = '31800001';
const RIVAL = '31900001';
const PRODUCTS = 30;
const productId = (n: number) => `94000000${String(n).padStart(2, '0')}`;

/**
 * A store reading ahead keeps its readers busy with the most stale products, refilling their queue as
 * it runs dry. A product watched for its rival's next act comes due while that queue is read: it must
 * wait for a moment, not for a whole batch of reads, or the cut after it stands seconds less.
 */
describe('refilling a batch that reads ahead', () => {
  const sandbox = useSandbox({
    market: {
      merchants: [OURS, RIVAL].map((uid) => ({ uid, name: uid, points: [{ code: 'PP1', cityId: ALMATY }] })),
      offers: Array.from({ length: PRODUCTS + 1 }, (_, n) => [
        { merchantUid: OURS, sku: `W-${n}`, productId: productId(n), price: 10_000 },
        { merchantUid: RIVAL, sku: `RW-${n}`, productId: productId(n), price: 11_000 },
      ]).flat(),
    },
  });
  const ctx = useTestContext(() => demperTestConfig(sandbox));
  let storeId: string;

  beforeAll(async () => {
    const { store, user } = await connectStore(ctx, sandbox, OURS);
    storeId = store.id;
    // Holding a proxy makes the store read ahead; the reads here go straight to the sandbox.
    await giveSandboxProxies(ctx.db, ctx.keyring, [{ port: 9, username: 'reader', password: 'unused' }], {
      userId: user.id,
      module: 'demper',
    });
  });

  /**
   * One check batch of the store, reading ahead, one reader, ten products to start with, on a clock
   * that moves `stepMs` with every product taken and with every wait: the order of reads, not the
   * machine's speed, decides the outcome. Its products were set up at `startMs` on that clock.
   */
  async function readAheadBatch(startMs: number, config: Partial<DemperConfig>, stepMs = 100) {
    let clockMs = startMs;
    await ctx.db.update(kaspiStores).set({ demperConfig: config }).where(eq(kaspiStores.id, storeId));
    const store = (await loadDemperStore(ctx.db, storeId))!;
    return checkDueProducts(
      {
        db: ctx.db,
        channel: createDirectReadChannel({ readsPerSecond: 100_000, banPauseMs: 1_000 }),
        urls: sandbox.urls,
        timeoutMs: 3_000,
        logger: ctx.logger,
        batchSize: 10,
        concurrency: 1,
        budget: DEFAULT_CHANGE_BUDGET,
        changesRecorded: () => undefined,
        readAheadSeconds: 60,
        now: () => new Date(clockMs),
        sleep: async (ms) => {
          clockMs += ms;
        },
        progress: () => {
          clockMs += stepMs;
        },
      },
      { store, cycle: 1, config: store.config, writesBlocked: false },
    );
  }

  /**
   * The store's products, made afresh: each not due for ten minutes, and read two minutes before
   * `startMs`, stale enough to be read ahead. The first is the one a test watches.
   */
  async function freshProducts(startMs: number) {
    await ctx.db.delete(products).where(eq(products.storeId, storeId));
    const made = [];
    for (let n = 0; n <= PRODUCTS; n++) {
      made.push(
        await demperProduct(ctx, storeId, {
          kaspiProductId: productId(n),
          sku: `W-${n}`,
          price: 10_000,
          cityPrices: { [ALMATY]: 10_000 },
          minPrice: 8_000,
          lastCheckAt: new Date(startMs - 120_000),
          nextCheckAt: new Date(startMs + 600_000),
        }),
      );
    }
    return made;
  }

  it('reads a watched product within a few reads of its due time, not after the rest of the queue', async () => {
    const start = Date.now();
    const [watched] = await freshProducts(start);
    // Read a second ago, so not read ahead, and due in 1.25 s: while the twelfth to fifteenth are read.
    await ctx.db
      .update(products)
      .set({ lastCheckAt: new Date(start - 1_000), nextCheckAt: new Date(start + 1_250) })
      .where(eq(products.id, watched!.id));
    // Intervals long enough that nothing read comes due again while the batch reads.
    const result = await readAheadBatch(start, { intervalSeconds: 300, hotIntervalSeconds: 60, maxPushesPerSecond: 2 });

    expect(result.checked).toBe(PRODUCTS + 1);
    const [read] = await ctx.db.select({ at: products.lastCheckAt }).from(products).where(eq(products.id, watched!.id));
    // Two products per reader are queued at a time: at most that many reads (and the one under way)
    // come between its due time and its own. A queue of the batch's ten would leave it 0.85 s late.
    expect(read!.at!.getTime() - (start + 1_250)).toBeLessThanOrEqual(300);
  });

  it('reads every product, though those read within the gap come due again first', async () => {
    const start = Date.now();
    await freshProducts(start);
    // A product taken every 300 ms, and due again 5 s after its read: the first ones read come due
    // again while the rest wait, well within the 60-s gap before they may be read again. First among
    // those due, they must not take the refill's few places from the unread ones.
    const result = await readAheadBatch(
      start,
      { intervalSeconds: 5, hotIntervalSeconds: 5, maxPushesPerSecond: 2 },
      300,
    );
    expect(result.checked).toBe(PRODUCTS + 1);
  });
});
