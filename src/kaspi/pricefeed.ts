import { z } from 'zod';
import { KaspiError } from './errors';
import { cabinetHeaders, kaspiRequest, type CabinetContext } from './http';
import { idString } from './offers';

export interface PushAvailability {
  /** `{merchantUid}_PPn` */
  storeId: string;
  available: boolean;
  /** Preorder days for this point (0–30). */
  preOrderDays?: number;
}

export interface PricePush {
  merchantUid: string;
  sku: string;
  /** The offer's title as the cabinet shows it. */
  model: string;
  /** Whole tenge per city; the base `price` sent alongside is their minimum. */
  cityPrices: { cityId: string; priceTenge: number }[];
  /**
   * Every pickup point the offer has, as the cabinet last showed it. Kaspi removes the offer from any
   * point a push leaves out, so pass the offer's full known list; leave this undefined only when the
   * points are truly unknown (Kaspi then keeps its own).
   */
  availabilities?: PushAvailability[];
  /** Top-level preorder days (0–30). */
  preOrderDays?: number;
}

/** Kaspi answers a job id: `{"id"}` from the single pricefeed, `[{"id"}]` from the batch one; either may come from either. */
export const pushReplySchema = z
  .union([z.object({ id: idString }), z.array(z.object({ id: idString })).min(1)])
  .transform((reply) => (Array.isArray(reply) ? reply[0]! : reply));

/** The JSON the cabinet sends for one offer. Never carries `stockCount`: Kaspi delists offers pushed with it. */
export function pricePushBody(push: PricePush) {
  validatePush(push, 'pricefeed');
  const cityPrices = push.cityPrices.map((c) => ({ cityId: c.cityId, value: c.priceTenge }));
  return {
    merchantUid: push.merchantUid,
    sku: push.sku,
    model: push.model,
    price: Math.min(...push.cityPrices.map((c) => c.priceTenge)),
    ...(push.availabilities ? { availabilities: push.availabilities.map(availabilityBody) } : {}),
    ...(push.preOrderDays !== undefined ? { preOrder: push.preOrderDays } : {}),
    cityPrices,
  };
}

/** One item of the batch pricefeed, in the minimal form the cabinet's "put on sale" sends. */
export function batchItemBody(push: PricePush) {
  validatePush(push, 'pricefeed_batch');
  return {
    merchantUid: push.merchantUid,
    sku: push.sku,
    model: push.model,
    ...(push.availabilities ? { availabilities: push.availabilities.map(availabilityBody) } : {}),
    cityPrices: push.cityPrices.map((c) => ({ cityId: c.cityId, value: c.priceTenge })),
  };
}

/** One point: `stockEnabled: false` says the offer's stock is not counted there, as the working clients send it. */
function availabilityBody(a: PushAvailability) {
  return {
    available: a.available ? 'yes' : 'no',
    storeId: a.storeId,
    stockEnabled: false,
    ...(a.preOrderDays !== undefined ? { preOrder: a.preOrderDays } : {}),
  };
}

function validatePush(push: PricePush, endpoint: string): void {
  const bad = (detail: string) => new KaspiError({ kind: 'bad_request', endpoint, detail });
  if (!push.merchantUid) throw bad('merchantUid is required');
  if (!push.sku) throw bad('sku is required');
  if (push.cityPrices.length === 0) throw bad('cityPrices must not be empty');
  const points = new Set<string>();
  for (const { storeId } of push.availabilities ?? []) {
    if (!storeId.startsWith(`${push.merchantUid}_`))
      throw bad(`availabilities: storeId "${storeId}" must be ${push.merchantUid}_{point}`);
    if (points.has(storeId)) throw bad(`availabilities: ${storeId} appears twice`);
    points.add(storeId);
  }
  const cities = new Set<string>();
  for (const { cityId, priceTenge } of push.cityPrices) {
    if (!/^\d+$/.test(cityId)) throw bad(`cityPrices: cityId "${cityId}" must be digits`);
    if (cities.has(cityId)) throw bad(`cityPrices: city ${cityId} appears twice`);
    cities.add(cityId);
    if (!Number.isSafeInteger(priceTenge) || priceTenge <= 0) {
      throw bad(`cityPrices: price for ${cityId} must be a positive whole number of tenge`);
    }
  }
  const days = [push.preOrderDays, ...(push.availabilities ?? []).map((a) => a.preOrderDays)];
  if (days.some((d) => d !== undefined && (!Number.isInteger(d) || d < 0 || d > 30))) {
    throw bad('preOrderDays must be 0–30');
  }
}

/** POST `/pricefeed/upload/merchant/process` — one offer. Kaspi applies it later and answers a job id. */
export async function pushPrice(ctx: CabinetContext, push: PricePush): Promise<{ jobId: string }> {
  const body = await kaspiRequest(ctx, {
    endpoint: 'pricefeed',
    surface: 'pricefeed',
    method: 'POST',
    url: `${ctx.urls.mcUrl}/pricefeed/upload/merchant/process`,
    headers: { ...cabinetHeaders(ctx), 'content-type': 'application/json' },
    body: JSON.stringify(pricePushBody(push)),
    schema: pushReplySchema,
  });
  return { jobId: body.id };
}

/** POST `/pricefeed/upload/merchant/process/process/batch` — several offers of one merchant in one request. */
export async function pushPricesBatch(ctx: CabinetContext, pushes: PricePush[]): Promise<{ jobId: string }> {
  if (pushes.length === 0) {
    throw new KaspiError({ kind: 'bad_request', endpoint: 'pricefeed_batch', detail: 'nothing to push' });
  }
  const body = await kaspiRequest(ctx, {
    endpoint: 'pricefeed_batch',
    surface: 'pricefeed',
    method: 'POST',
    url: `${ctx.urls.mcUrl}/pricefeed/upload/merchant/process/process/batch`,
    headers: { ...cabinetHeaders(ctx), 'content-type': 'application/json' },
    body: JSON.stringify(pushes.map(batchItemBody)),
    schema: pushReplySchema,
  });
  return { jobId: body.id };
}
