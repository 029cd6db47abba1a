import { XMLParser } from 'fast-xml-parser';
import { readFirstSheet, SpreadsheetError } from '../src/lib/spreadsheet';

/** What the sandbox reads from an uploaded price list (XML `kaspi_catalog` or Kaspi's Excel layout). */
export interface PriceListLine {
  sku: string;
  model?: string;
  brand?: string;
  price?: number;
  cityPrices?: { cityId: string; value: number }[];
  /** Bare point codes (`PP1`). */
  availabilities: { code: string; available: boolean; preOrder?: number; stockCount?: number }[];
  preorderDays?: number;
}

export class PriceListError extends Error {}

function wholeTenge(value: unknown, what: string): number {
  const text = String(value).trim();
  if (!/^\d+$/.test(text)) throw new PriceListError(`${what}: "${text}" is not a whole number of tenge`);
  return Number(text);
}

function preorderDays(value: unknown, what: string): number {
  const days = Number(value);
  if (!Number.isInteger(days) || days < 0 || days > 30) throw new PriceListError(`${what}: preOrder must be 0–30 days`);
  return days;
}

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name) => ['offer', 'availability', 'cityprice'].includes(name),
});

/** Parses a `kaspi_catalog` document with Kaspi's rules: case-sensitive names, whole-tenge prices. */
export function parseXmlPriceList(text: string): { merchantId: string; lines: PriceListLine[] } {
  let doc: Record<string, unknown>;
  try {
    doc = xml.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new PriceListError(`not XML: ${(error as Error).message}`);
  }
  const catalog = doc.kaspi_catalog as Record<string, unknown> | undefined;
  if (!catalog) throw new PriceListError('the root element must be kaspi_catalog');
  const merchantId = String(catalog.merchantid ?? '');
  if (!merchantId) throw new PriceListError('merchantid is required');
  const offers = ((catalog.offers as Record<string, unknown> | undefined)?.offer ?? []) as Record<string, unknown>[];
  const lines = offers.map((offer): PriceListLine => {
    const sku = String(offer['@sku'] ?? '');
    if (!sku) throw new PriceListError('an offer has no sku');
    if (offer.model === undefined || offer.brand === undefined || offer.availabilities === undefined) {
      throw new PriceListError(`${sku}: model, brand and availabilities are required`);
    }
    const availabilities = (
      ((offer.availabilities as Record<string, unknown>)?.availability ?? []) as Record<string, unknown>[]
    ).map((a) => ({
      code: String(a['@storeId'] ?? ''),
      available: a['@available'] === 'yes',
      ...(a['@preOrder'] !== undefined ? { preOrder: preorderDays(a['@preOrder'], sku) } : {}),
      ...(a['@stockCount'] !== undefined ? { stockCount: Number(a['@stockCount']) } : {}),
    }));
    const cityPrices = (
      ((offer.cityprices as Record<string, unknown> | undefined)?.cityprice ?? []) as Record<string, unknown>[]
    ).map((c) => ({ cityId: String(c['@cityId'] ?? ''), value: wholeTenge(c['#text'], `${sku} city price`) }));
    const price = offer.price === undefined ? undefined : wholeTenge(offer.price, `${sku} price`);
    if (price === undefined && cityPrices.length === 0)
      throw new PriceListError(`${sku}: price or cityprices is required`);
    return {
      sku,
      model: String(offer.model),
      brand: String(offer.brand),
      price,
      ...(cityPrices.length ? { cityPrices } : {}),
      availabilities,
    };
  });
  return { merchantId, lines };
}

/** Kaspi's Excel price list: `SKU, model, brand, price, PP1..PP5, preorder` (point cells: stock or yes/no). */
export async function parseExcelPriceList(bytes: Uint8Array): Promise<PriceListLine[]> {
  let sheet: string[][];
  try {
    sheet = await readFirstSheet(bytes);
  } catch (error) {
    if (error instanceof SpreadsheetError) throw new PriceListError(error.message);
    throw error;
  }
  const [header, ...rows] = sheet;
  if (!header) throw new PriceListError('the sheet is empty');
  const col = (name: string) => header.findIndex((h) => h.trim() === name);
  const required = ['SKU', 'model', 'brand', 'price', 'PP1', 'PP2', 'PP3', 'PP4', 'PP5', 'preorder'];
  const missing = required.filter((name) => col(name) < 0);
  if (missing.length) throw new PriceListError(`missing columns: ${missing.join(', ')}`);
  return rows
    .filter((row) => (row[col('SKU')] ?? '').trim() !== '')
    .map((row) => {
      const sku = row[col('SKU')]!.trim();
      const preorderCell = (row[col('preorder')] ?? '').trim();
      const preorder = preorderCell ? preorderDays(preorderCell, sku) : undefined;
      const availabilities = ['PP1', 'PP2', 'PP3', 'PP4', 'PP5'].flatMap((code) => {
        const cell = (row[col(code)] ?? '').trim().toLowerCase();
        if (!cell) return [];
        if (cell === 'yes' || cell === 'no') return [{ code, available: cell === 'yes', preOrder: preorder }];
        const stock = Number(cell);
        if (!Number.isFinite(stock)) throw new PriceListError(`${sku}: ${code} must be a number or yes/no`);
        return [{ code, available: stock > 0, stockCount: stock, preOrder: preorder }];
      });
      return {
        sku,
        model: row[col('model')],
        brand: row[col('brand')],
        price: wholeTenge(row[col('price')] ?? '', `${sku} price`),
        availabilities,
        preorderDays: preorder,
      };
    });
}
