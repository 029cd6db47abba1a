import type { preorders } from '../db/schema';
import { pushPoints } from '../domain/offer-points';
import type { CabinetOffer, UnreadableOffer } from '../kaspi';
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
import { preorderPoints } from './pricefeed';

type Preorder = typeof preorders.$inferSelect;

export const PRICE_LIST_FORMATS = ['xlsx', 'xml'] as const;
export type PriceListFormat = (typeof PRICE_LIST_FORMATS)[number];

/** Why a whole-assortment file was not made: it would not hold every offer the cabinet has. */
export class AssortmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssortmentError';
  }
}

/**
 * The store's whole assortment as Kaspi's price list, built from the cabinet's own list of offers on
 * sale: every offer with its points and prices as the cabinet shows them, and the store's preorders
 * on top (their points available, their days, their price in every city). Kaspi takes a price list as
 * the whole assortment and removes what it leaves out, so anything that would make the file smaller
 * than the cabinet's list — an item that could not be read, an offer without a brand, a list shorter
 * than Kaspi's own count — refuses the file instead. Stock counts are never written.
 */
export function wholeAssortmentPriceList(
  store: { name: string; merchantUid: string },
  cabinet: { offers: readonly CabinetOffer[]; unreadable: readonly UnreadableOffer[]; total: number | null },
  rows: readonly Preorder[],
): PriceList {
  if (cabinet.unreadable.length > 0) {
    const skus = cabinet.unreadable.map((u) => u.sku ?? '(no SKU)').slice(0, 10);
    throw new AssortmentError(
      `${cabinet.unreadable.length} offers of the cabinet list could not be read (${skus.join(', ')})`,
    );
  }
  if (cabinet.offers.length === 0) throw new AssortmentError('the cabinet lists no offer on sale');
  if (cabinet.total !== null && cabinet.total > cabinet.offers.length) {
    throw new AssortmentError(`the cabinet counts ${cabinet.total} offers but listed ${cabinet.offers.length}`);
  }
  const noBrand = cabinet.offers.filter((o) => !o.brand).map((o) => o.sku);
  if (noBrand.length > 0)
    throw new AssortmentError(`offers without a brand cannot go in a price list: ${noBrand.slice(0, 10).join(', ')}`);
  const preorderOf = new Map(rows.map((p) => [p.sku, p]));
  return {
    company: store.name,
    merchantId: store.merchantUid,
    offers: cabinet.offers.map((offer) => {
      const preorder = preorderOf.get(offer.sku);
      const known = offer.availabilities.map((a) => ({
        storeId: a.storeId,
        available: a.available,
        preOrderDays: a.preOrderDays,
      }));
      const { points } = pushPoints(
        known,
        preorder && { days: preorder.days, storeIds: preorderPoints(store.merchantUid, preorder) },
      );
      if (!points) throw new AssortmentError(`${offer.sku}: the cabinet shows no pickup point for it`);
      const cityPrices = offer.cityPrices.map((c) => (preorder ? { ...c, priceTenge: preorder.price } : c));
      const priceTenge = preorder?.price ?? offer.priceTenge;
      return {
        sku: offer.sku,
        model: preorder?.model ?? offer.title,
        brand: preorder?.brand ?? offer.brand!,
        availabilities: points.map((p) => ({
          storeId: p.storeId,
          available: p.available,
          ...(p.preOrderDays !== undefined ? { preOrderDays: p.preOrderDays } : {}),
        })),
        ...(priceTenge > 0 ? { priceTenge } : {}),
        ...(cityPrices.length ? { cityPrices } : {}),
      };
    }),
  };
}

/** The file to upload through the cabinet: Kaspi's Excel layout, or the XML price list. */
export async function priceListFile(list: PriceList, format: PriceListFormat, at = new Date()): Promise<PriceListFile> {
  return format === 'xml'
    ? xmlPriceListFile(buildPriceListXml(list, at))
    : excelPriceListFile(await buildPriceListXlsx(list), 'prices.xlsx');
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
