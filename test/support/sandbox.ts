import { beforeEach } from 'vitest';
import type { CabinetContext, KaspiContext, ShopApiContext } from '../../src/kaspi';
import { ALMATY, ASTANA } from '../../src/kaspi/cities';
import { startSandbox, type MarketSeed, type SandboxOptions, type SandboxHandle } from '../../sandbox';
import { suiteResource } from './suite-resource';

export const OUR_UID = '30100001';
export const RIVAL_A = '30200001';
export const RIVAL_B = '30200002';
export const PRODUCT_ID = '111111111';
export const OUR_SKU = '111111111_1';
export const SHOP_TOKEN = 'shop-token-ours';
export const OWNER = { email: 'owner@shop.test', password: 'correct horse', phone: '+7 701 111 22 33' };
export const MFA_OWNER = { email: 'mfa@shop.test', password: 'another secret', phone: '+7 702 444 55 66' };

/** A small market every contract test starts from: us and two rivals on one product in two cities. */
export function contractSeed(): MarketSeed {
  const bothCities = () => [
    { code: 'PP1', cityId: ALMATY },
    { code: 'PP2', cityId: ASTANA },
  ];
  return {
    merchants: [
      { uid: OUR_UID, name: 'Наш Магазин', points: bothCities(), rating: 4.9, shopApiToken: SHOP_TOKEN },
      { uid: RIVAL_A, name: 'Rival A', points: [{ code: 'PP1', cityId: ALMATY }], rating: 4.5 },
      { uid: RIVAL_B, name: 'Rival B', points: bothCities(), rating: 4.7 },
    ],
    logins: [
      { ...OWNER, merchantUids: [OUR_UID] },
      { ...MFA_OWNER, mfa: true, merchantUids: [OUR_UID] },
    ],
    products: [{ id: PRODUCT_ID, title: 'Смартфон Test X1', brand: 'Test' }],
    offers: [
      {
        merchantUid: OUR_UID,
        sku: OUR_SKU,
        productId: PRODUCT_ID,
        price: 10_000,
        cityPrices: { [ALMATY]: 10_000, [ASTANA]: 10_500 },
      },
      { merchantUid: RIVAL_A, sku: 'RA-1', productId: PRODUCT_ID, price: 9_990.5 },
      { merchantUid: RIVAL_B, sku: 'RB-1', productId: PRODUCT_ID, price: 10_200 },
    ],
  };
}

/**
 * Us and one rival, each with one point in Almaty, on every product: ours at 10,000 under its SKU, the
 * rival's under `R-<SKU>` at `rivalPriceTenge`.
 */
export function headToHead(
  ours: string,
  rival: string,
  products: { sku: string; productId: string }[],
  rivalPriceTenge: number,
) {
  return {
    merchants: [ours, rival].map((uid) => ({ uid, name: uid, points: [{ code: 'PP1', cityId: ALMATY }] })),
    offers: products.flatMap(({ sku, productId }) => [
      { merchantUid: ours, sku, productId, price: 10_000 },
      { merchantUid: rival, sku: `R-${sku}`, productId, price: rivalPriceTenge },
    ]),
  } satisfies MarketSeed;
}

/** A sandbox for one test file: no limits and short delays unless the test asks otherwise. */
export function startTestSandbox(options: SandboxOptions = {}) {
  return startSandbox({
    profile: 'unlimited',
    pushApplyDelayMs: 20,
    uploadApplyDelayMs: 50,
    smsResendIntervalMs: 0,
    ...options,
  });
}

/** The suite's sandbox (see `startTestSandbox`). */
export function useSandbox(options: SandboxOptions = {}): SandboxHandle {
  return suiteResource(
    'the sandbox',
    () => startTestSandbox(options),
    (sandbox) => sandbox.stop(),
  );
}

/** The suite's sandbox, emptied and seeded with the contract market (or the given one) before each test. */
export function useContractSandbox(options: SandboxOptions = {}, seed: () => MarketSeed = contractSeed): SandboxHandle {
  const sandbox = useSandbox(options);
  beforeEach(() => {
    sandbox.reset();
    sandbox.seed(seed());
  });
  return sandbox;
}

export function publicContext(sandbox: SandboxHandle, extra: Partial<KaspiContext> = {}): KaspiContext {
  return { urls: sandbox.urls, timeoutMs: 5_000, ...extra };
}

/** A cabinet context with a fresh session for the merchant, created through the sandbox. */
export function cabinetContext(
  sandbox: SandboxHandle,
  merchantUid = OUR_UID,
  extra: Partial<KaspiContext> = {},
): CabinetContext {
  const session = sandbox.auth.createSession([merchantUid]);
  return {
    urls: sandbox.urls,
    timeoutMs: 5_000,
    session: { cookies: { 'mc-session': session.mcSession, 'mc-sid': session.mcSid } },
    ...extra,
  };
}

export function shopApiContext(sandbox: SandboxHandle, shopApiToken = SHOP_TOKEN): ShopApiContext {
  return { urls: sandbox.urls, timeoutMs: 5_000, shopApiToken };
}

/** Headers of a browser on the product page, for raw requests that probe the sandbox's protocol checks. */
export function browserHeaders(sandbox: SandboxHandle): Record<string, string> {
  return {
    'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36',
    referer: `${sandbox.urls.publicUrl}/shop/p/-${PRODUCT_ID}/`,
    'content-type': 'application/json',
  };
}
