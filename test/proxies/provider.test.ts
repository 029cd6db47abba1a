import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { fetchOffersPage } from '../../src/kaspi';
import { ALMATY } from '../../src/kaspi/cities';
import { createProxy6Provider, ProviderError, PROVIDER_NO_MONEY } from '../../src/proxies/provider';
import { ensureProxyPoolSchedule } from '../../src/proxies/schedule';
import { useTestContext } from '../support/env';
import { contractSeed, PRODUCT_ID, useSandbox } from '../support/sandbox';

describe('the Proxy6-style provider client against the sandbox provider', () => {
  const sandbox = useSandbox({ proxies: { count: 3 }, provider: { balance: 100, pricePerProxyDay: 2 } });
  beforeAll(() => sandbox.seed(contractSeed()));

  const provider = () => createProxy6Provider({ url: sandbox.provider.url, apiKey: sandbox.provider.apiKey });

  it('reads the balance and prices', async () => {
    expect(await provider().balance()).toEqual({ balance: 100, currency: 'RUB' });
    expect(await provider().price(3, 7)).toEqual({ total: 42, perProxy: 14 });
  });

  it('buys working proxies, lists, prolongs and deletes them', async () => {
    const bought = await provider().buy({ count: 2, periodDays: 5, country: 'kz', descr: 'test' });
    expect(bought).toHaveLength(2);
    expect((await provider().balance()).balance).toBe(100 - 2 * 5 * 2);
    const [first] = bought;
    expect(first!.expiresAt.getTime()).toBeGreaterThan(Date.now() + 4 * 86_400_000);
    // What was bought really carries requests.
    const proxyUrl = `http://${first!.username}:${first!.password}@${first!.host}:${first!.port}`;
    const page = await fetchOffersPage(
      { urls: sandbox.urls, proxyUrl, timeoutMs: 5_000 },
      { productId: PRODUCT_ID, cityId: ALMATY, page: 0, limit: 5 },
    );
    expect(page.offers.length).toBeGreaterThan(0);

    expect((await provider().list()).map((p) => p.providerProxyId).sort()).toEqual(
      bought.map((p) => p.providerProxyId).sort(),
    );
    const ends = await provider().prolong([first!.providerProxyId], 3);
    expect(ends.get(first!.providerProxyId)!.getTime()).toBeGreaterThan(first!.expiresAt.getTime());
    expect(await provider().delete(bought.map((p) => p.providerProxyId))).toBe(2);
    expect(await provider().list()).toEqual([]);
  });

  it('reports refusals with the provider’s error id, and never the key', async () => {
    const broke = await provider()
      .buy({ count: 1, periodDays: 1000, country: 'kz', descr: 'too long' })
      .catch((e: unknown) => e);
    expect(broke).toBeInstanceOf(ProviderError);
    expect((broke as ProviderError).errorId).toBe(PROVIDER_NO_MONEY);
    const wrongKey = await createProxy6Provider({ url: sandbox.provider.url, apiKey: 'wrong-key' })
      .balance()
      .catch((e: unknown) => e);
    expect(wrongKey).toMatchObject({ errorId: 100 });
    const unreachable = await createProxy6Provider({ url: 'http://127.0.0.1:1', apiKey: 'secret-key-123' })
      .balance()
      .catch((e: unknown) => e);
    expect(unreachable).toBeInstanceOf(ProviderError);
    expect((unreachable as Error).message).not.toContain('secret-key-123');
  });
});

describe('the proxy-pool schedule', () => {
  const ctx = useTestContext();

  it('is created once, every 6 hours, starting proxyPoolWorkflow without overlaps', async () => {
    const scheduleId = `proxy-pool-${randomUUID()}`;
    const options = { taskQueue: ctx.config.temporal.taskQueue, scheduleId };
    expect(await ensureProxyPoolSchedule(ctx.temporal, options)).toBe('created');
    expect(await ensureProxyPoolSchedule(ctx.temporal, options)).toBe('exists');
    const handle = ctx.temporal.schedule.getHandle(scheduleId);
    try {
      const description = await handle.describe();
      expect(description.action).toMatchObject({
        type: 'startWorkflow',
        workflowType: 'proxyPoolWorkflow',
        taskQueue: ctx.config.temporal.taskQueue,
      });
      expect(description.spec.intervals?.[0]?.every).toBe(6 * 3600 * 1000);
      expect(description.policies.overlap).toBe('SKIP');
    } finally {
      await handle.delete();
    }
  });
});
