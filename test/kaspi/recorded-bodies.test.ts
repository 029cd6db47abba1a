import { describe, expect, it } from 'vitest';
import {
  offerDetailsResponseSchema,
  offerDetailsSchema,
  offerListResponseSchema,
  toOfferDetails,
  toOfferListPage,
} from '../../src/kaspi/cabinet';
import { classifyStatus } from '../../src/kaspi/http';
import { offersResponseSchema, toOffersPage } from '../../src/kaspi/offers';
import { uploadReplySchema } from '../../src/kaspi/price-list';
import { pricePushBody, pushReplySchema } from '../../src/kaspi/pricefeed';
import { orderEntriesResponseSchema, toOrderEntry } from '../../src/kaspi/shop-api';

/**
 * Response bodies in every shape the captures and public clients of KASPI_API.md report, written from
 * their field lists (ids shortened). Each reader must take all of them: a reader stricter than a real
 * answer would stop a sync, leave a product unrepriced, or never confirm a push.
 */
const UID = '30067228';

/** Offer details as older code read them: cities by `id`, availabilities with "yes"/"no". */
const DETAILS_OLDER = [
  {
    sku: '142489673_234696637',
    masterSku: '142489673',
    title: 'Дженга',
    cities: [
      { id: '710000000', name: 'Астана', price: 2010 },
      { id: '750000000', name: 'Алматы', price: 2050.5 },
    ],
    availabilities: [
      { storeId: `${UID}_PP1`, available: 'yes', preOrder: 0 },
      { storeId: `${UID}_PP2`, available: 'no', preOrder: 0 },
    ],
  },
];

/** Offer details as captured live (2026-08): cities by `cityId`, points as objects with a boolean, no stock. */
const DETAILS_CAPTURED = [
  {
    sku: '142489673_234696637',
    masterSku: '142489673',
    title: 'Дженга',
    cities: [
      {
        cityId: '710000000',
        name: 'Астана',
        price: 2010,
        points: [{ pointId: `${UID}_PP1`, name: null, available: true }],
      },
      {
        cityId: 750000000,
        name: 'Алматы',
        price: '2050',
        points: [{ pointId: `${UID}_PP2`, name: null, available: false }],
      },
    ],
    availabilities: [{ storeId: `${UID}_PP1`, available: true, preOrder: null }],
  },
];

/** The cabinet offer list as public clients meet it: no `total`, boolean or null `available`, empty ids. */
const LIST_PAGE = {
  data: [
    {
      sku: 'A-1',
      masterSku: '',
      offerId: '',
      title: 'Товар A',
      brandName: 'Brand',
      available: true,
      price: 0,
      minPrice: 12990,
      allCityPrices: { '750000000': { price: 12990 }, '710000000': { price: '13490' } },
      availabilities: [
        { storeId: `${UID}_PP1`, available: true, stockCount: null },
        { storeId: `${UID}_PP2`, available: null },
        { storeId: `${UID}_PP3`, available: 'no' },
      ],
      shopLink: '/p/tovar-a-130342357/',
    },
    {
      sku: 'B-2',
      masterSku: 130342358,
      available: null,
      price: 5000,
      availabilities: [{ storeId: 'PP1', available: 'yes' }],
    },
    { sku: 'C-3', masterSku: '130342359', price: 'n/a', availabilities: 'unknown' },
    { title: 'no sku at all', price: 100 },
  ],
};

const STOREFRONT_PAGE = {
  offers: [
    { merchantId: '30100001', merchantName: 'Us', price: 9990 },
    { merchantId: 30200001, merchantName: 'String price', price: '9 890,5' },
    { merchantId: '30200002', merchantName: 'No price', price: null },
    { merchantName: 'No merchant', price: 9000 },
    { merchantId: '30200003', merchantName: 'Not a number', price: 'договорная' },
  ],
  total: 5,
};

