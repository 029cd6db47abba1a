import type { preorders } from '../db/schema';
import {
  buildPriceListXlsx,
  buildPriceListXml,
  EXCEL_HEADERS,
  EXCEL_POINT_COLUMNS,
  excelPriceListFile,
  xmlPriceListFile,
  type PriceList,
  type PriceListFile,
} from '../kaspi/price-list';
import { writeSheet, type Cell } from '../lib/spreadsheet';

type Preorder = typeof preorders.$inferSelect;

export const PRICE_LIST_FORMATS = ['xlsx', 'xml'] as const;
export type PriceListFormat = (typeof PRICE_LIST_FORMATS)[number];

/**
 * A store's preorders as Kaspi's price list: one offer per SKU, each pickup point with its quantity
 * (`PPn` = stock) and the preorder days.
 */
export function preorderPriceList(store: { name: string; merchantUid: string }, rows: readonly Preorder[]): PriceList {
  return {
    company: store.name,
    merchantId: store.merchantUid,
    offers: rows.map((p) => ({
      sku: p.sku,
      model: p.model,
      brand: p.brand ?? '',
      priceTenge: p.price,
      availabilities: [...p.warehouses]
        .sort((a, b) => a.point - b.point)
        .map((w) => ({ storeId: `PP${w.point}`, available: w.quantity > 0, stockCount: w.quantity, preOrderDays: p.days })),
    })),
  };
}

/** The file to upload through the cabinet: Kaspi's Excel layout, or the XML price list. */
export async function preorderFile(list: PriceList, format: PriceListFormat, at = new Date()): Promise<PriceListFile> {
  return format === 'xml' ? xmlPriceListFile(buildPriceListXml(list, at)) : excelPriceListFile(await buildPriceListXlsx(list), 'preorders.xlsx');
}

/**
 * The Excel file a merchant downloads: the upload's sheet (a point's cell holds its quantity, `no` for
 * none), written as the preorders stand even where an upload would refuse them (no brand yet), so the
 * merchant can see and fix them.
 */
export async function preorderWorkbook(rows: readonly Preorder[]): Promise<Uint8Array> {
  return writeSheet([
    [...EXCEL_HEADERS],
    ...rows.map((p): Cell[] => [
      p.sku,
      p.model,
      p.brand,
      p.price,
      ...EXCEL_POINT_COLUMNS.map((code): Cell => {
        const w = p.warehouses.find((x) => `PP${x.point}` === code);
        return w === undefined ? null : w.quantity > 0 ? w.quantity : 'no';
      }),
      p.days,
    ]),
  ]);
}
