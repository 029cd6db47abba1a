import express, { type Request, type Response } from 'express';
import type { Offer } from '../market';
import {
  endpointFault,
  hasBrowserHeaders,
  INTERSTITIAL_HTML,
  parseCookies,
  refuseBare,
  sendLimit,
  sourceIp,
  tag,
  type SandboxState,
} from './common';

const DELIVERY_BUCKETS = ['TODAY', 'TOMORROW', 'TILL_2_DAYS', 'TILL_3_DAYS', 'TILL_5_DAYS'] as const;

/** The storefront at kaspi.kz: competitor offers, reviews, and the `/mc/` page a finished login lands on. */
export function publicRouter(state: SandboxState): express.Router {
  const router = express.Router();

  /**
   * Per-IP read limits, checked after the browser-header check like Kaspi's firewall does; an exit
   * address the firewall refuses gets its 429, check page or redirect to one, whatever it asks.
   */
  const admitRead = (req: Request, res: Response): boolean => {
    if (!hasBrowserHeaders(req)) {
      refuseBare(res);
      return false;
    }
    const refusal = state.refusedExits.get(sourceIp(req));
    if (refusal === '429') {
      res.status(429).type('text/html').send('<html><body><h1>429 Too Many Requests</h1></body></html>');
      return false;
    }
    if (refusal === 'html') {
      res.status(200).type('text/html').send(INTERSTITIAL_HTML);
      return false;
    }
    if (refusal === 'redirect') {
      res.redirect(302, `/check?back=${encodeURIComponent(req.originalUrl)}`);
      return false;
    }
    const verdict = state.limits.publicReads.take(sourceIp(req), Date.now());
    if (!verdict.ok) {
      sendLimit(res, verdict);
      return false;
    }
    return true;
  };

  router.all(
    '/yml/offer-view/offers/:productId',
    express.text({ type: () => true, limit: '64kb' }),
    async (req, res) => {
      tag(res, 'offers');
      if (req.method !== 'POST') {
        res.status(405).set('Allow', 'POST').json({ error: 'Method Not Allowed' });
        return;
      }
      if (!admitRead(req, res)) return;
      if (await endpointFault(state, 'offers', req, res)) return;
      if (!/application\/json/i.test(req.get('content-type') ?? '')) {
        res.status(400).json({ error: 'Content-Type must be application/json' });
        return;
      }
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(typeof req.body === 'string' ? req.body : '') as Record<string, unknown>;
        if (typeof body !== 'object' || body === null) throw new Error('not an object');
      } catch {
        res.status(400).json({ error: 'Bad Request' });
        return;
      }
      const cityId = String(body.cityId ?? '');
      const limit = body.limit === undefined ? 64 : Number(body.limit);
      const page = body.page === undefined ? 0 : Number(body.page);
      if (
        !/^\d+$/.test(cityId) ||
        !Number.isInteger(limit) ||
        limit < 1 ||
        limit > 64 ||
        !Number.isInteger(page) ||
        page < 0
      ) {
        res.status(400).json({ error: 'Bad Request' });
        return;
      }
      const card = state.market.card(req.params.productId!, cityId);
      const untidy = state.settings.strict.untidy_storefront;
      const offers = card.slice(page * limit, page * limit + limit).map((e, i) => {
        const json = offerJson(e.offer, e.price, cityId);
        // Real cards mix number and string prices; a broken offer carries no usable price at all.
        if (e.offer.malformed) return { ...json, price: 'n/a', merchantId: null };
        return untidy && i % 2 === 1 ? { ...json, price: String(json.price) } : json;
      });
      const facets: Record<string, number> = {};
      for (const o of card) {
        const bucket = deliveryDuration(o.offer, state.market.preorderIn(o.offer, cityId));
        facets[bucket] = (facets[bucket] ?? 0) + 1;
      }
      res.json({
        offers,
        total: card.length,
        offersCount: card.length,
        highRatingPresent: card.some((o) => (state.market.merchants.get(o.offer.merchantUid)?.rating ?? 0) >= 4.5),
        excellentMerchantPresent: false,
        deliveryDurationFacetValues: facets,
        badges: [],
        loanPicker: {},
        productCardInfo: {},
      });
    },
  );

  function offerJson(offer: Offer, price: number, cityId: string) {
    const merchant = state.market.merchants.get(offer.merchantUid)!;
    const product = state.market.products.get(offer.productId);
    const preorder = state.market.preorderIn(offer, cityId);
    return {
      merchantId: offer.merchantUid,
      merchantName: merchant.name,
      merchantSku: offer.sku,
      masterSku: offer.productId,
      masterCategory: product?.category ?? '',
      title: product?.title ?? offer.model,
      price,
      merchantRating: merchant.rating,
      merchantReviewsQuantity: merchant.reviewsQuantity,
      kaspiDelivery: true,
      deliveryType: 'PICKUP',
      deliveryDuration: deliveryDuration(offer, preorder),
      delivery: null,
      kdPickupDate: null,
      availabilityDate: null,
      preorder,
      deliveryOptions: { PICKUP: { deliveryType: 'PICKUP', kaspiDelivery: true, interCity: false } },
    };
  }

  router.get('/yml/review-view/api/v1/reviews/product/:productId', async (req, res) => {
    tag(res, 'reviews');
    if (!admitRead(req, res)) return;
    if (await endpointFault(state, 'reviews', req, res)) return;
    const limit = Number(req.query.limit ?? 20);
    const page = Number(req.query.page ?? 0);
    if (!Number.isInteger(limit) || limit < 1 || limit > 200 || !Number.isInteger(page) || page < 0) {
      res.status(400).json({ error: 'Bad Request' });
      return;
    }
    const merchantCode = typeof req.query.merchantCodes === 'string' ? req.query.merchantCodes : undefined;
    let reviews = state.market.reviews.get(req.params.productId!) ?? [];
    if (merchantCode) reviews = reviews.filter((r) => r.merchantUid === merchantCode);
    if (req.query.filter !== 'ALL') reviews = reviews.filter((r) => r.text || r.plus || r.minus);
    const byDate = (d: string) => d.split('.').reverse().join('');
    const sorted = [...reviews].sort((a, b) => (byDate(b.date) < byDate(a.date) ? -1 : 1));
    const all = state.market.reviews.get(req.params.productId!) ?? [];
    const average = all.length ? all.reduce((s, r) => s + r.rating, 0) / all.length : 0;
    res.json({
      data: sorted.slice(page * limit, page * limit + limit).map((r) => ({
        id: r.id,
        author: r.author,
        date: r.date,
        rating: r.rating,
        comment: { plus: r.plus ?? null, minus: r.minus ?? null, text: r.text ?? null },
        feedback: { positive: 0, negative: 0 },
        galleryImages: [],
        merchant: r.merchantUid
          ? { name: state.market.merchants.get(r.merchantUid)?.name ?? '', code: r.merchantUid }
          : null,
        orderNumber: null,
      })),
      summary: {
        global: Math.round(average * 10) / 10,
        reviewsCount: all.filter((r) => r.text || r.plus || r.minus).length,
        ratingCount: all.length,
        reviewImagesCount: 0,
        adjustedRating: Math.round(average * 10) / 10,
        statistic: [5, 4, 3, 2, 1].map((rate) => ({ rate, count: all.filter((r) => r.rating === rate).length })),
      },
      groupSummary: [
        { id: 'ALL', total: all.length },
        { id: 'COMMENT', total: all.filter((r) => r.text || r.plus || r.minus).length },
      ],
    });
  });

  /** Where the OAuth2 hop finally lands: the cabinet app, with its navbar once the cookies are set. */
  router.get(['/mc', '/mc/'], (req, res) => {
    const session = state.auth.sessionFor(parseCookies(req.get('cookie')));
    if (!session) {
      const back = encodeURIComponent(`${state.urls.publicUrl}/mc/`);
      res.redirect(302, `${state.urls.mcUrl}/oauth2/authorization/1?redirectUrl=${back}`);
      return;
    }
    const uid = session.merchantUids[0] ?? '';
    const name = state.market.merchants.get(uid)?.name ?? '';
    res
      .type('html')
      .send(
        '<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>Кабинет продавца</title></head><body>' +
          '<nav class="navbar"><div class="navbar-brand"><span class="navbar-item">Kaspi Магазин</span></div>' +
          `<div class="navbar-end"><a class="navbar-link is-arrowless">${escapeHtml(name)}</a>` +
          `<span class="navbar-item">ID - ${escapeHtml(uid)}</span></div></nav>` +
          '<main class="section"><h1 class="title">Заказы</h1></main></body></html>',
      );
  });

  return router;
}

function deliveryDuration(offer: Offer, preorderDays: number): string {
  if (preorderDays > 0) return 'OTHER';
  let h = 0;
  for (const ch of offer.merchantUid) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return DELIVERY_BUCKETS[h % DELIVERY_BUCKETS.length]!;
}

export function escapeHtml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
}
