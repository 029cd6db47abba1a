import { beforeEach, describe, expect, it } from 'vitest';
import { fetchOffers, fetchOffersPage, fetchReviews, isKaspiError } from '../../src/kaspi';
import { ALMATY, ASTANA } from '../../src/kaspi/cities';
import {
  browserHeaders,
  OUR_UID,
  PRODUCT_ID,
  publicContext,
  RIVAL_A,
  RIVAL_B,
  useContractSandbox,
} from '../support/sandbox';

const sandbox = useContractSandbox();

describe('fetchOffers against the sandbox', () => {
  it('returns the card cheapest first, floors fractional prices and finds our own offer', async () => {
    const result = await fetchOffers(publicContext(sandbox), {
      productId: PRODUCT_ID,
      cityId: ALMATY,
      merchantId: OUR_UID,
    });
    expect(result.offers.map((o) => [o.merchantId, o.priceTenge])).toEqual([
      [RIVAL_A, 9_990],
      [OUR_UID, 10_000],
      [RIVAL_B, 10_200],
    ]);
    expect(result.ours?.merchantName).toBe('Наш Магазин');
    expect(result.ourPosition).toBe(2);
    expect(result.rivals.map((o) => o.merchantId)).toEqual([RIVAL_A, RIVAL_B]);
    expect(result.total).toBe(3);
  });

  it('shows city prices and only the merchants with a point in that city', async () => {
    const result = await fetchOffers(publicContext(sandbox), {
      productId: PRODUCT_ID,
      cityId: ASTANA,
      merchantId: OUR_UID,
    });
    expect(result.offers.map((o) => [o.merchantId, o.priceTenge])).toEqual([
      [RIVAL_B, 10_200],
      [OUR_UID, 10_500],
    ]);
  });

  it('pages with the requested limit until the card is exhausted', async () => {
    const first = await fetchOffersPage(publicContext(sandbox), {
      productId: PRODUCT_ID,
      cityId: ALMATY,
      page: 0,
      limit: 2,
    });
    expect(first.offers).toHaveLength(2);
    expect(first.total).toBe(3);
    const all = await fetchOffers(publicContext(sandbox), { productId: PRODUCT_ID, cityId: ALMATY, limit: 2 });
    expect(all.offers.map((o) => o.merchantId)).toEqual([RIVAL_A, OUR_UID, RIVAL_B]);
  });

  it('answers an unknown product with an empty card', async () => {
    const result = await fetchOffers(publicContext(sandbox), { productId: '999', cityId: ALMATY, merchantId: OUR_UID });
    expect(result.offers).toEqual([]);
    expect(result.ours).toBeUndefined();
  });

  it('refuses a page size above 64 before sending it', async () => {
    const error = await fetchOffersPage(publicContext(sandbox), {
      productId: PRODUCT_ID,
      cityId: ALMATY,
      page: 0,
      limit: 100,
    }).catch((e: unknown) => e);
    expect(isKaspiError(error, 'bad_request')).toBe(true);
  });
});

describe('the sandbox enforces the offers protocol', () => {
  const url = () => `${sandbox.urls.publicUrl}/yml/offer-view/offers/${PRODUCT_ID}`;
  const body = JSON.stringify({ cityId: ALMATY, limit: 10, page: 0 });

  it('answers GET with 405', async () => {
    const res = await fetch(url(), { headers: browserHeaders(sandbox) });
    expect(res.status).toBe(405);
  });

  it('answers limit 100 with 400', async () => {
    const res = await fetch(url(), {
      method: 'POST',
      headers: browserHeaders(sandbox),
      body: JSON.stringify({ cityId: ALMATY, limit: 100 }),
    });
    expect(res.status).toBe(400);
  });

  it('answers a body without the JSON content type with 400', async () => {
    const res = await fetch(url(), {
      method: 'POST',
      headers: { ...browserHeaders(sandbox), 'content-type': 'text/plain' },
      body,
    });
    expect(res.status).toBe(400);
  });

  it('answers a bare request without browser headers with 403', async () => {
    const res = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(403);
  });

  it('accepts the minimal body', async () => {
    const res = await fetch(url(), {
      method: 'POST',
      headers: browserHeaders(sandbox),
      body: JSON.stringify({ cityId: ALMATY }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { offers: unknown[] }).offers).toHaveLength(3);
  });
});

describe('fetchReviews against the sandbox', () => {
  beforeEach(() => {
    sandbox.seed({
      reviews: [
        {
          productId: PRODUCT_ID,
          merchantUid: OUR_UID,
          author: 'Айгерим',
          date: '02.09.2026',
          rating: 5,
          text: 'Отлично',
        },
        { productId: PRODUCT_ID, merchantUid: RIVAL_A, author: 'Ерлан', date: '15.09.2026', rating: 4, plus: 'Цена' },
        { productId: PRODUCT_ID, author: 'Дана', date: '01.08.2026', rating: 3 },
      ],
    });
  });

  it('returns reviews with text, newest first, with the summary', async () => {
    const page = await fetchReviews(publicContext(sandbox), { productId: PRODUCT_ID });
    expect(page.reviews.map((r) => [r.author, r.date, r.rating])).toEqual([
      ['Ерлан', '2026-09-15', 4],
      ['Айгерим', '2026-09-02', 5],
    ]);
    expect(page.ratingCount).toBe(3);
    expect(page.reviewsCount).toBe(2);
    expect(page.rating).toBe(4);
  });

  it('filters by merchant and includes bare ratings with filter ALL', async () => {
    const ours = await fetchReviews(publicContext(sandbox), { productId: PRODUCT_ID, merchantUid: OUR_UID });
    expect(ours.reviews.map((r) => r.merchantUid)).toEqual([OUR_UID]);
    const all = await fetchReviews(publicContext(sandbox), { productId: PRODUCT_ID, filter: 'ALL', limit: 2, page: 1 });
    expect(all.reviews.map((r) => r.author)).toEqual(['Дана']);
  });
});
