import http from 'node:http';
import type net from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_HEADERS, checkSession, fetchOffersPage, type KaspiUrls } from '../../src/kaspi';

/**
 * Every call goes out with the whole header set of the Chrome it names, and every answer is decoded
 * whatever `Content-Encoding` it comes in. A plain server stands in for Kaspi here, to see the headers
 * as they arrive and to answer in each encoding.
 */
describe('looking like a browser', () => {
  let server: http.Server;
  let urls: KaspiUrls;
  const seen: http.IncomingHttpHeaders[] = [];
  let encoding = 'identity';

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(req.headers);
      const body = Buffer.from(
        JSON.stringify(
          req.url?.startsWith('/s/m')
            ? { merchants: [{ uid: '30100001' }] }
            : { offers: [{ merchantId: '1', price: 5 }], total: 1 },
        ),
      );
      const packed = {
        gzip: gzipSync,
        br: brotliCompressSync,
        deflate: deflateSync,
        identity: (b: Buffer) => b,
        zstd: (b: Buffer) => b,
      }[encoding as 'gzip'](body);
      res.writeHead(200, {
        'content-type': 'application/json',
        ...(encoding === 'identity' ? {} : { 'content-encoding': encoding }),
      });
      res.end(packed);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    urls = { publicUrl: base, mcUrl: base, idmcUrl: base, shopApiUrl: `${base}/shop/api` };
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends the Chrome header set, consistent with its User-Agent, to the storefront and the cabinet', async () => {
    seen.length = 0;
    await checkSession({ urls, session: { cookies: { 'mc-session': 's', 'mc-sid': 'i' } } });
    await fetchOffersPage({ urls }, { productId: '1', cityId: '750000000', page: 0, limit: 64 });
    const major = /Chrome\/(\d+)\./.exec(BROWSER_HEADERS['user-agent']!)?.[1];
    expect(major).toBeDefined();
    for (const headers of seen) {
      expect(headers).toMatchObject({
        'user-agent': BROWSER_HEADERS['user-agent'],
        'accept-language': expect.stringMatching(/^ru-RU/),
        'accept-encoding': 'gzip, deflate, br',
        'sec-ch-ua': expect.stringContaining(`"Google Chrome";v="${major}"`),
        'sec-ch-ua-mobile': '?0',
        'sec-ch-ua-platform': '"Windows"',
      });
      expect(headers['sec-ch-ua']).toContain(`"Chromium";v="${major}"`);
    }
    expect(seen[0]).toMatchObject({ 'x-auth-version': '3', accept: 'application/json, text/plain, */*' });
    expect(seen[1]).toMatchObject({ 'x-ks-city': '750000000', 'sec-fetch-mode': 'cors' });
  });

  it('decodes gzip, brotli and deflate answers, and calls an encoding it cannot read malformed', async () => {
    for (const coding of ['gzip', 'br', 'deflate', 'identity']) {
      encoding = coding;
      expect(await checkSession({ urls, session: { cookies: {} } }), coding).toEqual({ merchantUids: ['30100001'] });
      expect(
        (await fetchOffersPage({ urls }, { productId: '1', cityId: '750000000', page: 0, limit: 64 })).offers,
        coding,
      ).toHaveLength(1);
    }
    encoding = 'zstd';
    await expect(checkSession({ urls, session: { cookies: {} } })).rejects.toMatchObject({ kind: 'malformed' });
  });
});
