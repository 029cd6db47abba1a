import { beforeEach, describe, expect, it } from 'vitest';
import {
  checkSession,
  fetchOffersPage,
  fetchOrderEntries,
  fetchOrdersPage,
  KaspiError,
  pushPrice,
  toApplicationFailure,
  type KaspiErrorKind,
} from '../../src/kaspi';
import { ALMATY } from '../../src/kaspi/cities';
import { freePort } from '../../src/stack/ports';
import {
  cabinetContext,
  contractSeed,
  OUR_SKU,
  OUR_UID,
  PRODUCT_ID,
  publicContext,
  shopApiContext,
  useSandbox,
} from '../support/sandbox';

const sandbox = useSandbox({ banScale: 0.001, proxies: { count: 2 } });
beforeEach(() => {
  sandbox.reset();
  sandbox.setProfile('unlimited');
  sandbox.seed(contractSeed());
});

async function failure(call: Promise<unknown>): Promise<KaspiError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KaspiError);
  return error as KaspiError;
}

const readOffers = (proxyUrl?: string, timeoutMs = 5_000) =>
  fetchOffersPage(publicContext(sandbox, { proxyUrl, timeoutMs }), {
    productId: PRODUCT_ID,
    cityId: ALMATY,
    page: 0,
    limit: 10,
  });
const push = (priceTenge = 9_000) =>
  pushPrice(cabinetContext(sandbox), {
    merchantUid: OUR_UID,
    sku: OUR_SKU,
    model: 'x',
    cityPrices: [{ cityId: ALMATY, priceTenge }],
  });

