import { and, eq, inArray } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { proxies, proxyUsageLog } from '../../src/db/schema';
import { fetchOffersPage, isKaspiError } from '../../src/kaspi';
import { ALMATY } from '../../src/kaspi/cities';
import type { SandboxHandle } from '../../sandbox';
import { createReadChannel } from '../../src/proxies/read-channel';
import { readThrough } from '../../src/proxies/read-through';
import { testConfig, useTestContext } from '../support/env';
import { giveSandboxProxies } from '../support/proxies';
import { contractSeed, PRODUCT_ID, useSandbox } from '../support/sandbox';
import { seedUser } from '../support/seed';

const TIMEOUT_MS = 1_000;

/**
 * Storefront reads through a merchant's proxies when some of them misbehave — one takes the CONNECT
 * and never answers, one answers it with 502 — go on through the proxy that works: each bad proxy
 * costs a read at most its deadline (not the minutes a hanging tunnel would hold it), the read moves to
 * the next proxy, and Kaspi sees every read from the good proxy only. (A proxy refusing our credentials
 * with 407, and the merchant told when the last proxy is gone, are in test/proxies/lifecycle.test.ts,
 * which owns the free pool that replaces dead proxies.)
 */
describe('a hanging proxy and a 502 proxy among a merchant’s proxies', () => {
  const sandbox = useSandbox({ proxies: { count: 3 } });
  const ctx = useTestContext(() =>
    testConfig({ KASPI_PUBLIC_URL: sandbox.urls.publicUrl, KASPI_TIMEOUT_MS: String(TIMEOUT_MS) }),
  );

  beforeAll(async () => {
    sandbox.seed(contractSeed());
  });

  it('moves every read to the working proxy within the deadline, and none reaches Kaspi through the bad ones', async () => {
    const [hanging, failing, good] = sandbox.proxies as [SandboxProxyLike, SandboxProxyLike, SandboxProxyLike];
    hanging.mode = 'hang';
    failing.mode = '502';
    const user = await seedUser(ctx.db);
    const ids = await giveSandboxProxies(ctx.db, ctx.keyring, [hanging, failing, good], {
      userId: user.id,
      module: 'demper',
    });
    // Least recently used goes first: the hanging proxy, then the failing one, then the good one.
    for (const [i, id] of ids.entries())
      await ctx.db
        .update(proxies)
        .set({ lastUsedAt: new Date(Date.now() - (3 - i) * 60_000) })
        .where(eq(proxies.id, id));

    const attempts: { port: number; ms: number; kind: string }[] = [];
    const before = sandbox.requests.length;
    const { results, blockedUntil } = await readThrough(
      { channel: createReadChannel(ctx), sleep: (ms) => new Promise((r) => setTimeout(r, ms)), now: Date.now },
      {
        userId: user.id,
        module: 'demper',
        storeId: 'proxy-faults',
        items: [1, 2, 3, 4, 5, 6],
        waitUpToMs: 10_000,
        read: async (_item, proxyUrl) => {
          const started = Date.now();
          const port = Number(new URL(proxyUrl!).port);
          try {
            const page = await fetchOffersPage(
              { urls: sandbox.urls, proxyUrl, timeoutMs: TIMEOUT_MS },
              { productId: PRODUCT_ID, cityId: ALMATY, page: 0, limit: 5 },
            );
            attempts.push({ port, ms: Date.now() - started, kind: 'ok' });
            return page;
          } catch (error) {
            attempts.push({ port, ms: Date.now() - started, kind: isKaspiError(error) ? error.kind : 'other' });
            throw error;
          }
        },
      },
    );

    expect(blockedUntil).toBeNull();
    expect(results.every((r) => r.error === undefined && r.result !== undefined)).toBe(true);
    const through = (proxy: SandboxProxyLike) => attempts.filter((a) => a.port === proxy.port);
    expect(through(hanging).map((a) => a.kind)).toContain('proxy_failed');
    expect(through(failing).map((a) => a.kind)).toContain('proxy_failed');
    expect(through(good).map((a) => a.kind)).toEqual(Array(6).fill('ok'));
    // The hanging tunnel is given up at the call's deadline (undici checks its timers every half second or so).
    for (const a of through(hanging)) expect(a.ms).toBeLessThan(3 * TIMEOUT_MS);
    const reads = sandbox.requests.slice(before).filter((r) => r.endpoint === 'offers');
    expect(reads.map((r) => r.sourceIp)).toEqual(Array(6).fill(good.localAddress));

    // Each failure counts against its proxy (toward the pool's health rule), none against the good one.
    const leases = await ctx.db.select().from(proxyUsageLog).where(inArray(proxyUsageLog.proxyId, ids));
    const failures = (id: string) => leases.filter((l) => l.proxyId === id).reduce((n, l) => n + (l.failures ?? 0), 0);
    expect([failures(ids[0]!), failures(ids[1]!), failures(ids[2]!)]).toEqual([
      through(hanging).length,
      through(failing).length,
      0,
    ]);
    const rows = await ctx.db
      .select({ status: proxies.status })
      .from(proxies)
      .where(and(inArray(proxies.id, ids), eq(proxies.status, 'allocated')));
    expect(rows).toHaveLength(3);
  });
});

type SandboxProxyLike = SandboxHandle['proxies'][number];
