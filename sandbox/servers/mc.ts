import express, { type Request, type Response } from 'express';
import { cityName, KASPI_CITIES } from '../../src/kaspi/cities';
import { pkceChallenge } from '../auth';
import type { Offer, PushRecord } from '../market';
import { parseExcelPriceList, parseXmlPriceList, PriceListError, type PriceListLine } from '../price-list-parser';
import {
  cabinetSession,
  endpointFault,
  ownMerchant,
  parseCookies,
  sendLimit,
  sourceIp,
  tag,
  type SandboxState,
} from './common';

const CALLBACK_PATH = '/login/oauth2/code/1';
const CLIENT_ID = 'mc-web';

type PushItem = Omit<PushRecord, 'jobId' | 'atMs' | 'kind' | 'sourceIp' | 'status'>;

/** The merchant cabinet backend (`mc.shop.kaspi.kz`): session, GraphQL, offers, pushes, uploads, OAuth2 client. */
export function mcRouter(state: SandboxState): express.Router {
  const router = express.Router();
  const json = express.json({ limit: '5mb', type: () => true });

  router.get('/s/m', async (req, res) => {
    tag(res, 'session');
    if (await endpointFault(state, 'session', req, res)) return;
    if (req.get('x-auth-version') === '3' && !state.auth.sessionFor(parseCookies(req.get('cookie')))) {
      // The warm-up call: an anonymous browser gets a fresh, not yet authenticated mc-session.
      res.cookie('mc-session', state.auth.token(24), { httpOnly: true, path: '/' });
    }
    const session = cabinetSession(state, req, res);
    if (!session) return;
    res.json({ merchants: session.merchantUids.map((uid) => ({ uid })) });
  });

  router.post('/mc/facade/graphql', json, async (req, res) => {
    tag(res, 'graphql');
    const session = cabinetSession(state, req, res);
    if (!session) return;
    if (await endpointFault(state, 'graphql', req, res)) return;
    const body = (req.body ?? {}) as { operationName?: string; variables?: Record<string, unknown> };
    const operation = body.operationName ?? req.query.opName;
    if (operation === 'getMerchant') {
      const id = String(body.variables?.id ?? '');
      const merchant = session.merchantUids.includes(id) ? state.market.merchants.get(id) : undefined;
      if (!merchant) {
        res.json({ data: { merchant: null }, errors: [{ message: 'Access denied' }] });
        return;
      }
      res.json({
        data: {
          merchant: {
            id: merchant.uid,
            name: merchant.name,
            logo: { url: null },
            points: merchant.points.map((p) => ({
              id: p.storeId,
              name: p.code,
              enabled: p.enabled,
              virtual: false,
              type: 'PICKUP_POINT',
              city: { id: p.cityId, name: cityName(p.cityId) ?? p.cityId },
            })),
          },
        },
      });
      return;
    }
    if (operation === 'getCities') {
      res.json({ data: { cities: Object.entries(KASPI_CITIES).map(([id, name]) => ({ id, name })) } });
      return;
    }
    res.status(400).json({ errors: [{ message: `Unknown operation ${String(operation)}` }] });
  });

  router.get('/bff/offer-view/list', async (req, res) => {
    tag(res, 'offer_list');
    const session = cabinetSession(state, req, res);
    if (!session) return;
    const merchantUid = ownMerchant(session, req.query.m, res);
    if (!merchantUid) return;
    if (await endpointFault(state, 'offer_list', req, res)) return;
    const page = Number(req.query.p ?? 0);
    const size = Number(req.query.l ?? 10);
    if (!Number.isInteger(page) || page < 0 || !Number.isInteger(size) || size < 1 || size > 100) {
      res.status(400).json({ error: 'Bad Request' });
      return;
    }
    const onSale = req.query.a !== 'false';
    const text = typeof req.query.t === 'string' ? req.query.t.toLowerCase() : '';
    const offers = state.market
      .offersOf(merchantUid)
      .filter((o) => isOnSale(o) === onSale)
      .filter((o) => !text || o.model.toLowerCase().includes(text) || o.sku.toLowerCase().includes(text));
    const data = offers.slice(page * size, page * size + size).map(listItem);
    res.json(state.settings.strict.list_without_total ? { data } : { total: offers.length, data });
  });

  router.post('/offers/api/v1/offer/details', json, async (req, res) => {
    tag(res, 'offer_details');
    const session = cabinetSession(state, req, res);
    if (!session) return;
    const merchantUid = ownMerchant(session, req.query.m, res);
    if (!merchantUid) return;
    if (await endpointFault(state, 'offer_details', req, res)) return;
    const skus = (req.body as { sku?: unknown })?.sku;
    if (!Array.isArray(skus) || skus.some((s) => typeof s !== 'string')) {
      res.status(400).json({ error: 'sku must be an array of strings' });
      return;
    }
    const found = skus.map((sku: string) => state.market.offer(merchantUid, sku)).filter((o): o is Offer => !!o);
    res.json(found.map((o) => (state.settings.strict.captured_details_shape ? capturedDetails(o) : details(o))));
  });

  function details(offer: Offer) {
    return {
      sku: offer.sku,
      masterSku: offer.productId,
      title: offer.model,
      cities: cityIdsOf(offer).map((id) => ({
        id,
        name: cityName(id) ?? id,
        price: offer.cityPrices.get(id) ?? offer.basePrice,
      })),
      availabilities: availabilitiesJson(offer),
    };
  }

  /** The shape captured live (2026-08): cities by `cityId` with their points as objects, boolean availability, no stock. */
  function capturedDetails(offer: Offer) {
    return {
      sku: offer.sku,
      masterSku: offer.productId,
      title: offer.model,
      cities: cityIdsOf(offer).map((cityId) => ({
        cityId,
        name: cityName(cityId) ?? cityId,
        price: offer.cityPrices.get(cityId) ?? offer.basePrice,
        points: [...offer.availabilities]
          .filter(([storeId]) => state.market.points.get(storeId)?.cityId === cityId)
          .map(([pointId, a]) => ({ pointId, name: null, available: a.available })),
      })),
      availabilities: [...offer.availabilities].map(([storeId, a]) => ({
        storeId,
        available: a.available,
        preOrder: a.preOrder,
      })),
    };
  }

  function cityIdsOf(offer: Offer): string[] {
    const cities = new Set<string>();
    for (const storeId of offer.availabilities.keys()) {
      const cityId = state.market.points.get(storeId)?.cityId;
      if (cityId) cities.add(cityId);
    }
    return [...cities];
  }

  function isOnSale(offer: Offer): boolean {
    return offer.listed && [...offer.availabilities.values()].some((a) => a.available);
  }

  function availabilitiesJson(offer: Offer) {
    return [...offer.availabilities].map(([storeId, a]) => ({
      storeId,
      available: a.available ? 'yes' : 'no',
      preOrder: a.preOrder,
      stockSpecified: a.stockCount !== undefined,
      stockCount: a.stockCount ?? 0,
    }));
  }

  function listItem(offer: Offer) {
    const strict = state.settings.strict.list_without_total;
    const product = state.market.products.get(offer.productId);
    const cityPrices = Object.fromEntries(
      cityIdsOf(offer).map((id) => [id, { price: offer.cityPrices.get(id) ?? offer.basePrice }]),
    );
    const prices = Object.values(cityPrices).map((c) => c.price);
    const availabilities = availabilitiesJson(offer).map((a) =>
      strict ? { ...a, available: a.available === 'yes' ? true : null } : a,
    );
    return {
      sku: offer.sku,
      // Seen empty in real answers: the card id then comes from the shop link.
      masterSku: strict ? '' : offer.productId,
      offerId: strict ? '' : offer.key,
      title: offer.model,
      model: offer.model,
      masterTitle: product?.title ?? offer.model,
      brand: offer.brand,
      brandCode: offer.brand.toLowerCase(),
      brandName: offer.brand,
      masterCategory: product?.category ?? '',
      images: [`p/${offer.productId}.jpg`],
      available: isOnSale(offer),
      // Kaspi reports 0 here when the offer has per-city prices; minPrice then holds the lowest.
      price: offer.cityPrices.size > 0 ? 0 : offer.basePrice,
      minPrice: prices.length ? Math.min(...prices) : offer.basePrice,
      allCityPrices: cityPrices,
      points: [...offer.availabilities].filter(([, a]) => a.available).map(([storeId]) => storeId),
      availabilities: offer.malformed ? 'n/a' : availabilities,
      stocks: [],
      shopLink: `/p/${slug(offer.model)}-${offer.productId}/`,
      updatedAt: new Date(offer.updatedAtMs).toISOString(),
    };
  }

  // --- pushes ----------------------------------------------------------------------------------

  const hasOffer = (merchantUid: string, sku: string) => state.market.offer(merchantUid, sku) !== undefined;

  /** Throttles, records and schedules a push; answers `{id}` like Kaspi's asynchronous job. */
  function acceptPush(
    req: Request,
    res: Response,
    kind: PushRecord['kind'],
    merchantUid: string,
    items: PushItem[],
    apply: (records: PushRecord[]) => void,
    delayMs: number,
    answerList = false,
  ) {
    const now = Date.now();
    const record = (status: number, reason?: string, jobId?: string) =>
      items.map((item) =>
        state.market.recordPush({ ...item, jobId, atMs: now, kind, sourceIp: sourceIp(req), status, reason }),
      );
    const pushVerdict = state.limits.pushes.take(merchantUid, now);
    const verdict = pushVerdict.ok ? state.limits.changes.take(merchantUid, now, items.length) : pushVerdict;
    if (!verdict.ok) {
      record(verdict.status, pushVerdict.ok ? 'change budget exhausted' : 'push rate exceeded');
      sendLimit(res, verdict);
      return;
    }
    const jobId = state.market.jobId();
    const records = record(200, undefined, jobId);
    state.later(delayMs, () => apply(records));
    res.json(answerList ? [{ id: jobId }] : { id: jobId });
  }

  function refusePush(
    res: Response,
    status: number,
    error: string,
    item?: PushItem,
    req?: Request,
    kind?: PushRecord['kind'],
  ) {
    if (item && req && kind) {
      state.market.recordPush({ ...item, atMs: Date.now(), kind, sourceIp: sourceIp(req), status, reason: error });
    }
    res.status(status).json({ error });
  }

  router.post('/pricefeed/upload/merchant/process', json, async (req, res) => {
    tag(res, 'pricefeed');
    const session = cabinetSession(state, req, res);
    if (!session) return;
    if (await endpointFault(state, 'pricefeed', req, res)) return;
    if (!(req.get('content-type') ?? '').includes('application/json'))
      return refusePush(res, 400, 'Content-Type must be application/json');
    const parsed = parsePushItem(req.body, session.merchantUids, 'single', hasOffer);
    if ('error' in parsed) return refusePush(res, parsed.status, parsed.error, parsed.item, req, 'single');
    acceptPush(
      req,
      res,
      'single',
      parsed.item.merchantUid,
      [parsed.item],
      (records) => {
        for (const r of records) state.market.applyPush(r, pushRules());
      },
      state.settings.pushApplyDelayMs,
    );
  });

  const pushRules = () => ({
    delistOnStockCount: state.settings.strict.stock_count_delists,
    removeMissingPoints: state.settings.strict.missing_points_removed,
  });

  router.post('/pricefeed/upload/merchant/process/process/batch', json, async (req, res) => {
    tag(res, 'pricefeed_batch');
    const session = cabinetSession(state, req, res);
    if (!session) return;
    if (await endpointFault(state, 'pricefeed_batch', req, res)) return;
    if (!Array.isArray(req.body) || req.body.length === 0)
      return refusePush(res, 400, 'a non-empty JSON array is required');
    const items: PushItem[] = [];
    for (const raw of req.body as unknown[]) {
      const parsed = parsePushItem(raw, session.merchantUids, 'batch', hasOffer);
      if ('error' in parsed) return refusePush(res, parsed.status, parsed.error, parsed.item, req, 'batch');
      items.push(parsed.item);
    }
    const merchantUid = items[0]!.merchantUid;
    if (items.some((i) => i.merchantUid !== merchantUid)) return refusePush(res, 400, 'one merchant per batch');
    acceptPush(
      req,
      res,
      'batch',
      merchantUid,
      items,
      (records) => {
        for (const r of records) state.market.applyPush(r, pushRules());
      },
      state.settings.pushApplyDelayMs,
      state.settings.strict.batch_answers_list,
    );
  });

  router.post(
    '/pricefeed/upload/merchant/upload',
    express.raw({ type: () => true, limit: '20mb' }),
    async (req, res) => {
      tag(res, 'price_list_upload');
      const session = cabinetSession(state, req, res);
      if (!session) return;
      const merchantUid = ownMerchant(session, req.query.merchantUid, res);
      if (!merchantUid) return;
      if (await endpointFault(state, 'price_list_upload', req, res)) return;
      let lines: PriceListLine[];
      try {
        lines = await parseUpload(req, merchantUid);
      } catch (error) {
        if (!(error instanceof PriceListError)) throw error;
        res.status(400).json({ error: error.message });
        return;
      }
      const items: PushItem[] = lines.map((line) => ({
        merchantUid,
        sku: line.sku,
        price: line.price,
        cityPrices: line.cityPrices,
        availabilities: line.availabilities.map((a) => ({
          storeId: `${merchantUid}_${a.code}`,
          available: a.available ? 'yes' : 'no',
          preOrder: a.preOrder,
          stockCount: a.stockCount,
        })),
        stockCountSent: false,
        preOrder: line.preorderDays,
      }));
      acceptPush(
        req,
        res,
        'upload',
        merchantUid,
        items,
        (records) => {
          const appliedAtMs = Date.now();
          for (const line of lines) state.market.applyPriceListLine(merchantUid, line);
          // Kaspi takes the file as the merchant's whole assortment: what it leaves out is removed.
          if (state.settings.strict.price_list_is_assortment)
            state.market.removeFromPriceList(merchantUid, new Set(lines.map((l) => l.sku)));
          for (const r of records) r.appliedAtMs = appliedAtMs;
        },
        state.settings.uploadApplyDelayMs,
      );
    },
  );

  /** Reads the multipart `file` field; XML or XLSX by content type or file name. */
  async function parseUpload(req: Request, merchantUid: string): Promise<PriceListLine[]> {
    const contentType = req.get('content-type') ?? '';
    if (!contentType.startsWith('multipart/form-data') || !Buffer.isBuffer(req.body)) {
      throw new PriceListError('multipart/form-data with a file field is required');
    }
    let form: FormData;
    try {
      form = await new Request('http://sandbox/upload', {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: req.body,
      }).formData();
    } catch {
      throw new PriceListError('unreadable multipart body');
    }
    const file = form.get('file');
    if (!file || typeof file === 'string') throw new PriceListError('the file field is missing');
    const bytes = new Uint8Array(await file.arrayBuffer());
    const isXml = /^(text|application)\/xml\b/i.test(file.type) || /\.xml$/i.test(file.name);
    if (isXml) {
      const parsed = parseXmlPriceList(Buffer.from(bytes).toString('utf8'));
      if (parsed.merchantId !== merchantUid)
        throw new PriceListError(`merchantid ${parsed.merchantId} is not ${merchantUid}`);
      return parsed.lines;
    }
    return parseExcelPriceList(bytes);
  }

  // --- OAuth2 client side of the login --------------------------------------------------------

  router.get('/oauth2/authorization/1', (req, res) => {
    const state_ = state.auth.token();
    const verifier = state.auth.token(32);
    const redirectUrl =
      typeof req.query.redirectUrl === 'string' ? req.query.redirectUrl : `${state.urls.publicUrl}/mc/`;
    state.auth.oauthStates.set(state_, { verifier, redirectUrl });
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: CLIENT_ID,
      scope: 'openid',
      state: state_,
      redirect_uri: `${state.urls.mcUrl}${CALLBACK_PATH}`,
      nonce: state.auth.token(8),
      code_challenge: pkceChallenge(verifier),
      code_challenge_method: 'S256',
    });
    res.redirect(302, `${state.urls.idmcUrl}/oauth2/authorize?${query}`);
  });

  /** The hop that sets `mc-session` and `mc-sid`. */
  router.get(CALLBACK_PATH, (req, res) => {
    const pending = state.auth.oauthStates.get(String(req.query.state ?? ''));
    state.auth.oauthStates.delete(String(req.query.state ?? ''));
    const loginId = pending
      ? state.auth.exchangeCode(String(req.query.code ?? ''), pending.verifier, `${state.urls.mcUrl}${CALLBACK_PATH}`)
      : undefined;
    const login = loginId === undefined ? undefined : state.auth.login(loginId);
    if (!pending || !login) {
      res.status(400).type('text/plain').send('invalid authorization response');
      return;
    }
    const session = state.auth.createSession(login.merchantUids, login.id);
    res.cookie('mc-session', session.mcSession, { httpOnly: true, path: '/' });
    res.cookie('mc-sid', session.mcSid, { httpOnly: true, path: '/' });
    res.redirect(302, pending.redirectUrl);
  });

  return router;
}

