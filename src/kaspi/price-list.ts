import { FormData } from 'undici';
import { z } from 'zod';
import { KaspiError } from './errors';
import { cabinetHeaders, kaspiRequestRaw, type CabinetContext } from './http';
import { idString } from './offers';
import { writeSheet, XLSX_CONTENT_TYPE, type Cell } from '../lib/spreadsheet';

export interface PriceListAvailability {
  /** The point code (`PP1`); a merchant-prefixed JSON id (`{uid}_PP1`) is accepted and stripped. */
  storeId: string;
  available: boolean;
  /** Preorder days (0–30). */
  preOrderDays?: number;
  stockCount?: number;
}

export interface PriceListOffer {
  sku: string;
  model: string;
  brand: string;
  availabilities: PriceListAvailability[];
  /** Base price; optional when every city has its own. */
  priceTenge?: number;
  cityPrices?: { cityId: string; priceTenge: number }[];
}

export interface PriceList {
  company: string;
  merchantId: string;
  offers: PriceListOffer[];
}

function bad(detail: string): KaspiError {
  return new KaspiError({ kind: 'bad_request', endpoint: 'price_list', detail });
}

function pointCode(merchantId: string, storeId: string): string {
  return storeId.startsWith(`${merchantId}_`) ? storeId.slice(merchantId.length + 1) : storeId;
}

function checkTenge(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw bad(`${what} must be a positive whole number of tenge`);
  return value;
}

/**
 * Kaspi takes the feed as the whole assortment (a missing offer is removed), so an empty or inconsistent
 * list is refused here rather than sent.
 */
function validate(list: PriceList): void {
  if (!list.merchantId) throw bad('merchantId is required');
  if (list.offers.length === 0) throw bad('a price list must contain offers: an empty one removes everything');
  const skus = new Set<string>();
  for (const offer of list.offers) {
    if (!offer.sku) throw bad('sku is required');
    if (skus.has(offer.sku)) throw bad(`sku ${offer.sku} appears twice`);
    skus.add(offer.sku);
    if (!offer.model) throw bad(`${offer.sku}: model is required`);
    if (!offer.brand) throw bad(`${offer.sku}: brand is required`);
    if (offer.availabilities.length === 0) throw bad(`${offer.sku}: availabilities are required`);
    if (offer.priceTenge === undefined && !offer.cityPrices?.length)
      throw bad(`${offer.sku}: price or cityPrices is required`);
    if (offer.priceTenge !== undefined) checkTenge(offer.priceTenge, `${offer.sku}: price`);
    for (const c of offer.cityPrices ?? []) checkTenge(c.priceTenge, `${offer.sku}: price for ${c.cityId}`);
    for (const a of offer.availabilities) {
      const days = a.preOrderDays;
      if (days !== undefined && (!Number.isInteger(days) || days < 0 || days > 30)) {
        throw bad(`${offer.sku}: preOrderDays must be 0–30`);
      }
    }
  }
}

function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
}

/** `2026-09-21T10:00:00+05:00`: Kaspi's feeds carry Almaty time. */
export function almatyTimestamp(at: Date): string {
  const local = new Date(at.getTime() + 5 * 3600_000).toISOString().slice(0, 19);
  return `${local}+05:00`;
}

/**
 * The `kaspi_catalog` XML price list. Names are case-sensitive and the element order is fixed: model,
 * brand, availabilities, price, cityprices.
 */
export function buildPriceListXml(list: PriceList, at = new Date()): string {
  validate(list);
  const offers = list.offers.map((offer) => {
    const availabilities = offer.availabilities
      .map((a) => {
        const attrs = [
          `available="${a.available ? 'yes' : 'no'}"`,
          `storeId="${escapeXml(pointCode(list.merchantId, a.storeId))}"`,
          a.preOrderDays !== undefined ? `preOrder="${a.preOrderDays}"` : '',
          a.stockCount !== undefined ? `stockCount="${a.stockCount}"` : '',
        ].filter(Boolean);
        return `<availability ${attrs.join(' ')}/>`;
      })
      .join('');
    const price = offer.priceTenge !== undefined ? `<price>${offer.priceTenge}</price>` : '';
    const cityPrices = offer.cityPrices?.length
      ? `<cityprices>${offer.cityPrices.map((c) => `<cityprice cityId="${escapeXml(c.cityId)}">${c.priceTenge}</cityprice>`).join('')}</cityprices>`
      : '';
    return (
      `<offer sku="${escapeXml(offer.sku)}"><model>${escapeXml(offer.model)}</model><brand>${escapeXml(offer.brand)}</brand>` +
      `<availabilities>${availabilities}</availabilities>${price}${cityPrices}</offer>`
    );
  });
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    `<kaspi_catalog date="${almatyTimestamp(at)}" xmlns="kaspiShopping" ` +
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
    'xsi:schemaLocation="kaspiShopping http://kaspi.kz/kaspishopping.xsd">\n' +
    `<company>${escapeXml(list.company)}</company><merchantid>${escapeXml(list.merchantId)}</merchantid>\n` +
    `<offers>\n${offers.join('\n')}\n</offers>\n</kaspi_catalog>\n`
  );
}

