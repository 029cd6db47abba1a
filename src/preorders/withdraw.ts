import { and, eq, isNull } from 'drizzle-orm';
import { kaspiStores, preorders } from '../db/schema';
import { fetchOfferDetails, type OfferDetails } from '../kaspi';
import { buildPriceListXml, uploadPriceList, xmlPriceListFile, type PriceList } from '../kaspi/price-list';
import { withStoreSession, type ReloginDeps } from '../stores/relogin';

/** What was uploaded for the preorder being taken off: the price list line Kaspi knows it by. */
export interface WithdrawInput {
  storeId: string;
  sku: string;
  model: string;
  brand: string;
  /** The preorder's price, used when Kaspi reports no city prices for the offer. */
  priceTenge: number;
}

export type WithdrawResult = { withdrawn: true } | { withdrawn: false; why: 'store_gone' | 'on_preorder_again' | 'not_at_kaspi' };

/**
 * The price list line that takes an offer off preorder: every pickup point as Kaspi has it now
 * (available or not) with zero preorder days, and its current city prices, so nothing but the
 * preorder changes.
 */
export function withdrawalPriceList(store: { name: string; merchantUid: string }, input: WithdrawInput, offer: OfferDetails): PriceList {
  return {
    company: store.name,
    merchantId: store.merchantUid,
    offers: [
      {
        sku: input.sku,
        model: input.model,
        brand: input.brand,
        ...(offer.cityPrices.length > 0 ? { cityPrices: offer.cityPrices } : { priceTenge: input.priceTenge }),
        availabilities: offer.availabilities.map((a) => ({ storeId: a.storeId, available: a.available, preOrderDays: 0 })),
      },
    ],
  };
}

/**
 * Takes a deleted preorder off at Kaspi: reads the offer's points and prices from the cabinet and
 * uploads them back with zero preorder days. Nothing is sent when the store is gone, when the product
 * was put on preorder again meanwhile (that preorder's upload speaks for it), or when Kaspi does not
 * list the offer. Kaspi's errors are thrown for the caller to classify and retry.
 */
export async function withdrawPreorder(deps: ReloginDeps, input: WithdrawInput): Promise<WithdrawResult> {
  const [store] = await deps.db
    .select({ name: kaspiStores.name, merchantUid: kaspiStores.merchantUid })
    .from(kaspiStores)
    .where(and(eq(kaspiStores.id, input.storeId), isNull(kaspiStores.deletedAt)));
  if (!store) return { withdrawn: false, why: 'store_gone' };
  const onPreorderAgain = async () =>
    (await deps.db.select({ id: preorders.id }).from(preorders).where(and(eq(preorders.storeId, input.storeId), eq(preorders.sku, input.sku)))).length > 0;
  if (await onPreorderAgain()) return { withdrawn: false, why: 'on_preorder_again' };

  return withStoreSession(deps, input.storeId, async (ctx): Promise<WithdrawResult> => {
    const [offer] = await fetchOfferDetails(ctx, { merchantUid: store.merchantUid, skus: [input.sku] });
    if (!offer || offer.availabilities.length === 0) return { withdrawn: false, why: 'not_at_kaspi' };
    const xml = buildPriceListXml(withdrawalPriceList(store, input, offer));
    // Checked again right before the upload: the merchant may have put it back on preorder while we read.
    if (await onPreorderAgain()) return { withdrawn: false, why: 'on_preorder_again' };
    await uploadPriceList(ctx, { merchantUid: store.merchantUid, file: xmlPriceListFile(xml) });
    return { withdrawn: true };
  });
}