describe('recorded bodies in every reported shape', () => {
  it('offer details: both shapes give the same city prices and points', () => {
    const read = (body: unknown) =>
      offerDetailsResponseSchema.parse(body).map((item) => toOfferDetails(offerDetailsSchema.parse(item), UID));
    const older = read(DETAILS_OLDER);
    const captured = read(DETAILS_CAPTURED);
    for (const details of [older, captured]) {
      expect(details).toEqual([
        {
          sku: '142489673_234696637',
          productId: '142489673',
          title: 'Дженга',
          cityPrices: [
            { cityId: '710000000', priceTenge: 2010 },
            { cityId: '750000000', priceTenge: 2050 },
          ],
          availabilities: [
            { storeId: `${UID}_PP1`, available: true, preOrderDays: 0 },
            { storeId: `${UID}_PP2`, available: false, preOrderDays: 0 },
          ],
        },
      ]);
    }
    // The same list under `data`, and a point given by its bare id under a city.
    expect(read({ data: DETAILS_CAPTURED })).toEqual(captured);
    const bare = read([{ sku: 'X', cities: [{ cityId: '750000000', price: 10, points: ['PP4'] }] }]);
    expect(bare[0]!.availabilities).toEqual([{ storeId: `${UID}_PP4`, available: true, preOrderDays: 0 }]);
  });

  it('cabinet list: a page without total syncs its good items and names the bad ones', () => {
    const page = toOfferListPage(offerListResponseSchema.parse(LIST_PAGE), { merchantUid: UID, available: true });
    expect(page.total).toBeNull();
    expect(page.listed).toBe(4);
    expect(page.offers.map((o) => [o.sku, o.productId, o.available, o.priceTenge])).toEqual([
      ['A-1', '130342357', true, 12990],
      ['B-2', '130342358', true, 5000],
    ]);
    expect([...page.offers[0]!.cityPrices].sort((a, b) => a.priceTenge - b.priceTenge)).toEqual([
      { cityId: '750000000', priceTenge: 12990 },
      { cityId: '710000000', priceTenge: 13490 },
    ]);
    expect(page.offers[0]!.availabilities).toEqual([
      { storeId: `${UID}_PP1`, available: true, preOrderDays: 0 },
      { storeId: `${UID}_PP2`, available: false, preOrderDays: 0 },
      { storeId: `${UID}_PP3`, available: false, preOrderDays: 0 },
    ]);
    expect(page.offers[1]!.availabilities).toEqual([{ storeId: `${UID}_PP1`, available: true, preOrderDays: 0 }]);
    expect(page.unreadable).toEqual([
      { sku: 'C-3', reason: expect.any(String) },
      { sku: null, reason: expect.any(String) },
    ]);
    // The lenient shape still reads, total included.
    const withTotal = toOfferListPage(
      offerListResponseSchema.parse({ total: 1, data: [{ sku: 'D', available: 'yes', price: 1 }] }),
    );
    expect(withTotal).toMatchObject({ total: 1, offers: [{ sku: 'D', available: true }] });
  });

  it('storefront: string prices read, one unusable offer is skipped and counted, a card of nothing usable fails', () => {
    const page = toOffersPage(offersResponseSchema.parse(STOREFRONT_PAGE));
    expect(page.offers.map((o) => [o.merchantId, o.priceTenge])).toEqual([
      ['30100001', 9990],
      ['30200001', 9890],
    ]);
    expect(page.skipped).toBe(3);
    expect(page.total).toBe(5);
    expect(() => toOffersPage(offersResponseSchema.parse({ offers: STOREFRONT_PAGE.offers.slice(2) }))).toThrow(
      expect.objectContaining({ kind: 'malformed', surface: 'public' }),
    );
    expect(toOffersPage(offersResponseSchema.parse({ offers: [] }))).toEqual({ offers: [], total: 0, skipped: 0 });
  });

  it('pricefeed replies: an object from the single push, a list from the batch one; either from either', () => {
    expect(pushReplySchema.parse({ id: '700000001' })).toEqual({ id: '700000001' });
    expect(pushReplySchema.parse([{ id: 700000002 }])).toEqual({ id: '700000002' });
    expect(() => pushReplySchema.parse([])).toThrow();
    expect(uploadReplySchema.parse([{ id: '5' }])).toEqual({ id: '5' });
    expect(uploadReplySchema.safeParse({ status: 'ok' }).success).toBe(false);
  });

  it('order entries: the offer in the attributes, or (older) only a product relationship to look up', () => {
    const body = orderEntriesResponseSchema.parse({
      data: [
        {
          type: 'orderentries',
          id: 'e1',
          attributes: { quantity: 1, totalPrice: 500, offer: { code: 'SKU-1', name: 'Item' } },
        },
        {
          type: 'orderentries',
          id: 'e2',
          attributes: { quantity: 2, totalPrice: 1000, basePrice: 500, entryNumber: 1, deliveryCost: 0 },
          relationships: { product: { links: { related: 'https://kaspi.kz/shop/api/v2/orderentries/e2/product' } } },
        },
      ],
    });
    expect(body.data.map(toOrderEntry)).toEqual([
      { id: 'e1', sku: 'SKU-1', name: 'Item', quantity: 1, basePriceTenge: 500, totalPriceTenge: 500 },
      { id: 'e2', sku: null, name: null, quantity: 2, basePriceTenge: 500, totalPriceTenge: 1000 },
    ]);
  });

  it('a storefront 429, check page or redirect names the storefront, so the reader benches that exit', () => {
    expect(classifyStatus({ endpoint: 'offers', surface: 'public', status: 429 })).toMatchObject({
      kind: 'rate_limited',
      surface: 'public',
    });
    expect(classifyStatus({ endpoint: 'offers', surface: 'public', status: 302 })).toMatchObject({
      kind: 'anti_bot',
      surface: 'public',
    });
    expect(classifyStatus({ endpoint: 'orders', surface: 'shop_api', status: 429 })).toMatchObject({
      kind: 'rate_limited',
      surface: 'shop_api',
    });
  });

  it('the pricefeed body names points as the cabinet does, with stockEnabled false and never a stock count', () => {
    const body = pricePushBody({
      merchantUid: UID,
      sku: 'A-1',
      model: 'Товар A',
      cityPrices: [{ cityId: '750000000', priceTenge: 12990 }],
      availabilities: [
        { storeId: `${UID}_PP1`, available: true, preOrderDays: 5 },
        { storeId: `${UID}_PP2`, available: false },
      ],
      preOrderDays: 5,
    });
    expect(body).toEqual({
      merchantUid: UID,
      sku: 'A-1',
      model: 'Товар A',
      price: 12990,
      availabilities: [
        { available: 'yes', storeId: `${UID}_PP1`, stockEnabled: false, preOrder: 5 },
        { available: 'no', storeId: `${UID}_PP2`, stockEnabled: false },
      ],
      preOrder: 5,
      cityPrices: [{ cityId: '750000000', value: 12990 }],
    });
    const twice = () =>
      pricePushBody({
        merchantUid: UID,
        sku: 'A-1',
        model: 'x',
        cityPrices: [{ cityId: '750000000', priceTenge: 1 }],
        availabilities: [
          { storeId: `${UID}_PP1`, available: true },
          { storeId: `${UID}_PP1`, available: false },
        ],
      });
    expect(twice).toThrow(/twice/);
    const foreign = () =>
      pricePushBody({
        merchantUid: UID,
        sku: 'A-1',
        model: 'x',
        cityPrices: [{ cityId: '750000000', priceTenge: 1 }],
        availabilities: [{ storeId: 'PP1', available: true }],
      });
    expect(foreign).toThrow(/storeId/);
  });
});
