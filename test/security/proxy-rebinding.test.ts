import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProxyActivities } from '../../src/activities/proxies';
import { alerts, proxies } from '../../src/db/schema';
import { testConfig, testContext } from '../support/env';
import { closeDispatchers, dispatcherFor } from '../../src/kaspi/http';
import { allowPrivateProxyAddresses, refusedAddressReason } from '../../src/proxies/addresses';

/**
 * A proxy's host is checked when it is imported, but a name can point elsewhere later (DNS rebinding):
 * the address it resolves to when a connection is made is checked again.
 */
describe('proxy addresses at connect time', () => {
  let target: http.Server;
  let proxy: http.Server;
  let tunnels = 0;
  let targetUrl: string;
  let proxyPort: number;

  beforeAll(async () => {
    target = http.createServer((_req, res) => res.end('reached'));
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}/`;
    proxy = http.createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req, socket) => {
      tunnels++;
      const [host, port] = (req.url ?? '').split(':');
      const upstream = net.connect(Number(port), host!, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyPort = (proxy.address() as AddressInfo).port;
  });
  afterAll(async () => {
    allowPrivateProxyAddresses(false);
    await closeDispatchers();
    proxy.closeAllConnections();
    target.closeAllConnections();
    await new Promise((resolve) => proxy.close(resolve));
    await new Promise((resolve) => target.close(resolve));
  });

  it('refuses a proxy host that resolves to 127.0.0.1 when connecting, though it looked public when imported', async () => {
    // At import, the name answered with a public address.
    expect(await refusedAddressReason('localhost', async () => ['8.8.8.8'])).toBeUndefined();
    // Now it answers 127.0.0.1.
    allowPrivateProxyAddresses(false);
    const proxyUrl = `http://user:pw@localhost:${proxyPort}`;
    await expect(request(targetUrl, { dispatcher: dispatcherFor(proxyUrl) })).rejects.toThrow();
    expect(tunnels).toBe(0);
    await closeDispatchers(proxyUrl);

    // Where private addresses are allowed (the sandbox), the same proxy carries the request.
    allowPrivateProxyAddresses(true);
    const reply = await request(targetUrl, { dispatcher: dispatcherFor(proxyUrl) });
    expect(await reply.body.text()).toBe('reached');
    expect(tunnels).toBe(1);
  });
});

describe('proxies bought from the provider', () => {
  it('are checked like imported ones: a host inside our network is refused and the admins are told', async () => {
    const unixEnd = Math.floor(Date.now() / 1000) + 86_400;
    const sold = { host: ['127.0.0.1', '10.20.30.40', 'localhost'], ids: ['rb-1', 'rb-2', 'rb-3'] };
    const shop = http.createServer((req, res) => {
      const method = new URL(req.url ?? '/', 'http://x').pathname.split('/')[3] ?? '';
      const base = { status: 'yes', balance: 100, currency: 'RUB' };
      const answers: Record<string, object> = {
        '': base,
        getprice: { ...base, price: 1, price_single: 1 },
        buy: {
          ...base,
          list: Object.fromEntries(
            sold.ids.map((id, i) => [
              id,
              {
                id,
                host: sold.host[i],
                port: 8000 + i,
                user: 'u',
                pass: 'p',
                type: 'http',
                unixtime_end: unixEnd,
                active: '1',
              },
            ]),
          ),
        },
        prolong: { ...base, list: [] },
        delete: { ...base, count: 0 },
      };
      res
        .setHeader('content-type', 'application/json')
        .end(JSON.stringify(answers[method] ?? { status: 'no', error: 'unknown' }));
    });
    await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
    const ctx = testContext(
      testConfig({
        PROXY_PROVIDER_URL: `http://127.0.0.1:${(shop.address() as AddressInfo).port}`,
        PROXY_PROVIDER_KEY: 'rebinding-test-key',
        PROXY_POOL_MIN: '1000000',
        PROXY_ALLOW_PRIVATE_ADDRESSES: 'false',
      }),
    );
    try {
      const report = await createProxyActivities(ctx).maintainProxyPool();
      expect(report.bought).toBe(0);
      expect(await ctx.db.select().from(proxies).where(inArray(proxies.providerProxyId, sold.ids))).toEqual([]);
      const told = await ctx.db
        .select()
        .from(alerts)
        .where(and(eq(alerts.kind, 'proxy_refused'), eq(alerts.audience, 'admin')));
      for (const id of sold.ids) expect(told.some((a) => a.message.includes(`id ${id}`))).toBe(true);
    } finally {
      await ctx.close();
      shop.closeAllConnections();
      await new Promise((resolve) => shop.close(resolve));
    }
  });
});
