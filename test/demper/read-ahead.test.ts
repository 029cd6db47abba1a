import { count, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { products, proxyUsageLog } from '../../src/db/schema';
import { ALMATY } from '../../src/kaspi/cities';
import { connectStore, demperProduct, startLoop, useDemperStack } from '../support/demper';
import { giveSandboxProxies } from '../support/proxies';
import { waitFor } from '../support/wait';

const OURS = '31300001';
const RIVAL = '31400001';
const PRODUCTS = [1, 2, 3, 4].map((n) => ({ productId: `92000000${n}`, sku: `P-${n}`, rivalSku: `R-${n}` }));

/**
 * A store with a proxy of its own reads its products continuously, as fast as the proxy allows, rather
 * than at its intervals: with the quiet interval at 300 s and the hot one at 60 s, a rival's move is
 * still answered within seconds. A batch reads on for half a decision's age (30 s here), so the answer
 * goes out while the batch that found it is still reading. The proxy is leased for whole budget windows
 * at a time, its reads paced, so a lease serves many reads and Kaspi's per-address limit is never met.
 */
describe('reading ahead of the intervals', () => {
  const { sandbox, ctx } = useDemperStack({
    env: { PROXY_ALLOW_PRIVATE_ADDRESSES: 'true', DEMPER_READ_AHEAD_SECONDS: '2' },
    proxies: { count: 1 },
    profile: 'measured',
    banScale: 0.001,
    market: {
      merchants: [OURS, RIVAL].map((uid) => ({ uid, name: uid, points: [{ code: 'PP1', cityId: ALMATY }] })),
      offers: PRODUCTS.flatMap((p) => [
        { merchantUid: OURS, sku: p.sku, productId: p.productId, price: 10_000 },
        { merchantUid: RIVAL, sku: p.rivalSku, productId: p.productId, price: 9_500 },
      ]),
    },
  });

  let storeId: string;
  let userId: string;

  beforeAll(async () => {
    const { store, user } = await connectStore(ctx, sandbox, OURS, {
      demperConfig: { intervalSeconds: 300, hotIntervalSeconds: 60, maxPushesPerSecond: 2 },
    });
    storeId = store.id;
    userId = user.id;
    await giveSandboxProxies(ctx.db, ctx.keyring, sandbox.proxies, { userId: user.id, module: 'demper' });
    for (const p of PRODUCTS) {
      await demperProduct(ctx, store.id, {
        kaspiProductId: p.productId,
        sku: p.sku,
        price: 10_000,
        cityPrices: { [ALMATY]: 10_000 },
        minPrice: 8_000,
      });
    }
    await startLoop(ctx, store);
  });

  const ourPrice = (productId: string) =>
    sandbox.market.card(productId, ALMATY).find((e) => e.offer.merchantUid === OURS)?.price;
  const reads = () => sandbox.tally.get('offers:200') ?? 0;

  it('answers a rival within seconds though the product is not due for a minute, through few leases and no ban', async () => {
    await waitFor('first place on every card', () => PRODUCTS.every((p) => ourPrice(p.productId) === 9_499));
    // Every product was just pushed, so none is due before its hot interval (60 s) is over.
    const [target] = PRODUCTS;
    const rival = sandbox.market.offer(RIVAL, target!.rivalSku)!;
    const readsBefore = reads();
    const movedAt = Date.now();
    sandbox.market.mutate(rival, () => rival.cityPrices.set(ALMATY, 9_300));
    await waitFor('the answer to the rival', () => ourPrice(target!.productId) === 9_299);
    const answeredMs = Date.now() - movedAt;
    expect(answeredMs).toBeLessThan(20_000);
    // The other cards are read again too, none of them due for a minute yet; the cut just made, under a
    // rival that went under our last one, is watched for its answer: read again every 4 s.
    await waitFor('every card read again', async () => {
      const rows = await ctx.db.select().from(products).where(eq(products.storeId, storeId));
      const read = rows.every((r) => r.lastCheckAt!.getTime() > movedAt);
      const due = (r: (typeof rows)[number]) => r.nextCheckAt!.getTime() - r.lastCheckAt!.getTime();
      const watched = rows.filter((r) => r.kaspiProductId === target!.productId);
      const others = rows.filter((r) => r.kaspiProductId !== target!.productId);
      return read && watched.every((r) => due(r) <= 4_000) && others.every((r) => due(r) > 30_000);
    });
    expect(reads() - readsBefore).toBeGreaterThanOrEqual(PRODUCTS.length);

    const [leases] = await ctx.db.select({ n: count() }).from(proxyUsageLog).where(eq(proxyUsageLog.userId, userId));
    expect(reads() / leases!.n).toBeGreaterThanOrEqual(2);
    expect(sandbox.tally.get('offers:403') ?? 0).toBe(0);
  });
});
