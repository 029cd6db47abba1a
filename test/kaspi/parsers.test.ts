import { describe, expect, it } from 'vitest';
import {
  cabinetOfferSchema,
  offerDetailsResponseSchema,
  offerDetailsSchema,
  offerListResponseSchema,
  toCabinetOffer,
  toOfferDetails,
} from '../../src/kaspi/cabinet';
import { KaspiError, toApplicationFailure } from '../../src/kaspi/errors';
import {
  classifyStatus,
  parseCookieHeader,
  parseJsonBody,
  parseRetryAfter,
  transportError,
} from '../../src/kaspi/http';
import { offersRequestBody, offersResponseSchema, toOffersPage } from '../../src/kaspi/offers';
import { buildPriceListXlsx, buildPriceListXml, EXCEL_HEADERS } from '../../src/kaspi/price-list';
import { batchItemBody, pricePushBody, pushReplySchema } from '../../src/kaspi/pricefeed';
import { reviewsResponseSchema, toReviewsPage } from '../../src/kaspi/reviews';
import { merchantResponseSchema, sessionMerchantsSchema, toMerchantInfo } from '../../src/kaspi/session';
import {
  orderEntriesResponseSchema,
  ordersQuery,
  ordersResponseSchema,
  toOrderEntry,
  toOrdersPage,
} from '../../src/kaspi/shop-api';
import { readFirstSheet } from '../../src/lib/spreadsheet';
import { parseXmlPriceList } from '../../sandbox/price-list-parser';

/** The example payloads of KASPI_API.md, verbatim where the document gives JSON. */
const DOC_OFFERS = {
  offers: [
    {
      merchantId: '30xxxxxx',
      merchantName: 'Shop',
      merchantSku: '...',
      masterSku: '123456789',
      masterCategory: '...',
      title: '...',
      price: 12990.0,
      merchantRating: 4.9,
      merchantReviewsQuantity: 1523,
      kaspiDelivery: true,
      deliveryType: '...',
      deliveryDuration: 'TOMORROW',
      delivery: '...',
      kdPickupDate: '...',
      availabilityDate: '...',
      preorder: 0,
      deliveryOptions: { '...': { deliveryType: 'TO_DOOR', kaspiDelivery: true, interCity: false } },
    },
  ],
  total: 12,
  offersCount: 12,
  highRatingPresent: true,
  excellentMerchantPresent: false,
  deliveryDurationFacetValues: { TODAY: 1, TOMORROW: 4 },
  badges: [],
  loanPicker: {},
  productCardInfo: {},
};

const DOC_CABINET_OFFER = {
  sku: '130342357_673822557',
  masterSku: '130342357',
  offerId: '...',
  title: '...',
  model: '...',
  masterTitle: '...',
  brand: '...',
  brandCode: '...',
  brandName: '...',
  masterCategory: 'Master - ...',
  images: ['p/...'],
  available: true,
  price: 0,
  minPrice: 12990,
  allCityPrices: { '750000000': { price: 12990 } },
  points: ['...'],
  availabilities: [{ storeId: '30xxxxxx_PP1', available: 'yes', preOrder: 0, stockSpecified: true, stockCount: 3 }],
  stocks: [{ stockLevel: { '30xxxxxx_PP1': { value: 3 } } }],
  shopLink: '/p/some-slug-130342357/',
  updatedAt: '...',
};

const DOC_ORDERS = {
  data: [
    {
      type: 'orders',
      id: '<base64-ish id>',
      attributes: {
        code: '790686780',
        totalPrice: 4000.0,
        paymentMode: 'PAY_WITH_CREDIT|PREPAID',
        creationDate: 1706608613252,
        approvedByBankDate: 1706608657792,
        plannedDeliveryDate: 1706896790999,
        state: 'DELIVERY',
        status: 'ACCEPTED_BY_MERCHANT',
        deliveryMode: 'DELIVERY_LOCAL',
        isKaspiDelivery: false,
        deliveryCost: 500.0,
        deliveryCostForSeller: 0.0,
        preOrder: false,
        signatureRequired: false,
        creditTerm: 3,
        pickupPointId: '<uid>_PP1',
        deliveryAddress: { town: 'Алматы', formattedAddress: '...', latitude: 43.2, longitude: 76.9 },
        customer: { id: '...', name: null, cellPhone: '7XXXXXXXXX', firstName: '...', lastName: '...' },
      },
      relationships: {
        user: { data: { type: 'customers', id: '...' } },
        entries: { links: { related: '.../v2/orders/{id}/entries' } },
      },
    },
  ],
  included: [],
  meta: { pageCount: 1, totalCount: 1 },
};