describe('every failure the sandbox produces is classified', () => {
  it('session_expired: an expired cabinet session (401)', async () => {
    const ctx = cabinetContext(sandbox);
    sandbox.auth.expireSessions();
    const error = await failure(checkSession(ctx));
    expect([error.kind, error.status, error.endpoint]).toEqual(['session_expired', 401, 'session']);
  });

  it('session_expired: an injected 401 on the pricefeed', async () => {
    sandbox.faults.add({ endpoint: 'pricefeed', kind: '401', times: 1 });
    expect((await failure(push())).kind).toBe('session_expired');
  });

  it('ip_throttled: the measured profile bans a flooding IP with 403', async () => {
    sandbox.setProfile('measured', 1);
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => readOffers()));
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as KaspiError] : []));
    expect(errors.length).toBeGreaterThan(0);
    expect(new Set(errors.map((e) => `${e.kind}:${e.status}`))).toEqual(new Set(['ip_throttled:403']));
  });

  it('merchant_throttled: pushes above the rate ban the merchant with 429 and a cooldown', async () => {
    sandbox.setProfile('measured', 1);
    const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => push(9_000 - i)));
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as KaspiError] : []));
    expect(errors.length).toBe(2);
    for (const error of errors) {
      expect(error.kind).toBe('merchant_throttled');
      expect(error.cooldownMs).toBeGreaterThan(29 * 60_000);
    }
    const failure_ = toApplicationFailure(errors[0]!);
    expect(failure_.type).toBe('KaspiMerchantThrottled');
    expect(failure_.nonRetryable).toBe(true);
    expect(sandbox.market.pushLog().filter((p) => p.status === 429)).toHaveLength(2);
  });

  it('rate_limited: the seed profile answers 429 with Retry-After once the window is spent', async () => {
    sandbox.setProfile(
      {
        name: 'tiny-seed',
        publicReads: [{ windowMs: 60_000, maxRequests: 3, status: 429, banMs: 0 }],
        pushes: [],
        changes: [],
      },
      1,
    );
    for (let i = 0; i < 3; i++) await readOffers();
    const error = await failure(readOffers());
    expect(error.kind).toBe('rate_limited');
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(toApplicationFailure(error).nextRetryDelay).toBe(error.retryAfterMs);
  });

  it('unavailable: 5xx, a timeout and a dropped connection', async () => {
    sandbox.faults.add({ endpoint: 'offers', kind: '5xx', status: 502, times: 1 });
    expect(await failure(readOffers())).toMatchObject({ kind: 'unavailable', status: 502 });
    sandbox.faults.add({ endpoint: 'offers', kind: 'slow', delayMs: 2_000, times: 1 });
    expect(await failure(readOffers(undefined, 300))).toMatchObject({ kind: 'unavailable', status: undefined });
    sandbox.faults.add({ endpoint: 'offers', kind: 'drop', times: 1 });
    expect(await failure(readOffers())).toMatchObject({ kind: 'unavailable' });
    expect((await readOffers()).offers).toHaveLength(3);
  });

  it('anti_bot: an HTML interstitial where JSON was expected', async () => {
    sandbox.faults.add({ endpoint: 'offers', kind: 'html', times: 1 });
    expect(await failure(readOffers())).toMatchObject({ kind: 'anti_bot', status: 200 });
  });

  it('malformed: a truncated JSON body', async () => {
    sandbox.faults.add({ endpoint: 'orders', kind: 'malformed', times: 1 });
    const error = await failure(
      fetchOrdersPage(shopApiContext(sandbox), { filter: { creationDateFromMs: Date.now() - 1000 }, page: 0 }),
    );
    expect(error.kind).toBe('malformed');
  });

  it('bad_request: Kaspi refusing a request (400)', async () => {
    const error = await failure(
      pushPrice(cabinetContext(sandbox), {
        merchantUid: OUR_UID,
        sku: 'missing',
        model: 'x',
        cityPrices: [{ cityId: ALMATY, priceTenge: 1 }],
      }),
    );
    expect([error.kind, error.status]).toEqual(['bad_request', 400]);
    expect(toApplicationFailure(error).nonRetryable).toBe(true);
  });

  it('not_found: an order that is not there (404)', async () => {
    expect((await failure(fetchOrderEntries(shopApiContext(sandbox), 'bm9uZQ'))).kind).toBe('not_found');
  });

  it('proxy_auth: a proxy refusing our credentials (407)', async () => {
    const proxy = sandbox.proxies[0]!;
    const wrong = proxy.url.replace(`:${encodeURIComponent(proxy.password)}@`, ':wrong@');
    const error = await failure(readOffers(wrong));
    expect([error.kind, error.status]).toEqual(['proxy_auth', 407]);
    expect(error.message).not.toContain('wrong');
  });

  it('proxy_failed: a proxy that refuses the tunnel, drops it, or is not there', async () => {
    const proxy = sandbox.proxies[1]!;
    proxy.mode = '502';
    expect(await failure(readOffers(proxy.url))).toMatchObject({ kind: 'proxy_failed', status: 502 });
    proxy.mode = 'drop';
    expect((await failure(readOffers(proxy.url))).kind).toBe('proxy_failed');
    const unused = `http://u:p@127.0.0.1:${await freePort()}`;
    expect((await failure(readOffers(unused))).kind).toBe('proxy_failed');
    proxy.mode = 'ok';
    expect((await readOffers(proxy.url)).offers).toHaveLength(3);
  });

  it('covers every kind', () => {
    const kinds: KaspiErrorKind[] = [
      'session_expired',
      'ip_throttled',
      'merchant_throttled',
      'rate_limited',
      'unavailable',
      'anti_bot',
      'malformed',
      'bad_request',
      'not_found',
      'proxy_auth',
      'proxy_failed',
    ];
    expect(kinds.map((kind) => toApplicationFailure(new KaspiError({ kind, endpoint: 'x' })).type)).toEqual([
      'KaspiSessionExpired',
      'KaspiIpThrottled',
      'KaspiMerchantThrottled',
      'KaspiRateLimited',
      'KaspiUnavailable',
      'KaspiAntiBot',
      'KaspiMalformed',
      'KaspiBadRequest',
      'KaspiNotFound',
      'KaspiProxyAuth',
      'KaspiProxyFailed',
    ]);
  });
});
