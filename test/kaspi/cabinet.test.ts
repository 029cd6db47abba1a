import { beforeEach, describe, expect, it } from 'vitest';
import {
  buildPriceListXlsx,
  buildPriceListXml,
  checkSession,
  excelPriceListFile,
  fetchAllOffers,
  fetchMerchant,
  fetchOfferDetails,
  fetchOfferListPage,
  fetchOffers,
  isKaspiError,
  pushPrice,
  pushPricesBatch,
  uploadPriceList,
  xmlPriceListFile,
} from '../../src/kaspi';
import { ALMATY, ASTANA } from '../../src/kaspi/cities';
import { waitFor } from '../support/wait';
import {
  cabinetContext,
  OUR_SKU,
  OUR_UID,
  PRODUCT_ID,
  publicContext,
  RIVAL_A,
  useContractSandbox,
} from '../support/sandbox';

const sandbox = useContractSandbox();

const ourOffer = () => sandbox.market.offer(OUR_UID, OUR_SKU)!;
const pointsOf = () => Object.fromEntries([...ourOffer().availabilities].map(([id, a]) => [id, a.available]));

describe('session and merchant', () => {
  it('checkSession lists the shops of a live session', async () => {
    expect(await checkSession(cabinetContext(sandbox))).toEqual({ merchantUids: [OUR_UID] });
  });

  it('checkSession fails as session_expired once the session has expired', async () => {
    const ctx = cabinetContext(sandbox);
    sandbox.auth.expireSessions({ merchantUid: OUR_UID });
    const error = await checkSession(ctx).catch((e: unknown) => e);
    expect(isKaspiError(error, 'session_expired')).toBe(true);
    expect((error as Error).message).not.toContain(ctx.session.cookies['mc-session']!);
  });

  it('fetchMerchant reads the name and the pickup points with their cities', async () => {
    const merchant = await fetchMerchant(cabinetContext(sandbox), OUR_UID);
    expect(merchant).toMatchObject({ merchantUid: OUR_UID, name: 'Наш Магазин', cityIds: [ALMATY, ASTANA] });
    expect(merchant.points.map((p) => [p.id, p.code, p.cityId])).toEqual([
      [`${OUR_UID}_PP1`, 'PP1', ALMATY],
      [`${OUR_UID}_PP2`, 'PP2', ASTANA],
    ]);
  });

  it('fetchMerchant of a shop the session does not manage fails', async () => {
    const error = await fetchMerchant(cabinetContext(sandbox), RIVAL_A).catch((e: unknown) => e);
    expect(isKaspiError(error, 'bad_request')).toBe(true);
  });

  it('cabinet calls without x-auth-version or cookies are refused', async () => {
    const res = await fetch(`${sandbox.urls.mcUrl}/s/m`, { headers: { 'x-auth-version': '3' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toContain('mc-session=');
    const ctx = cabinetContext(sandbox);
    const noVersion = await fetch(`${sandbox.urls.mcUrl}/s/m`, {
      headers: { cookie: `mc-session=${ctx.session.cookies['mc-session']}; mc-sid=${ctx.session.cookies['mc-sid']}` },
    });
    expect(noVersion.status).toBe(400);
  });
});

describe('offer list and details', () => {
  beforeEach(() => {
    sandbox.seed({
      offers: Array.from({ length: 5 }, (_, i) => ({
        merchantUid: OUR_UID,
        sku: `extra-${i}`,
        productId: String(200_000_000 + i),
        model: `Товар ${i}`,
        price: 1_000 + i,
        points: i === 4 ? [] : undefined,
      })),
    });
  });

  it('reads one page with prices per city, points and the product id (from the shop link: masterSku is empty)', async () => {
    const page = await fetchOfferListPage(cabinetContext(sandbox), {
      merchantUid: OUR_UID,
      available: true,
      page: 0,
      size: 2,
    });
    // Real answers may leave `total` out; nothing depends on it.
    expect(page.total).toBeNull();
    expect(page.listed).toBe(2);
    expect(page.offers).toHaveLength(2);
    const ours = page.offers.find((o) => o.sku === OUR_SKU)!;
    expect(ours).toMatchObject({ productId: PRODUCT_ID, priceTenge: 10_000, available: true });
    expect(ours.cityPrices).toEqual(
      expect.arrayContaining([
        { cityId: ALMATY, priceTenge: 10_000 },
        { cityId: ASTANA, priceTenge: 10_500 },
      ]),
    );
    expect(ours.cityPrices).toHaveLength(2);
    expect(ours.availabilities).toEqual([
      { storeId: `${OUR_UID}_PP1`, available: true, preOrderDays: 0 },
      { storeId: `${OUR_UID}_PP2`, available: true, preOrderDays: 0 },
    ]);
  });

  it('pages through every offer on sale, and separately through the archived ones', async () => {
    const onSale = await fetchAllOffers(cabinetContext(sandbox), {
      merchantUid: OUR_UID,
      available: true,
      pageSize: 2,
    });
    expect(onSale.offers.map((o) => o.sku).sort()).toEqual(
      [OUR_SKU, 'extra-0', 'extra-1', 'extra-2', 'extra-3'].sort(),
    );
    const archived = await fetchAllOffers(cabinetContext(sandbox), { merchantUid: OUR_UID, available: false });
    expect(archived.offers.map((o) => o.sku)).toEqual(['extra-4']);
  });

  it('reads offer details by sku', async () => {
    const [details] = await fetchOfferDetails(cabinetContext(sandbox), { merchantUid: OUR_UID, skus: [OUR_SKU] });
    expect(details).toMatchObject({
      sku: OUR_SKU,
      productId: PRODUCT_ID,
      cityPrices: [
        { cityId: ALMATY, priceTenge: 10_000 },
        { cityId: ASTANA, priceTenge: 10_500 },
      ],
    });
  });
});

describe('price pushes', () => {
  const allPoints = [
    { storeId: `${OUR_UID}_PP1`, available: true },
    { storeId: `${OUR_UID}_PP2`, available: true },
  ];

  it('a single push answers a job id and Kaspi applies it a little later', async () => {
    const { jobId } = await pushPrice(cabinetContext(sandbox), {
      merchantUid: OUR_UID,
      sku: OUR_SKU,
      model: 'Смартфон Test X1',
      cityPrices: [
        { cityId: ALMATY, priceTenge: 9_989 },
        { cityId: ASTANA, priceTenge: 10_400 },
      ],
      availabilities: allPoints,
    });
    expect(jobId).toMatch(/^\d+$/);
    const [push] = sandbox.market.pushLog({ merchantUid: OUR_UID });
    expect(push).toMatchObject({
      kind: 'single',
      status: 200,
      price: 9_989,
      stockCountSent: false,
      sourceIp: '127.0.0.1',
    });
    await waitFor('the push applied', () => push!.appliedAtMs, 5_000);
    const card = await fetchOffers(publicContext(sandbox), {
      productId: PRODUCT_ID,
      cityId: ALMATY,
      merchantId: OUR_UID,
    });
    expect(card.ourPosition).toBe(1);
    expect(card.ours?.priceTenge).toBe(9_989);
    expect(sandbox.market.positionAt(PRODUCT_ID, ALMATY, OUR_UID, Date.now())).toBe(1);
  });

  it('a push without availabilities keeps every pickup point', async () => {
    await pushPrice(cabinetContext(sandbox), {
      merchantUid: OUR_UID,
      sku: OUR_SKU,
      model: 'x',
      cityPrices: [{ cityId: ALMATY, priceTenge: 9_900 }],
    });
    await waitFor('the push applied', () => sandbox.market.pushLog()[0]?.appliedAtMs, 5_000);
    expect(pointsOf()).toEqual({ [`${OUR_UID}_PP1`]: true, [`${OUR_UID}_PP2`]: true });
  });

  it('the sandbox removes the offer from a point a push leaves out, as Kaspi does', async () => {
    await pushPrice(cabinetContext(sandbox), {
      merchantUid: OUR_UID,
      sku: OUR_SKU,
      model: 'x',
      cityPrices: [{ cityId: ALMATY, priceTenge: 9_900 }],
      availabilities: [{ storeId: `${OUR_UID}_PP1`, available: true }],
    });
    await waitFor('the push applied', () => sandbox.market.pushLog()[0]?.appliedAtMs, 5_000);
    expect(pointsOf()).toEqual({ [`${OUR_UID}_PP1`]: true, [`${OUR_UID}_PP2`]: false });
    const astana = await fetchOffers(publicContext(sandbox), {
      productId: PRODUCT_ID,
      cityId: ASTANA,
      merchantId: OUR_UID,
    });
    expect(astana.ours).toBeUndefined();
  });

  it('the sandbox delists an offer pushed with stockCount, and refuses fractional prices', async () => {
    const ctx = cabinetContext(sandbox);
    const headers = {
      'content-type': 'application/json',
      'x-auth-version': '3',
      cookie: `mc-session=${ctx.session.cookies['mc-session']}; mc-sid=${ctx.session.cookies['mc-sid']}`,
    };
    const url = `${sandbox.urls.mcUrl}/pricefeed/upload/merchant/process`;
    const fractional = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        merchantUid: OUR_UID,
        sku: OUR_SKU,
        model: 'x',
        cityPrices: [{ cityId: ALMATY, value: 9_989.5 }],
      }),
    });
    expect(fractional.status).toBe(400);
    const withStock = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        merchantUid: OUR_UID,
        sku: OUR_SKU,
        model: 'x',
        availabilities: [{ available: 'yes', storeId: `${OUR_UID}_PP1`, stockCount: 1 }],
        cityPrices: [{ cityId: ALMATY, value: 9_989 }],
      }),
    });
    expect(withStock.status).toBe(200);
    await waitFor('the offer delisted', () => !ourOffer().listed, 5_000);
    expect(ourOffer().delistReason).toBe('Не указано наличие в прайс листе');
  });

  it('our client never sends stockCount or fractional prices', async () => {
    const error = await pushPrice(cabinetContext(sandbox), {
      merchantUid: OUR_UID,
      sku: OUR_SKU,
      model: 'x',
      cityPrices: [{ cityId: ALMATY, priceTenge: 9_989.5 }],
    }).catch((e: unknown) => e);
    expect(isKaspiError(error, 'bad_request')).toBe(true);
    expect(sandbox.market.pushLog()).toEqual([]);
  });

  it('a batch push applies every item under one job', async () => {
    sandbox.seed({ offers: [{ merchantUid: OUR_UID, sku: 'second', productId: '222222222', price: 5_000 }] });
    const { jobId } = await pushPricesBatch(cabinetContext(sandbox), [
      {
        merchantUid: OUR_UID,
        sku: OUR_SKU,
        model: 'x',
        cityPrices: [{ cityId: ALMATY, priceTenge: 9_000 }],
        availabilities: allPoints,
      },
      {
        merchantUid: OUR_UID,
        sku: 'second',
        model: 'y',
        cityPrices: [{ cityId: ASTANA, priceTenge: 4_900 }],
        availabilities: allPoints,
      },
    ]);
    const pushes = sandbox.market.pushLog();
    expect(pushes.map((p) => [p.kind, p.sku, p.jobId])).toEqual([
      ['batch', OUR_SKU, jobId],
      ['batch', 'second', jobId],
    ]);
    await waitFor('the push applied', () => pushes.every((p) => p.appliedAtMs), 5_000);
    expect(ourOffer().cityPrices.get(ALMATY)).toBe(9_000);
    expect(sandbox.market.offer(OUR_UID, 'second')!.cityPrices.get(ASTANA)).toBe(4_900);
  });

  it('a push for an unknown offer is refused as bad_request', async () => {
    const error = await pushPrice(cabinetContext(sandbox), {
      merchantUid: OUR_UID,
      sku: 'nope',
      model: 'x',
      cityPrices: [{ cityId: ALMATY, priceTenge: 1_000 }],
    }).catch((e: unknown) => e);
    expect(isKaspiError(error, 'bad_request')).toBe(true);
    expect(sandbox.market.pushLog()[0]).toMatchObject({ sku: 'nope', status: 400 });
  });
});

