import { and, eq, isNull } from 'drizzle-orm';
import { importOffers, markVanished } from '../catalog/sync';
import { kaspiStores } from '../db/schema';
import { fetchOfferListPage, MAX_OFFER_LIST_PAGE_SIZE } from '../kaspi';
import { withStoreSession } from '../stores/relogin';
import { cabinetFailure } from './cabinet-failure';
import type { ActivityDeps, WorkerLocal } from './deps';
import { storeGone } from './store-gone';

export interface CatalogPageResult {
  offers: number;
  created: number;
  updated: number;
  skipped: number;
  /** Offers on sale in the whole list, when the cabinet says. */
  total: number | null;
  /** There is a next page. */
  more: boolean;
}

export function createCatalogActivities(deps: ActivityDeps, local: Pick<WorkerLocal, 'browser'>) {
  const { db } = deps;
  const sessionDeps = { ...deps, browser: local.browser };

  return {
    /** One page of the cabinet's list of offers on sale, imported. */
    async syncCatalogPage({ storeId, page, syncedAt }: { storeId: string; page: number; syncedAt: string }): Promise<CatalogPageResult> {
      const [store] = await db
        .select({ merchantUid: kaspiStores.merchantUid })
        .from(kaspiStores)
        .where(and(eq(kaspiStores.id, storeId), isNull(kaspiStores.deletedAt)));
      if (!store) throw storeGone(storeId);
      const size = MAX_OFFER_LIST_PAGE_SIZE;
      try {
        // A refused session is renewed with the remembered password when there is one (then the page is
        // read again); otherwise the store goes needs_reauth and its demper pauses.
        const listed = await withStoreSession(sessionDeps, storeId, (ctx) =>
          fetchOfferListPage(ctx, { merchantUid: store.merchantUid, available: true, page, size }),
        );
        const imported = await importOffers(db, storeId, new Date(syncedAt), listed.offers);
        return {
          offers: listed.offers.length,
          ...imported,
          total: listed.total ?? null,
          more: listed.offers.length === size && (page + 1) * size < listed.total,
        };
      } catch (error) {
        throw cabinetFailure(error);
      }
    },

    /** The sync saw every page: what it did not see has vanished from the cabinet. */
    async finishCatalogSync({ storeId, syncedAt }: { storeId: string; syncedAt: string }): Promise<{ vanished: number }> {
      return { vanished: await markVanished(db, storeId, new Date(syncedAt)) };
    },
  };
}
