import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { kaspiStores, preorders } from '../db/schema';
import { fetchAllOffers, isKaspiError, KaspiError } from '../kaspi';
import { uploadPriceList } from '../kaspi/price-list';
import type { Logger } from '../lib/logger';
import { StoreSessionMissingError, withStoreSession, type ReloginDeps } from '../stores/relogin';
import { AssortmentError, priceListFile, wholeAssortmentPriceList, type PriceListFormat } from './price-list';

export interface PriceListUploadResult {
  /** Offers in the uploaded file (0 when nothing was uploaded). */
  offers: number;
  /** Of them, the store's preorders, now waiting for Kaspi to show them. */
  preorders: number;
  jobId: string | null;
  /** A successful answer of a shape we did not expect, kept as Kaspi sent it. */
  unexpectedBody?: string;
  /** Why nothing was uploaded, when the cause needs the merchant (session, a file smaller than the assortment, a refusal). */
  refused?: string;
}

/**
 * The whole-assortment price-list upload a merchant asks for explicitly: reads the cabinet's whole
 * list of offers on sale, builds the file from it (the store's preorders applied), and uploads it —
 * or refuses, saying why, when the file would hold fewer offers than the cabinet has (Kaspi removes
 * every offer a price list leaves out). The preorders it carried turn `processing`. Kaspi's other
 * failures are thrown for the caller to retry.
 */
export async function uploadWholeAssortment(
  deps: ReloginDeps & { logger: Logger },
  storeId: string,
  format: PriceListFormat,
): Promise<PriceListUploadResult> {
  const nothing = (refused: string): PriceListUploadResult => ({ offers: 0, preorders: 0, jobId: null, refused });
  const [store] = await deps.db
    .select({ name: kaspiStores.name, merchantUid: kaspiStores.merchantUid })
    .from(kaspiStores)
    .where(and(eq(kaspiStores.id, storeId), isNull(kaspiStores.deletedAt)));
  if (!store) return nothing('the store is gone');
  const rows = await deps.db.select().from(preorders).where(eq(preorders.storeId, storeId)).orderBy(preorders.sku);

  let uploaded;
  try {
    uploaded = await withStoreSession(deps, storeId, async (ctx) => {
      const cabinet = await fetchAllOffers(ctx, { merchantUid: store.merchantUid, available: true });
      const list = wholeAssortmentPriceList(store, cabinet, rows);
      const reply = await uploadPriceList(ctx, {
        merchantUid: store.merchantUid,
        file: await priceListFile(list, format),
      });
      return { list, reply };
    });
  } catch (error) {
    if (error instanceof AssortmentError)
      return nothing(`the price list would not hold the whole assortment: ${error.message}`);
    if (isKaspiError(error, 'session_expired') || error instanceof StoreSessionMissingError) {
      return nothing('Kaspi refused the store session; connect the store again and upload once more');
    }
    if (error instanceof KaspiError && error.endpoint === 'price_list')
      return nothing(`the price list is not valid: ${error.message}`);
    if (isKaspiError(error, 'bad_request')) return nothing(`Kaspi refused the price list: ${error.message}`);
    throw error;
  }
  const { list, reply } = uploaded;
  if (reply.unexpectedBody !== undefined) {
    deps.logger.warn(
      { storeId, body: reply.unexpectedBody },
      'Kaspi took the price list with an answer of an unexpected shape',
    );
  }
  const carried = rows.filter((p) => list.offers.some((o) => o.sku === p.sku)).map((p) => p.id);
  if (carried.length > 0) {
    await deps.db
      .update(preorders)
      .set({ status: 'processing', uploadedAt: sql`now()`, activatedAt: null, error: null })
      .where(inArray(preorders.id, carried));
  }
  return {
    offers: list.offers.length,
    preorders: carried.length,
    jobId: reply.jobId,
    ...(reply.unexpectedBody !== undefined ? { unexpectedBody: reply.unexpectedBody } : {}),
  };
}
