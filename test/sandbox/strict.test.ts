import { beforeEach, describe, expect, it } from 'vitest';
import {
  buildPriceListXml,
  fetchAllOffers,
  fetchOfferDetails,
  fetchOffers,
  isKaspiError,
  pushPricesBatch,
  uploadPriceList,
  xmlPriceListFile,
} from '../../src/kaspi';
import { ALMATY, ASTANA } from '../../src/kaspi/cities';
import type { StrictRule } from '../../sandbox';
import { waitFor } from '../support/wait';
import {
  browserHeaders,
  cabinetContext,
  contractSeed,
  OUR_SKU,
  OUR_UID,
  PRODUCT_ID,
  publicContext,
  useSandbox,
} from '../support/sandbox';

const sandbox = useSandbox({ proxies: { count: 3 } });
beforeEach(() => {
  sandbox.reset();
  sandbox.seed(contractSeed());
  sandbox.seed({ offers: [{ merchantUid: OUR_UID, sku: 'second', productId: '222222222', price: 5_000 }] });
});

const PP1 = `${OUR_UID}_PP1`;
const PP2 = `${OUR_UID}_PP2`;
const ourOffer = (sku = OUR_SKU) => sandbox.market.offer(OUR_UID, sku)!;
const pointsOf = (sku = OUR_SKU) =>
  Object.fromEntries([...ourOffer(sku).availabilities].map(([id, a]) => [id, a.available]));