describe('price-list uploads', () => {
  const list = (preOrderDays: number) => ({
    company: 'Наш Магазин',
    merchantId: OUR_UID,
    offers: [
      {
        sku: OUR_SKU,
        model: 'Смартфон Test X1',
        brand: 'Test',
        availabilities: [
          { storeId: 'PP1', available: true, preOrderDays },
          { storeId: `${OUR_UID}_PP2`, available: false },
        ],
        priceTenge: 9_950,
      },
    ],
  });

  it('an uploaded XML price list sets prices, points and preorder days, visible on the card', async () => {
    const { jobId } = await uploadPriceList(cabinetContext(sandbox), {
      merchantUid: OUR_UID,
      file: xmlPriceListFile(buildPriceListXml(list(5))),
    });
    expect(jobId).toMatch(/^\d+$/);
    await waitFor('the push applied', () => sandbox.market.pushLog({ sku: OUR_SKU })[0]?.appliedAtMs, 5_000);
    const card = await fetchOffers(publicContext(sandbox), {
      productId: PRODUCT_ID,
      cityId: ALMATY,
      merchantId: OUR_UID,
    });
    expect(card.ours).toMatchObject({ priceTenge: 9_950, preorderDays: 5 });
    expect(pointsOf()).toEqual({ [`${OUR_UID}_PP1`]: true, [`${OUR_UID}_PP2`]: false });
  });

  it('an uploaded Excel price list is applied the same way', async () => {
    await uploadPriceList(cabinetContext(sandbox), {
      merchantUid: OUR_UID,
      file: excelPriceListFile(await buildPriceListXlsx(list(7))),
    });
    await waitFor('the push applied', () => sandbox.market.pushLog({ sku: OUR_SKU })[0]?.appliedAtMs, 5_000);
    const card = await fetchOffers(publicContext(sandbox), {
      productId: PRODUCT_ID,
      cityId: ALMATY,
      merchantId: OUR_UID,
    });
    expect(card.ours).toMatchObject({ priceTenge: 9_950, preorderDays: 7 });
  });

  it('an upload for another merchant id is refused', async () => {
    const error = await uploadPriceList(cabinetContext(sandbox), {
      merchantUid: OUR_UID,
      file: xmlPriceListFile(buildPriceListXml({ ...list(0), merchantId: RIVAL_A })),
    }).catch((e: unknown) => e);
    expect(isKaspiError(error, 'bad_request')).toBe(true);
  });
});
