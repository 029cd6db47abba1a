import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { KASPI_MAX_BODY_BYTES, MESSENGER_MAX_BODY_BYTES } from '../../src/lib/capped-body';
import { kaspiRequest } from '../../src/kaspi/http';
import { KaspiError } from '../../src/kaspi/errors';
import { jsonCall, MessengerError } from '../../src/notify/messenger-http';

/** Answers every request with an endless JSON string (at most 200 MB, then it stops by itself); counts what it sent. */
describe('answers of Kaspi, WAHA and Telegram are read only up to a size', () => {
  let server: http.Server;
  let url: string;
  const sent: number[] = [];

  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let total = 0;
      res.write('"');
      const pump = () => {
        while (total < 200 * 1024 * 1024) {
          total += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end('"');
      };
      res.on('close', () => sent.push(total));
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('Kaspi: a larger answer fails as unavailable, and the rest is not read', async () => {
    const urls = { publicUrl: url, mcUrl: url, idmcUrl: url, shopApiUrl: url };
    const failure = await kaspiRequest(
      { urls, timeoutMs: 20_000 },
      { endpoint: 'offers', surface: 'public', method: 'GET', url, schema: z.unknown() },
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(KaspiError);
    expect((failure as KaspiError).kind).toBe('unavailable');
    expect((failure as Error).message).toMatch(/larger than/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sent.at(-1)!).toBeLessThan(KASPI_MAX_BODY_BYTES + 16 * 1024 * 1024);
  });

  it('WAHA and Telegram: a larger answer fails as unavailable', async () => {
    const failure = await jsonCall('Telegram', url, { method: 'GET', timeoutMs: 20_000 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(MessengerError);
    expect((failure as MessengerError).kind).toBe('unavailable');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sent.at(-1)!).toBeLessThan(MESSENGER_MAX_BODY_BYTES + 16 * 1024 * 1024);
  });
});