export const EXCEL_POINT_COLUMNS = ['PP1', 'PP2', 'PP3', 'PP4', 'PP5'] as const;
export const EXCEL_HEADERS = ['SKU', 'model', 'brand', 'price', ...EXCEL_POINT_COLUMNS, 'preorder'] as const;

/**
 * Kaspi's Excel price list: first sheet, columns `SKU, model, brand, price, PP1..PP5, preorder`; a point
 * cell holds the stock count or `yes`/`no`, `preorder` holds days (≤30). All five point columns are present
 * even when empty.
 */
export async function buildPriceListXlsx(list: PriceList): Promise<Uint8Array> {
  validate(list);
  const rows: Cell[][] = [[...EXCEL_HEADERS]];
  for (const offer of list.offers) {
    const points = new Map(offer.availabilities.map((a) => [pointCode(list.merchantId, a.storeId), a]));
    for (const code of points.keys()) {
      if (!(EXCEL_POINT_COLUMNS as readonly string[]).includes(code)) {
        throw bad(`${offer.sku}: the Excel price list has columns for PP1–PP5 only, not ${code}`);
      }
    }
    const price = offer.priceTenge ?? Math.min(...(offer.cityPrices ?? []).map((c) => c.priceTenge));
    const preorder = Math.max(0, ...offer.availabilities.map((a) => a.preOrderDays ?? 0));
    rows.push([
      offer.sku,
      offer.model,
      offer.brand,
      price,
      ...EXCEL_POINT_COLUMNS.map((code): Cell => {
        const a = points.get(code);
        if (!a) return null;
        return a.stockCount !== undefined && a.available ? a.stockCount : a.available ? 'yes' : 'no';
      }),
      preorder > 0 ? preorder : null,
    ]);
  }
  return writeSheet(rows);
}

export interface PriceListFile {
  fileName: string;
  contentType: string;
  data: Uint8Array | string;
}

export function xmlPriceListFile(xml: string): PriceListFile {
  return { fileName: 'prices.xml', contentType: 'text/xml', data: xml };
}

export function excelPriceListFile(data: Uint8Array, fileName = 'prices.xlsx'): PriceListFile {
  return { fileName, contentType: XLSX_CONTENT_TYPE, data };
}

export const uploadReplySchema = z.union([
  z.object({ id: idString }),
  z
    .array(z.object({ id: idString }))
    .min(1)
    .transform((reply) => reply[0]!),
]);

export interface UploadReply {
  jobId: string | null;
  /** The body of a successful answer that did not carry a job id, kept as Kaspi sent it (shortened). */
  unexpectedBody?: string;
}

/**
 * POST `/pricefeed/upload/merchant/upload?merchantUid=` — multipart field `file` (XML or XLSX). Any 2xx
 * means Kaspi took the file: an answer of another shape is recorded, never taken for a failure (which
 * would upload the whole list again).
 */
export async function uploadPriceList(
  ctx: CabinetContext,
  params: { merchantUid: string; file: PriceListFile },
): Promise<UploadReply> {
  const form = new FormData();
  const bytes = typeof params.file.data === 'string' ? Buffer.from(params.file.data, 'utf8') : params.file.data;
  form.append('file', new Blob([bytes], { type: params.file.contentType }), params.file.fileName);
  form.append('merchantUid', params.merchantUid);
  const reply = await kaspiRequestRaw(ctx, {
    endpoint: 'price_list_upload',
    surface: 'pricefeed',
    method: 'POST',
    url: `${ctx.urls.mcUrl}/pricefeed/upload/merchant/upload?merchantUid=${encodeURIComponent(params.merchantUid)}`,
    headers: cabinetHeaders(ctx),
    body: form,
  });
  let json: unknown;
  try {
    json = JSON.parse(reply.text);
  } catch {
    json = undefined;
  }
  const parsed = uploadReplySchema.safeParse(json);
  return parsed.success ? { jobId: parsed.data.id } : { jobId: null, unexpectedBody: reply.text.slice(0, 500) };
}