describe('parsers read the documented payloads', () => {
  it('offers: the competitor list, with prices floored to whole tenge and kept as given', () => {
    const page = toOffersPage(offersResponseSchema.parse(DOC_OFFERS));
    expect(page.total).toBe(12);
    expect(page.offers[0]).toEqual({
      merchantId: '30xxxxxx',
      merchantName: 'Shop',
      merchantSku: '...',
      priceTenge: 12990,
      price: 12990,
      merchantRating: 4.9,
      merchantReviewsQuantity: 1523,
      deliveryDuration: 'TOMORROW',
      kaspiDelivery: true,
      preorderDays: 0,
    });
    const fractional = { ...DOC_OFFERS, offers: [{ ...DOC_OFFERS.offers[0], price: 12989.99, merchantId: 30123456 }] };
    expect(toOffersPage(offersResponseSchema.parse(fractional)).offers[0]).toMatchObject({
      priceTenge: 12989,
      price: 12989.99,
      merchantId: '30123456',
    });
  });

  it('offers: the request body is the product page’s full form', () => {
    expect(offersRequestBody('123456789', '750000000', 0, 64)).toEqual({
      cityId: '750000000',
      id: '123456789',
      merchantUID: [],
      limit: 64,
      page: 0,
      sortOption: 'PRICE',
      highRating: null,
      searchText: null,
      isExcellentMerchant: false,
      zoneId: ['Magnum_ZONE1'],
      installationId: '-1',
    });
  });

  it('offers: a response without the fields we depend on is rejected', () => {
    expect(() => offersResponseSchema.parse({ total: 1 })).toThrow();
    expect(() => toOffersPage(offersResponseSchema.parse({ offers: [{ merchantName: 'x' }] }))).toThrow(
      expect.objectContaining({ kind: 'malformed' }),
    );
  });

  it('cabinet list item: price 0 falls back to minPrice, product id from masterSku or shopLink', () => {
    const offer = toCabinetOffer(cabinetOfferSchema.parse(DOC_CABINET_OFFER));
    expect(offer).toMatchObject({
      sku: '130342357_673822557',
      productId: '130342357',
      priceTenge: 12990,
      cityPrices: [{ cityId: '750000000', priceTenge: 12990 }],
      availabilities: [{ storeId: '30xxxxxx_PP1', available: true, preOrderDays: 0 }],
      image: 'p/...',
    });
    const { masterSku: _drop, ...withoutMaster } = DOC_CABINET_OFFER;
    expect(toCabinetOffer(cabinetOfferSchema.parse(withoutMaster)).productId).toBe('130342357');
    expect(offerListResponseSchema.parse({ total: 1, data: [DOC_CABINET_OFFER] }).data).toHaveLength(1);
  });

  it('offer details: cities and availabilities', () => {
    const [details] = offerDetailsResponseSchema.parse([
      {
        sku: 'A1',
        cities: [{ id: '750000000', price: 12990.5 }],
        availabilities: [{ storeId: '30_PP1', available: 'no' }],
      },
    ]);
    expect(toOfferDetails(offerDetailsSchema.parse(details))).toEqual({
      sku: 'A1',
      productId: null,
      title: 'A1',
      cityPrices: [{ cityId: '750000000', priceTenge: 12990 }],
      availabilities: [{ storeId: '30_PP1', available: false, preOrderDays: 0 }],
    });
  });

  it('session check and getMerchant', () => {
    expect(sessionMerchantsSchema.parse({ merchants: [{ uid: '30xxxxxx' }] }).merchants[0]!.uid).toBe('30xxxxxx');
    const info = toMerchantInfo(
      merchantResponseSchema.parse({
        data: {
          merchant: {
            id: '30xxxxxx',
            name: 'Shop',
            logo: { url: null },
            points: [
              {
                id: '30xxxxxx_PP1',
                name: 'PP1',
                enabled: true,
                virtual: false,
                type: 'PICKUP_POINT',
                city: { id: '750000000', name: 'Алматы' },
              },
              { id: '30xxxxxx_PP2', name: 'PP2', enabled: false, city: { id: '710000000', name: 'Астана' } },
            ],
          },
        },
      }),
      '30xxxxxx',
    );
    expect(info.cityIds).toEqual(['750000000']);
    expect(info.points[1]).toMatchObject({ id: '30xxxxxx_PP2', code: 'PP2', enabled: false, cityId: '710000000' });
    expect(() => toMerchantInfo(merchantResponseSchema.parse({ data: { merchant: null } }), 'x')).toThrow(KaspiError);
  });

  it('pricefeed: the documented body, never stockCount, base price = min city price; reply is a job id', () => {
    const body = pricePushBody({
      merchantUid: '30xxxxxx',
      sku: '130342357_673822557',
      model: 'Product title',
      cityPrices: [
        { cityId: '710000000', priceTenge: 12990 },
        { cityId: '750000000', priceTenge: 12890 },
      ],
      availabilities: [{ storeId: '30xxxxxx_PP1', available: true }],
    });
    expect(body).toEqual({
      merchantUid: '30xxxxxx',
      sku: '130342357_673822557',
      model: 'Product title',
      price: 12890,
      availabilities: [{ available: 'yes', storeId: '30xxxxxx_PP1', stockEnabled: false }],
      cityPrices: [
        { cityId: '710000000', value: 12990 },
        { cityId: '750000000', value: 12890 },
      ],
    });
    expect(JSON.stringify(body)).not.toContain('stockCount');
    const withoutPoints = pricePushBody({
      merchantUid: 'm',
      sku: 's',
      model: 'x',
      cityPrices: [{ cityId: '750000000', priceTenge: 5 }],
    });
    expect('availabilities' in withoutPoints).toBe(false);
    expect(
      batchItemBody({ merchantUid: 'm', sku: 's', model: 'x', cityPrices: [{ cityId: '1', priceTenge: 5 }] }),
    ).toEqual({
      merchantUid: 'm',
      sku: 's',
      model: 'x',
      cityPrices: [{ cityId: '1', value: 5 }],
    });
    expect(pushReplySchema.parse({ id: '<jobId>' }).id).toBe('<jobId>');
    expect(() =>
      pricePushBody({ merchantUid: 'm', sku: 's', model: 'x', cityPrices: [{ cityId: '1', priceTenge: 12.5 }] }),
    ).toThrow(/whole number/);
  });

  it('XML price list: the documented kaspi_catalog structure, read back the way Kaspi reads it', () => {
    const xml = buildPriceListXml(
      {
        company: 'ShopName',
        merchantId: '30xxxxxx',
        offers: [
          {
            sku: 'ABC123',
            model: 'Title',
            brand: 'Brand',
            availabilities: [{ storeId: '30xxxxxx_PP1', available: true, preOrderDays: 5, stockCount: 10 }],
            priceTenge: 192000,
            cityPrices: [{ cityId: '750000000', priceTenge: 193000 }],
          },
        ],
      },
      new Date('2026-09-21T05:00:00Z'),
    );
    expect(xml).toContain('<kaspi_catalog date="2026-09-21T10:00:00+05:00" xmlns="kaspiShopping"');
    expect(xml).toContain('<company>ShopName</company><merchantid>30xxxxxx</merchantid>');
    expect(xml).toContain(
      '<offer sku="ABC123"><model>Title</model><brand>Brand</brand><availabilities>' +
        '<availability available="yes" storeId="PP1" preOrder="5" stockCount="10"/></availabilities>' +
        '<price>192000</price><cityprices><cityprice cityId="750000000">193000</cityprice></cityprices></offer>',
    );
    expect(parseXmlPriceList(xml)).toEqual({
      merchantId: '30xxxxxx',
      lines: [
        {
          sku: 'ABC123',
          model: 'Title',
          brand: 'Brand',
          price: 192000,
          cityPrices: [{ cityId: '750000000', value: 193000 }],
          availabilities: [{ code: 'PP1', available: true, preOrder: 5, stockCount: 10 }],
        },
      ],
    });
    expect(() => buildPriceListXml({ company: 'c', merchantId: 'm', offers: [] })).toThrow(/empty/);
  });

  it('Excel price list: Kaspi’s columns on the first sheet, every PP column present', async () => {
    const bytes = await buildPriceListXlsx({
      company: 'c',
      merchantId: '30xxxxxx',
      offers: [
        {
          sku: 'ABC123',
          model: 'Title',
          brand: 'Brand',
          availabilities: [
            { storeId: 'PP1', available: true, stockCount: 4, preOrderDays: 10 },
            { storeId: '30xxxxxx_PP3', available: false },
          ],
          cityPrices: [
            { cityId: '750000000', priceTenge: 193000 },
            { cityId: '710000000', priceTenge: 192000 },
          ],
        },
      ],
    });
    expect(await readFirstSheet(bytes)).toEqual([
      [...EXCEL_HEADERS],
      ['ABC123', 'Title', 'Brand', '192000', '4', '', 'no', '', '', '10'],
    ]);
  });

  it('Shop API orders: JSON:API list with meta, and entries', () => {
    const page = toOrdersPage(ordersResponseSchema.parse(DOC_ORDERS));
    expect(page).toMatchObject({ pageCount: 1, totalCount: 1 });
    expect(page.orders[0]).toMatchObject({
      id: '<base64-ish id>',
      code: '790686780',
      state: 'DELIVERY',
      status: 'ACCEPTED_BY_MERCHANT',
      totalPriceTenge: 4000,
      deliveryCostTenge: 500,
      creationDateMs: 1706608613252,
      pickupPointId: '<uid>_PP1',
      town: 'Алматы',
      customer: { cellPhone: '7XXXXXXXXX' },
    });
    const entries = orderEntriesResponseSchema.parse({
      data: [
        {
          type: 'orderentries',
          id: 'e1',
          attributes: { quantity: 2, totalPrice: 8000.0, basePrice: 4000.0, offer: { code: 'SKU-1', name: 'Item' } },
        },
      ],
    });
    expect(toOrderEntry(entries.data[0]!)).toEqual({
      id: 'e1',
      sku: 'SKU-1',
      name: 'Item',
      quantity: 2,
      basePriceTenge: 4000,
      totalPriceTenge: 8000,
    });
    expect(ordersQuery({ creationDateFromMs: 1, creationDateToMs: 2, state: 'ARCHIVE' }, 0, 100)).toBe(
      'page[number]=0&page[size]=100&filter[orders][creationDate][$ge]=1&filter[orders][creationDate][$le]=2&filter[orders][state]=ARCHIVE',
    );
  });

  it('reviews: items, dates and the summary', () => {
    const page = toReviewsPage(
      reviewsResponseSchema.parse({
        data: [
          {
            id: 1,
            author: 'A',
            date: '21.09.2026',
            rating: 5,
            comment: { plus: 'p', minus: 'm', text: 't' },
            feedback: {},
            galleryImages: [],
            merchant: { name: 'Shop', code: '30xxxxxx' },
            orderNumber: '123',
          },
        ],
        summary: {
          global: 4.8,
          reviewsCount: 10,
          ratingCount: 25,
          reviewImagesCount: 0,
          adjustedRating: 4.8,
          statistic: [],
        },
        groupSummary: [{ id: 'ALL', total: 25 }],
      }),
    );
    expect(page).toEqual({
      reviews: [
        {
          id: '1',
          author: 'A',
          date: '2026-09-21',
          rating: 5,
          plus: 'p',
          minus: 'm',
          text: 't',
          merchantUid: '30xxxxxx',
          merchantName: 'Shop',
          orderNumber: '123',
        },
      ],
      rating: 4.8,
      reviewsCount: 10,
      ratingCount: 25,
    });
  });

  it('cookie headers become sessions', () => {
    expect(parseCookieHeader('mc-session=abc=; mc-sid=42;  amp_6e9c16=x ')).toEqual({
      cookies: { 'mc-session': 'abc=', 'mc-sid': '42', amp_6e9c16: 'x' },
    });
  });
});

