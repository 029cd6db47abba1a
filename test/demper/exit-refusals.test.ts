import { eq, inArray } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { proxies } from '../../src/db/schema';
import { ALMATY } from '../../src/kaspi/cities';
import type { ExitRefusal } from '../../sandbox';
import { connectStore, demperProduct, startLoop, useDemperStack } from '../support/demper';
import { benchedProxiesEnv, giveSandboxProxies } from '../support/proxies';
import { waitFor } from '../support/wait';
import { headToHead } from '../support/sandbox';

const OURS = '31700011';
const RIVAL = '31700012';
const BENCH_MS = 4_000;
const PRODUCTS = [1, 2, 3, 4, 5, 6].map((n) => ({ sku: `X-${n}`, productId: `96000000${n}` }));

/**
 * Storefront reads through the merchant's demper proxies, three of whose exits Kaspi refuses: one
 * answers 429, one an HTML check page, one a redirect to it. Each is benched like a 403 ban: the loop
 * reads on through the healthy exit, and no read goes out through a refused one while it sits out.
 */
describe('a storefront exit that answers 429, a check page or a redirect', () => {
  const { sandbox, ctx } = useDemperStack({
    // A lease left unreported (an attempt timed out on a busy machine) holds its exit's budget until it
    // lapses: keep that short, so the one healthy exit is not held for the default 30 s.
    env: { ...benchedProxiesEnv(BENCH_MS), PROXY_LEASE_SECONDS: '5' },
    proxies: { count: 4, firstLocalHost: 31 },
    market: headToHead(OURS, RIVAL, PRODUCTS, 9_500),
  });
  let proxyIds: string[];
  const refusals: ExitRefusal[] = ['429', 'html', 'redirect'];

  beforeAll(async () => {
    refusals.forEach((refusal, i) => sandbox.refuseExit(sandbox.proxies[i]!.localAddress, refusal));
    const { store, user } = await connectStore(ctx, sandbox, OURS);
    proxyIds = await giveSandboxProxies(ctx.db, ctx.keyring, sandbox.proxies, { userId: user.id, module: 'demper' });
    for (const { sku, productId } of PRODUCTS) {
      await demperProduct(ctx, store.id, { kaspiProductId: productId, sku, price: 10_000, minPrice: 5_000 });
    }
    await startLoop(ctx, store);
  });

  it('benches each refused exit and reads on through the healthy one, sending nothing through a benched exit', async () => {
    const refused = sandbox.proxies.slice(0, 3);
    const healthy = sandbox.proxies[3]!;
    await waitFor(
      'every product first',
      () => PRODUCTS.every(({ productId }) => sandbox.market.card(productId, ALMATY)[0]?.offer.merchantUid === OURS),
      60_000,
    );
    const offers = sandbox.requests.filter((r) => r.endpoint === 'offers');
    for (const [i, proxy] of refused.entries()) {
      const answers = offers.filter((r) => r.sourceIp === proxy.localAddress);
      expect(answers.length, `reads through the ${refusals[i]} exit`).toBeGreaterThan(0);
      expect(new Set(answers.map((r) => r.status)), refusals[i]).toEqual(
        new Set([{ '429': 429, html: 200, redirect: 302 }[refusals[i]!]]),
      );
      // After each refusal, nothing more through that exit while it sits out.
      for (const refusal of answers) {
        const tooSoon = answers.filter((r) => r.atMs > refusal.atMs && r.atMs < refusal.atMs + BENCH_MS - 100);
        expect(tooSoon, `reads through the ${refusals[i]} exit while benched`).toEqual([]);
      }
    }
    const rows = await ctx.db
      .select()
      .from(proxies)
      .where(inArray(proxies.id, proxyIds.slice(0, 3)));
    expect(
      rows.every((r) => r.restUntil !== null),
      'each refused exit was benched in the pool',
    ).toBe(true);
    expect(
      rows.every((r) => r.status === 'allocated'),
      'benched, not retired',
    ).toBe(true);
    const [healthyRow] = await ctx.db.select().from(proxies).where(eq(proxies.id, proxyIds[3]!));
    expect(healthyRow!.failureCount).toBe(0);
    expect(offers.filter((r) => r.sourceIp === healthy.localAddress && r.status === 200).length).toBeGreaterThanOrEqual(
      PRODUCTS.length,
    );
  });
});
