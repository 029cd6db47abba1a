import { z } from 'zod';
import { KaspiError } from './errors';
import { cabinetHeaders, kaspiRequest, type CabinetContext } from './http';
import { idString } from './offers';

export const sessionMerchantsSchema = z.object({
  merchants: z.array(z.object({ uid: idString })),
});

/**
 * GET `/s/m`: the session check. 200 lists the shops this login manages; a 401 (thrown as
 * `session_expired`) means the cookies are no longer valid.
 */
export async function checkSession(ctx: CabinetContext): Promise<{ merchantUids: string[] }> {
  const body = await kaspiRequest(ctx, {
    endpoint: 'session',
    surface: 'cabinet',
    method: 'GET',
    url: `${ctx.urls.mcUrl}/s/m`,
    headers: cabinetHeaders(ctx),
    schema: sessionMerchantsSchema,
  });
  return { merchantUids: body.merchants.map((m) => m.uid) };
}

export const GET_MERCHANT_QUERY = `query getMerchant($id: String!) {
  merchant(id: $id) {
    id
    name
    logo { url }
    points { id name enabled virtual type city { id name } }
  }
}`;

const pointSchema = z.object({
  id: idString,
  name: z.string(),
  enabled: z.boolean().nullish(),
  virtual: z.boolean().nullish(),
  type: z.string().nullish(),
  city: z.object({ id: idString, name: z.string().nullish() }).nullish(),
});

export const merchantResponseSchema = z.object({
  data: z
    .object({
      merchant: z
        .object({
          id: idString,
          name: z.string(),
          logo: z.object({ url: z.string().nullish() }).nullish(),
          points: z.array(pointSchema).nullish(),
        })
        .nullish(),
    })
    .nullish(),
  errors: z.array(z.object({ message: z.string().nullish() })).nullish(),
});

export interface PickupPoint {
  /** `{merchantUid}_{code}`, the `storeId` of pricefeed availabilities. */
  id: string;
  /** The point code, `PP1`: the XML price list's `storeId`. */
  code: string;
  enabled: boolean;
  virtual: boolean;
  type: string | null;
  cityId: string | null;
  cityName: string | null;
}

export interface MerchantInfo {
  merchantUid: string;
  name: string;
  logoUrl: string | null;
  points: PickupPoint[];
  /** Cities of the enabled points, in the order they first appear. */
  cityIds: string[];
}

export function toMerchantInfo(body: z.infer<typeof merchantResponseSchema>, merchantUid: string): MerchantInfo {
  const merchant = body.data?.merchant;
  if (!merchant) {
    const reason = body.errors?.[0]?.message;
    throw new KaspiError({
      kind: body.errors?.length ? 'bad_request' : 'not_found',
      endpoint: 'get_merchant',
      detail: reason ? `GraphQL: ${reason.slice(0, 200)}` : `no merchant ${merchantUid}`,
    });
  }
  const points = (merchant.points ?? []).map((p) => ({
    id: p.id,
    code: p.name,
    enabled: p.enabled ?? true,
    virtual: p.virtual ?? false,
    type: p.type ?? null,
    cityId: p.city?.id ?? null,
    cityName: p.city?.name ?? null,
  }));
  const cityIds = [...new Set(points.filter((p) => p.enabled && p.cityId).map((p) => p.cityId!))];
  return { merchantUid: merchant.id, name: merchant.name, logoUrl: merchant.logo?.url ?? null, points, cityIds };
}

/** POST `/mc/facade/graphql?opName=getMerchant`: shop name and pickup points with their cities. */
export async function fetchMerchant(ctx: CabinetContext, merchantUid: string): Promise<MerchantInfo> {
  const body = await kaspiRequest(ctx, {
    endpoint: 'get_merchant',
    surface: 'cabinet',
    method: 'POST',
    url: `${ctx.urls.mcUrl}/mc/facade/graphql?opName=getMerchant`,
    headers: { ...cabinetHeaders(ctx), 'content-type': 'application/json' },
    body: JSON.stringify({ operationName: 'getMerchant', variables: { id: merchantUid }, query: GET_MERCHANT_QUERY }),
    schema: merchantResponseSchema,
  });
  return toMerchantInfo(body, merchantUid);
}
