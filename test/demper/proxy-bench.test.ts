import { beforeAll, describe, expect, it } from 'vitest';
import { fetchOffers, isKaspiError } from '../../src/kaspi';
import { ALMATY } from '../../src/kaspi/cities';
import { connectStore, demperProduct, startLoop, useDemperStack } from '../support/demper';
import { waitFor } from '../support/wait';
import { eq } from 'drizzle-orm';
import { proxies } from '../../src/db/schema';
import { benchedProxiesEnv, giveSandboxProxies } from '../support/proxies';

const OURS = '31100001';
const RIVAL = '31200001';
const BENCH_MS = 4_000;

/**
 * Reads through the merchant's demper proxies, leased from the pool: a 403 on one proxy's address
 * benches that proxy, the reader moves to another at once, and nothing more goes out through the
 * banned one while it sits out.
 */
describe('a 403 through one proxy', () => {
  const { sandbox, ctx } = useDemperStack({
    env: benchedProxiesEnv(BENCH_MS),
    proxies: { count: 2 },
    // Per source address: 5 reads a second, else a 403 and a 5-second ban.
    profile: {
      name: 'reads',
      publicReads: [{ windowMs: 1_000, maxRequests: 5, status: 403, banMs: 5_000 }],
      pushes: [],
      changes: [],
    },
    market: {
      merchants: [OURS, RIVAL].map((uid) => ({ uid, name: uid, points: [{ code: 'PP1', cityId: ALMATY }] })),
      offers: [1, 2, 3, 4].flatMap((n) => [
        { merchantUid: OURS, sku: `P-${n}`, productId: `91000000${n}`, price: 10_000 },
        { merchantUid: RIVAL, sku: `R-${n}`, productId: `91000000${n}`, price: 9_500 },
      ]),
    },
  });
  let proxyIds: string[];

  beforeAll(async () => {
    const { store, user } = await connectStore(ctx, sandbox, OURS);
    proxyIds = await giveSandboxProxies(ctx.db, ctx.keyring, sandbox.proxies, { userId: user.id, module: 'demper' });
    for (const n of [1, 2, 3, 4]) {
      await demperProduct(ctx, store.id, {
        kaspiProductId: `91000000${n}`,
        sku: `P-${n}`,
        price: 10_000,
        minPrice: 5_000,
      });
    }

    // Someone else burns the first proxy's address before the loop starts.
    const [first] = sandbox.proxies;
    for (let i = 0; i < 6; i++) {
      await fetchOffers(
        { urls: sandbox.urls, proxyUrl: first!.url },
        { productId: '910000001', cityId: ALMATY, maxPages: 1 },
      ).catch((error: unknown) => {
        if (!isKaspiError(error, 'ip_throttled')) throw error;
      });
    }
    await startLoop(ctx, store);
  });

  it('benches only that address and reads on through the other', async () => {
    const [banned, healthy] = sandbox.proxies as [(typeof sandbox.proxies)[0], (typeof sandbox.proxies)[0]];
    await waitFor('every product first', () =>
      [1, 2, 3, 4].every((n) => sandbox.market.card(`91000000${n}`, ALMATY)[0]?.offer.merchantUid === OURS),
    );
    const [bannedRow] = await ctx.db.select().from(proxies).where(eq(proxies.id, proxyIds[0]!));
    expect(bannedRow!.restUntil, 'the loop reported the ban, which benched the first proxy').not.toBeNull();
    const offers = sandbox.requests.filter((r) => r.endpoint === 'offers');
    // Nothing more through the banned address while it sat out; the other address did the reading.
    const lastBan = offers.filter((r) => r.sourceIp === banned.localAddress && r.status === 403).at(-1)!;
    expect(
      offers.filter(
        (r) => r.sourceIp === banned.localAddress && r.atMs > lastBan.atMs && r.atMs < lastBan.atMs + BENCH_MS - 100,
      ),
    ).toEqual([]);
    expect(offers.filter((r) => r.sourceIp === healthy.localAddress && r.status === 200).length).toBeGreaterThanOrEqual(
      4,
    );
    expect(offers.filter((r) => r.sourceIp === healthy.localAddress && r.status === 403)).toEqual([]);
  });
});