function slug(title: string): string {
  return (
    title
      .toLowerCase()
      .replace(/[^a-z0-9а-яё]+/gi, '-')
      .replace(/^-|-$/g, '') || 'product'
  );
}

type ParsedPush = { item: PushItem } | { error: string; status: number; item?: PushItem };

const isWhole = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;

/**
 * Validates one pushed offer the way Kaspi's pricefeed does: whole-tenge prices, JSON store ids of the
 * merchant, preorder days 0–30, a merchant the session manages and an offer it has.
 */
function parsePushItem(
  raw: unknown,
  merchantUids: string[],
  kind: 'single' | 'batch',
  hasOffer: (merchantUid: string, sku: string) => boolean,
): ParsedPush {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { error: 'a JSON object is required', status: 400 };
  const body = raw as Record<string, unknown>;
  const merchantUid = typeof body.merchantUid === 'string' ? body.merchantUid : '';
  const sku = typeof body.sku === 'string' ? body.sku : '';
  if (!merchantUid || !sku) return { error: 'merchantUid and sku are required', status: 400 };
  if (!merchantUids.includes(merchantUid)) return { error: 'Access denied', status: 403 };
  const availabilities = Array.isArray(body.availabilities)
    ? (body.availabilities as Record<string, unknown>[])
    : undefined;
  const item: PushItem = {
    merchantUid,
    sku,
    stockCountSent:
      'stockCount' in body || (availabilities ?? []).some((a) => a && typeof a === 'object' && 'stockCount' in a),
  };
  const fail = (error: string): ParsedPush => ({ error, status: 400, item });
  if (!hasOffer(merchantUid, sku)) return fail(`offer ${sku} not found`);
  if (body.price !== undefined) {
    if (!isWhole(body.price)) return fail('price must be a whole number of tenge');
    item.price = body.price;
  }
  if (body.cityPrices !== undefined) {
    if (!Array.isArray(body.cityPrices)) return fail('cityPrices must be an array');
    const cityPrices: { cityId: string; value: number }[] = [];
    for (const c of body.cityPrices as Record<string, unknown>[]) {
      if (typeof c?.cityId !== 'string' || !/^\d+$/.test(c.cityId))
        return fail('cityPrices[].cityId must be a city id string');
      if (!isWhole(c.value)) return fail('cityPrices[].value must be a whole number of tenge');
      cityPrices.push({ cityId: c.cityId, value: c.value });
    }
    item.cityPrices = cityPrices;
  }
  if (availabilities) {
    const parsed: NonNullable<PushItem['availabilities']> = [];
    for (const a of availabilities) {
      if (typeof a?.storeId !== 'string' || !a.storeId.startsWith(`${merchantUid}_`)) {
        return fail('availabilities[].storeId must be {merchantUid}_{point}');
      }
      if (a.available !== 'yes' && a.available !== 'no') return fail('availabilities[].available must be yes or no');
      if (
        a.preOrder !== undefined &&
        !(Number.isInteger(a.preOrder) && (a.preOrder as number) >= 0 && (a.preOrder as number) <= 30)
      ) {
        return fail('availabilities[].preOrder must be 0..30');
      }
      if (a.stockEnabled !== undefined && typeof a.stockEnabled !== 'boolean')
        return fail('availabilities[].stockEnabled must be a boolean');
      parsed.push({
        storeId: a.storeId,
        available: a.available,
        ...(a.preOrder !== undefined ? { preOrder: a.preOrder as number } : {}),
        ...(typeof a.stockCount === 'number' ? { stockCount: a.stockCount } : {}),
      });
    }
    item.availabilities = parsed;
  }
  if (body.preOrder !== undefined) {
    if (!(Number.isInteger(body.preOrder) && (body.preOrder as number) >= 0 && (body.preOrder as number) <= 30)) {
      return fail('preOrder must be 0..30');
    }
    item.preOrder = body.preOrder as number;
  }
  if (kind === 'single' && item.price === undefined && !item.cityPrices?.length)
    return fail('price or cityPrices is required');
  return { item };
}
