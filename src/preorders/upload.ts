import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { kaspiStores, preorders } from '../db/schema';
import { isKaspiError, KaspiError } from '../kaspi';
import { uploadPriceList } from '../kaspi/price-list';
import { StoreSessionMissingError, withStoreSession, type ReloginDeps } from '../stores/relogin';
import { preorderFile, preorderPriceList, type PriceListFormat } from './price-list';

export interface UploadResult {
  /** Preorders now waiting for Kaspi to show them. */
  uploaded: number;
  /** Why nothing was uploaded, when the cause needs the merchant (session, a refused file). */
  refused?: string;
}

/**
 * Uploads every preorder of the store as one price list through the cabinet (the file lists only
 * these offers, and Kaspi leaves offers missing from it alone), then marks them `processing`. A
 * refusal the merchant must fix (session gone, file refused) marks them `failed` with the reason;
 * anything else is thrown for the caller to retry.
 */
export async function uploadStorePreorders(deps: ReloginDeps, storeId: string, format: PriceListFormat): Promise<UploadResult> {
  const [store] = await deps.db
    .select({ name: kaspiStores.name, merchantUid: kaspiStores.merchantUid })
    .from(kaspiStores)
    .where(and(eq(kaspiStores.id, storeId), isNull(kaspiStores.deletedAt)));
  if (!store) return { uploaded: 0, refused: 'the store is gone' };
  const rows = await deps.db.select().from(preorders).where(eq(preorders.storeId, storeId)).orderBy(preorders.sku);
  if (rows.length === 0) return { uploaded: 0 };
  const ids = rows.map((r) => r.id);
  const fail = async (reason: string): Promise<UploadResult> => {
    await deps.db.update(preorders).set({ status: 'failed', error: reason }).where(inArray(preorders.id, ids));
    return { uploaded: 0, refused: reason };
  };
  let file;
  try {
    file = await preorderFile(preorderPriceList(store, rows), format);
  } catch (error) {
    if (error instanceof KaspiError) return fail(`the price list is not valid: ${error.message}`);
    throw error;
  }
  try {
    await withStoreSession(deps, storeId, (ctx) => uploadPriceList(ctx, { merchantUid: store.merchantUid, file }));
  } catch (error) {
    if (isKaspiError(error, 'session_expired') || error instanceof StoreSessionMissingError) {
      return fail('Kaspi refused the store session; connect the store again and upload once more');
    }
    if (isKaspiError(error, 'bad_request')) return fail(`Kaspi refused the price list: ${error.message}`);
    throw error;
  }
  await deps.db
    .update(preorders)
    .set({ status: 'processing', uploadedAt: sql`now()`, activatedAt: null, error: null })
    .where(inArray(preorders.id, ids));
  return { uploaded: rows.length };
}