describe('failure classification', () => {
  const classify = (surface: 'public' | 'cabinet' | 'pricefeed' | 'shop_api', status: number, retryAfter?: string) =>
    classifyStatus({ endpoint: 'e', surface, status, retryAfter });

  it('reads statuses by surface', () => {
    expect(classify('public', 200)).toBeUndefined();
    expect(classify('public', 403)?.kind).toBe('ip_throttled');
    expect(classify('public', 405)?.kind).toBe('ip_throttled');
    expect(classify('cabinet', 403)?.kind).toBe('session_expired');
    expect(classify('cabinet', 302)?.kind).toBe('session_expired');
    expect(classify('cabinet', 401)?.kind).toBe('session_expired');
    expect(classify('pricefeed', 429)).toMatchObject({ kind: 'merchant_throttled', cooldownMs: 30 * 60_000 });
    expect(classify('pricefeed', 429, '120')).toMatchObject({ kind: 'merchant_throttled', cooldownMs: 120_000 });
    expect(classify('public', 429, '3')).toMatchObject({ kind: 'rate_limited', retryAfterMs: 3000 });
    expect(classify('shop_api', 503)?.kind).toBe('unavailable');
    expect(classify('shop_api', 400)?.kind).toBe('bad_request');
    expect(classify('shop_api', 404)?.kind).toBe('not_found');
  });

  it('reads Retry-After as seconds or a date', () => {
    expect(parseRetryAfter('5')).toBe(5000);
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:10 GMT', Date.parse('Wed, 21 Oct 2026 07:28:00 GMT'))).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('tells proxy failures from Kaspi failures', () => {
    expect(transportError('e', new Error('Proxy response (407) !== 200 when HTTP Tunneling'), true).kind).toBe(
      'proxy_auth',
    );
    expect(transportError('e', new Error('Proxy response (502) !== 200 when HTTP Tunneling'), true).kind).toBe(
      'proxy_failed',
    );
    expect(transportError('e', Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), true).kind).toBe(
      'proxy_failed',
    );
    expect(transportError('e', Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), false).kind).toBe(
      'unavailable',
    );
    expect(transportError('e', Object.assign(new Error('t'), { name: 'TimeoutError' }), true).kind).toBe('unavailable');
  });

  it('treats HTML as the anti-bot page and bad JSON as malformed', () => {
    const schema = offersResponseSchema;
    expect(() => parseJsonBody('e', 200, 'text/html', '<html></html>', schema)).toThrow(
      expect.objectContaining({ kind: 'anti_bot' }),
    );
    expect(() => parseJsonBody('e', 200, 'application/json', '{"offers":', schema)).toThrow(
      expect.objectContaining({ kind: 'malformed' }),
    );
    expect(() => parseJsonBody('e', 200, 'application/json', '{"total":1}', schema)).toThrow(
      expect.objectContaining({ kind: 'malformed' }),
    );
  });

  it('turns failures into Temporal ApplicationFailures with the right retry behaviour', () => {
    const limited = toApplicationFailure(
      new KaspiError({ kind: 'rate_limited', endpoint: 'offers', status: 429, retryAfterMs: 2000 }),
    );
    expect(limited).toMatchObject({ type: 'KaspiRateLimited', nonRetryable: false, nextRetryDelay: 2000 });
    const expired = toApplicationFailure(new KaspiError({ kind: 'session_expired', endpoint: 'session', status: 401 }));
    expect(expired).toMatchObject({ type: 'KaspiSessionExpired', nonRetryable: true });
    expect(expired.details).toEqual([
      { kind: 'session_expired', endpoint: 'session', status: 401, retryAfterMs: null, cooldownMs: null },
    ]);
    const throttled = toApplicationFailure(
      new KaspiError({ kind: 'merchant_throttled', endpoint: 'pricefeed', cooldownMs: 1_800_000 }),
    );
    expect(throttled).toMatchObject({ nonRetryable: true });
    expect(throttled.details?.[0]).toMatchObject({ cooldownMs: 1_800_000 });
    expect(toApplicationFailure(new KaspiError({ kind: 'unavailable', endpoint: 'x' })).nonRetryable).toBe(false);
  });
});
