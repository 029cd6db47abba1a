import { request } from 'node:http';
import { beforeEach, describe, expect, it } from 'vitest';
import { fetchOffersPage, type KaspiError, pushPrice, pushPricesBatch } from '../../src/kaspi';
import { ALMATY } from '../../src/kaspi/cities';
import { cabinetContext, OUR_SKU, OUR_UID, PRODUCT_ID, publicContext, useContractSandbox } from '../support/sandbox';

const sandbox = useContractSandbox({ proxies: { count: 3 }, banScale: 0.001 });

const read = (proxyUrl?: string) =>
  fetchOffersPage(publicContext(sandbox, { proxyUrl }), { productId: PRODUCT_ID, cityId: ALMATY, page: 0, limit: 10 });

/** Sends `count` reads `gapMs` apart and reports the kind of each outcome. */
async function paced(count: number, gapMs: number, proxyUrl?: string): Promise<string[]> {
  const outcomes: Promise<string>[] = [];
  for (let i = 0; i < count; i++) {
    outcomes.push(
      read(proxyUrl).then(
        () => 'ok',
        (e: KaspiError) => e.kind,
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  return Promise.all(outcomes);
}

describe('sandbox proxies', () => {
  it('requests through two proxies arrive from two different source addresses', async () => {
    const [a, b] = sandbox.proxies;
    await read(a!.url);
    await read(b!.url);
    await read();
    const sources = sandbox.requests.filter((r) => r.endpoint === 'offers').map((r) => r.sourceIp);
    expect(sources).toEqual([a!.localAddress, b!.localAddress, '127.0.0.1']);
    expect(a!.localAddress).not.toBe(b!.localAddress);
  });

  it('refuses bad credentials with 407, classified as proxy_auth', async () => {
    const proxy = sandbox.proxies[0]!;
    const res = await read(`http://${proxy.username}:nope@${proxy.host}:${proxy.port}`).catch((e: unknown) => e);
    expect(res).toMatchObject({ kind: 'proxy_auth', status: 407 });
  });

  it('tunnels only to the sandbox itself', async () => {
    const proxy = sandbox.proxies[0]!;
    const status = await new Promise<number>((resolve, reject) => {
      const auth = Buffer.from(`${proxy.username}:${proxy.password}`).toString('base64');
      const req = request({
        host: proxy.host,
        port: proxy.port,
        method: 'CONNECT',
        path: '127.0.0.1:22',
        headers: { 'proxy-authorization': `Basic ${auth}` },
      });
      req.on('connect', (res, socket) => {
        socket.destroy();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });
});

describe('proxy provider (Proxy6 style)', () => {
  const call = async (method: string, query = '', key = sandbox.provider.apiKey) =>
    (await (await fetch(`${sandbox.provider.url}/api/${key}/${method}?${query}`)).json()) as Record<string, unknown>;

  it('sells the sandbox proxies against a balance, prolongs and deletes them', async () => {
    expect(await call('getcount')).toMatchObject({ status: 'yes', count: 3, balance: '1000.00' });
    const bought = await call('buy', 'count=2&period=30&country=kz&version=4&descr=demper');
    expect(bought).toMatchObject({ status: 'yes', count: 2, price: 120, balance: '880.00' });
    const list = bought.list as Record<
      string,
      { id: string; host: string; port: string; user: string; pass: string; ip: string }
    >;
    const [first, second] = Object.values(list);
    const proxyUrl = `http://${first!.user}:${first!.pass}@${first!.host}:${first!.port}`;
    expect((await read(proxyUrl)).offers).toHaveLength(3);
    expect(sandbox.requests.at(-1)!.sourceIp).toBe(first!.ip);
    expect(await call('getproxy', 'state=active')).toMatchObject({ list_count: 2 });
    expect(await call('prolong', `period=7&ids=${first!.id}`)).toMatchObject({ status: 'yes', balance: '866.00' });
    expect(await call('delete', `ids=${second!.id}`)).toMatchObject({ status: 'yes', count: 1 });
    const deleted = sandbox.proxies.find((p) => p.id === second!.id)!;
    expect(await read(deleted.url).catch((e: unknown) => e)).toMatchObject({ kind: 'proxy_auth' });
    expect(await call('buy', 'count=3&period=30')).toMatchObject({ status: 'no', error_id: 300 });
    expect(await call('buy', 'count=1&period=1000')).toMatchObject({
      status: 'no',
      error_id: 400,
      error: 'Error no money',
    });
    expect(await call('getcount', '', 'wrong-key')).toMatchObject({ status: 'no', error_id: 100 });
  });

  it('expired proxies stop accepting their credentials', async () => {
    const bought = await call('buy', 'count=1&period=3');
    const id = Object.keys(bought.list as object)[0]!;
    sandbox.provider.state.shiftLeases(-4 * 24 * 3600_000);
    expect(await call('getproxy', 'state=expired')).toMatchObject({ list_count: 1 });
    const proxy = sandbox.proxies.find((p) => p.id === id)!;
    expect(await read(proxy.url).catch((e: unknown) => e)).toMatchObject({ kind: 'proxy_auth' });
  });
});

describe('measured limit profile', () => {
  beforeEach(() => {
    sandbox.setProfile('measured', 0.1);
  });

  it('bans a client that exceeds the read limit and lets one that stays under it through', async () => {
    const [fast, slow] = sandbox.proxies;
    // The slow client sends more than the 15 a ban needs, but never more than ≈8 in any second.
    const [fastOutcomes, slowOutcomes] = await Promise.all([paced(30, 20, fast!.url), paced(20, 125, slow!.url)]);
    expect(fastOutcomes).toContain('ip_throttled');
    expect(fastOutcomes.filter((o) => o !== 'ok' && o !== 'ip_throttled')).toEqual([]);
    expect(slowOutcomes).toEqual(Array(20).fill('ok'));
    const refusedFrom = (ip: string) => sandbox.requests.filter((r) => r.sourceIp === ip && r.status === 403).length;
    expect(refusedFrom(fast!.localAddress)).toBeGreaterThan(0);
    expect(refusedFrom(slow!.localAddress)).toBe(0);
  });

  it('lifts the ban after its (scaled) duration', async () => {
    const proxy = sandbox.proxies[2]!;
    await Promise.allSettled(Array.from({ length: 20 }, () => read(proxy.url)));
    const until = sandbox.limits.publicReads.bannedUntil(proxy.localAddress, Date.now());
    expect(until).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, until! - Date.now() + 20));
    expect((await read(proxy.url)).offers).toHaveLength(3);
  });

  it('bans pushes per merchant whatever the source address, and records the refused ones', async () => {
    const push = (proxyUrl: string | undefined, priceTenge: number) =>
      pushPrice(cabinetContext(sandbox, OUR_UID, { proxyUrl }), {
        merchantUid: OUR_UID,
        sku: OUR_SKU,
        model: 'x',
        cityPrices: [{ cityId: ALMATY, priceTenge }],
      }).then(
        () => 'ok',
        (e: KaspiError) => e.kind,
      );
    const outcomes = await Promise.all(
      sandbox.proxies.flatMap((p, i) => [push(p.url, 9_000 + i), push(p.url, 8_000 + i)]),
    );
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(3);
    expect(outcomes.filter((o) => o === 'merchant_throttled')).toHaveLength(3);
    const refused = sandbox.market.pushLog({ merchantUid: OUR_UID }).filter((p) => p.status === 429);
    expect(new Set(refused.map((p) => p.sourceIp)).size).toBeGreaterThan(0);
    expect(refused.every((p) => p.appliedAtMs === undefined)).toBe(true);
  });

  it('counts changes per store: the 251st change in the window is refused and blocks further changes', async () => {
    const offers = Array.from({ length: 251 }, (_, i) => ({
      merchantUid: OUR_UID,
      sku: `b-${i}`,
      productId: String(300_000_000 + i),
      price: 1_000,
    }));
    sandbox.seed({ offers });
    const items = offers.map((o) => ({
      merchantUid: OUR_UID,
      sku: o.sku,
      model: 'x',
      cityPrices: [{ cityId: ALMATY, priceTenge: 999 }],
    }));
    expect((await pushPricesBatch(cabinetContext(sandbox), items.slice(0, 250))).jobId).toMatch(/^\d+$/);
    const error = await pushPricesBatch(cabinetContext(sandbox), items.slice(250)).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'merchant_throttled' });
    expect(sandbox.market.pushLog({ sku: 'b-250' })).toMatchObject([
      { status: 429, reason: 'change budget exhausted' },
    ]);
  });
});

describe('seed limit profile', () => {
  it('answers 429 after 250 reads per IP in the window', async () => {
    sandbox.setProfile('seed', 1);
    const proxy = sandbox.proxies[1]!;
    for (let i = 0; i < 250; i++) await read(proxy.url);
    const error = await read(proxy.url).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'rate_limited', status: 429 });
    expect((await read()).offers).toHaveLength(3);
  });
});