function cabinetFetch(path: string, init: { method?: string; body?: unknown } = {}) {
  const { session } = cabinetContext(sandbox);
  return fetch(`${sandbox.urls.mcUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      'x-auth-version': '3',
      'content-type': 'application/json',
      cookie: `mc-session=${session.cookies['mc-session']}; mc-sid=${session.cookies['mc-sid']}`,
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
}

const batchItem = (extra: Record<string, unknown> = {}) => ({
  merchantUid: OUR_UID,
  sku: OUR_SKU,
  model: 'x',
  cityPrices: [{ cityId: ALMATY, value: 9_900 }],
  ...extra,
});

/** Runs a check with one rule strict, then lenient. */
async function bothWays(rule: StrictRule, check: (strict: boolean) => Promise<void>) {
  sandbox.setLeniency(undefined);
  await check(true);
  sandbox.reset();
  sandbox.seed(contractSeed());
  sandbox.seed({ offers: [{ merchantUid: OUR_UID, sku: 'second', productId: '222222222', price: 5_000 }] });
  sandbox.setLeniency([rule]);
  await check(false);
}

describe('the strict sandbox (on by default), and its lenient switch', () => {
  it('is strict about everything unless told otherwise', async () => {
    const control = (await (await fetch(`${sandbox.controlUrl}/`)).json()) as { strict: Record<string, boolean> };
    expect(Object.values(control.strict).every(Boolean)).toBe(true);
    const lenient = await fetch(`${sandbox.controlUrl}/strictness`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lenient: true }),
    });
    expect(Object.values((await lenient.json()) as Record<string, boolean>).some(Boolean)).toBe(false);
  });

  it('batch_answers_list: the batch pricefeed answers a list; our client reads both', async () => {
    await bothWays('batch_answers_list', async (strict) => {
      const raw = await (
        await cabinetFetch('/pricefeed/upload/merchant/process/process/batch', { method: 'POST', body: [batchItem()] })
      ).json();
      expect(Array.isArray(raw)).toBe(strict);
      const { jobId } = await pushPricesBatch(cabinetContext(sandbox), [
        { merchantUid: OUR_UID, sku: 'second', model: 'y', cityPrices: [{ cityId: ALMATY, priceTenge: 4_900 }] },
      ]);
      expect(jobId).toMatch(/^\d+$/);
    });
  });

  it('stock_count_delists: a batch push with stockCount delists the offer too', async () => {
    await bothWays('stock_count_delists', async (strict) => {
      const availabilities = [
        { storeId: PP1, available: 'yes', stockCount: 3 },
        { storeId: PP2, available: 'yes', stockCount: 3 },
      ];
      expect(
        (
          await cabinetFetch('/pricefeed/upload/merchant/process/process/batch', {
            method: 'POST',
            body: [batchItem({ availabilities })],
          })
        ).status,
      ).toBe(200);
      await waitFor('the push applied', () => sandbox.market.pushLog()[0]?.appliedAtMs);
      expect(ourOffer().listed).toBe(!strict);
    });
  });

  it('missing_points_removed: a push naming one point takes the offer off the other', async () => {
    await bothWays('missing_points_removed', async (strict) => {
      const body = {
        merchantUid: OUR_UID,
        sku: OUR_SKU,
        model: 'x',
        cityPrices: [{ cityId: ALMATY, value: 9_900 }],
        availabilities: [{ storeId: PP1, available: 'yes' }],
      };
      expect((await cabinetFetch('/pricefeed/upload/merchant/process', { method: 'POST', body })).status).toBe(200);
      await waitFor('the push applied', () => sandbox.market.pushLog()[0]?.appliedAtMs);
      expect(pointsOf()).toEqual({ [PP1]: true, [PP2]: !strict });
    });
  });

  it('price_list_is_assortment: an uploaded price list removes every offer it leaves out', async () => {
    await bothWays('price_list_is_assortment', async (strict) => {
      const xml = buildPriceListXml({
        company: 'c',
        merchantId: OUR_UID,
        offers: [
          {
            sku: OUR_SKU,
            model: 'x',
            brand: 'b',
            priceTenge: 9_950,
            availabilities: [
              { storeId: 'PP1', available: true },
              { storeId: 'PP2', available: true },
            ],
          },
        ],
      });
      await uploadPriceList(cabinetContext(sandbox), { merchantUid: OUR_UID, file: xmlPriceListFile(xml) });
      await waitFor('the file applied', () => sandbox.market.pushLog()[0]?.appliedAtMs);
      expect(ourOffer().listed).toBe(true);
      expect(ourOffer('second').listed).toBe(!strict);
      if (strict) expect(ourOffer('second').delistReason).toBe('Нет в прайс-листе');
    });
  });

  it('captured_details_shape: offer details as captured live; our client reads the same from both', async () => {
    const read: unknown[] = [];
    await bothWays('captured_details_shape', async (strict) => {
      const [raw] = (await (
        await cabinetFetch(`/offers/api/v1/offer/details?m=${OUR_UID}`, { method: 'POST', body: { sku: [OUR_SKU] } })
      ).json()) as {
        cities: { id?: string; cityId?: string; points?: { pointId: string; available: boolean }[] }[];
      }[];
      expect(raw!.cities.every((c) => (strict ? c.cityId && !c.id && c.points : c.id && !c.cityId))).toBe(true);
      read.push(await fetchOfferDetails(cabinetContext(sandbox), { merchantUid: OUR_UID, skus: [OUR_SKU] }));
    });
    expect(read[0]).toEqual(read[1]);
    expect(read[0]).toEqual([
      {
        sku: OUR_SKU,
        productId: PRODUCT_ID,
        title: 'Смартфон Test X1',
        cityPrices: [
          { cityId: ALMATY, priceTenge: 10_000 },
          { cityId: ASTANA, priceTenge: 10_500 },
        ],
        availabilities: [
          { storeId: PP1, available: true, preOrderDays: 0 },
          { storeId: PP2, available: true, preOrderDays: 0 },
        ],
      },
    ]);
  });

  it('list_without_total: no total, boolean/null availability, empty ids; our client reads the same from both', async () => {
    const read: unknown[] = [];
    await bothWays('list_without_total', async (strict) => {
      const raw = (await (await cabinetFetch(`/bff/offer-view/list?m=${OUR_UID}&p=0&l=10&a=true`)).json()) as {
        total?: number;
        data: { masterSku: string; offerId: string; availabilities: { available: unknown }[] }[];
      };
      expect('total' in raw).toBe(!strict);
      expect(raw.data.every((d) => (d.masterSku === '') === strict && (d.offerId === '') === strict)).toBe(true);
      const all = await fetchAllOffers(cabinetContext(sandbox), { merchantUid: OUR_UID, available: true, pageSize: 1 });
      read.push(all.offers.map((o) => [o.sku, o.productId, o.available, o.availabilities]).sort());
    });
    expect(read[0]).toEqual(read[1]);
  });

  it('untidy_storefront: some offers carry string prices; a seeded broken offer is skipped', async () => {
    sandbox.seed({
      offers: [{ merchantUid: '30200002', sku: 'BROKEN', productId: PRODUCT_ID, price: 1, malformed: true }],
    });
    const res = await fetch(`${sandbox.urls.publicUrl}/yml/offer-view/offers/${PRODUCT_ID}`, {
      method: 'POST',
      headers: browserHeaders(sandbox),
      body: JSON.stringify({ cityId: ALMATY, limit: 64, page: 0 }),
    });
    const raw = (await res.json()) as { offers: { price: unknown }[] };
    // The broken offer (cheapest) first, then every other offer's price written as a string.
    expect(raw.offers.map((o) => typeof o.price)).toEqual(['string', 'string', 'number', 'string']);
    const card = await fetchOffers(publicContext(sandbox), {
      productId: PRODUCT_ID,
      cityId: ALMATY,
      merchantId: OUR_UID,
    });
    expect(card.offers.map((o) => o.priceTenge)).toEqual([9_990, 10_000, 10_200]);
    expect(card.skipped).toBe(1);
    expect(card.ourPosition).toBe(2);
  });

  it('answers compressed to a client that accepts it', async () => {
    const { session } = cabinetContext(sandbox);
    for (const coding of ['br', 'gzip']) {
      const res = await fetch(`${sandbox.urls.mcUrl}/s/m`, {
        headers: {
          'x-auth-version': '3',
          'accept-encoding': coding,
          cookie: `mc-session=${session.cookies['mc-session']}; mc-sid=${session.cookies['mc-sid']}`,
        },
      });
      expect(res.headers.get('content-encoding')).toBe(coding);
      expect(await res.json()).toEqual({ merchants: [{ uid: OUR_UID }] });
    }
  });

  it('a refused exit answers every storefront read with a 429, a check page or a redirect', async () => {
    const [a, b, c] = sandbox.proxies as [
      (typeof sandbox.proxies)[0],
      (typeof sandbox.proxies)[0],
      (typeof sandbox.proxies)[0],
    ];
    const refusals = { [a.id]: '429', [b.id]: 'html', [c.id]: 'redirect' } as const;
    for (const [id, refusal] of Object.entries(refusals)) {
      const res = await fetch(`${sandbox.controlUrl}/proxies/${id}/refusal`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refusal }),
      });
      expect(res.status).toBe(200);
    }
    const read = (proxyUrl: string) =>
      fetchOffers(publicContext(sandbox, { proxyUrl }), { productId: PRODUCT_ID, cityId: ALMATY }).catch(
        (e: unknown) => e,
      );
    expect(await read(a.url)).toMatchObject({ kind: 'rate_limited', status: 429, surface: 'public' });
    expect(await read(b.url)).toMatchObject({ kind: 'anti_bot', status: 200, surface: 'public' });
    expect(await read(c.url)).toMatchObject({ kind: 'anti_bot', status: 302, surface: 'public' });
    expect((await fetchOffers(publicContext(sandbox), { productId: PRODUCT_ID, cityId: ALMATY })).offers).toHaveLength(
      3,
    );
    sandbox.refuseExit(a.localAddress, null);
    expect(isKaspiError(await read(a.url))).toBe(false);
  });

  it('our client takes a 2xx upload answer of an unexpected shape as done, keeping the body', async () => {
    sandbox.faults.add({ endpoint: 'price_list_upload', kind: 'malformed', times: 1 });
    const xml = buildPriceListXml({
      company: 'c',
      merchantId: OUR_UID,
      offers: [
        {
          sku: OUR_SKU,
          model: 'x',
          brand: 'b',
          priceTenge: 9_950,
          availabilities: [{ storeId: 'PP1', available: true }],
        },
      ],
    });
    expect(
      await uploadPriceList(cabinetContext(sandbox), { merchantUid: OUR_UID, file: xmlPriceListFile(xml) }),
    ).toEqual({
      jobId: null,
      unexpectedBody: '{"data":[{"id":',
    });
  });
});
