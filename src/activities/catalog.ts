import { and, eq, isNull } from 'drizzle-orm';
import { importOffers, markVanished, touchUnreadable } from '../catalog/sync';
import { kaspiStores } from '../db/schema';
import { fetchOfferListPage, MAX_OFFER_LIST_PAGE_SIZE, type UnreadableOffer } from '../kaspi';
import { withStoreSession } from '../stores/relogin';
import { cabinetFailure } from './cabinet-failure';
import type { ActivityDeps, WorkerLocal } from './deps';
import { whileHeartbeating } from './heartbeating';
import { storeGone } from './store-gone';

export interface CatalogPageResult {
  offers: number;
  created: number;
  updated: number;
  skipped: number;
  /** Offers on sale in the whole list, when the cabinet says. */
  total: number | null;
  /** Items of the page that could not be read: the rest of the page is imported without them. */
  unreadable: UnreadableOffer[];
  /** There is a next page. */
  more: boolean;
}

export function createCatalogActivities(deps: ActivityDeps, local: Pick<WorkerLocal, 'browser'>) {
  const { db } = deps;
  const sessionDeps = { ...deps, browser: local.browser };

  /** Both steps heartbeat, so one whose worker died runs again within `CATALOG_HEARTBEAT_TIMEOUT_SECONDS`. */
  return {
    /** One page of the cabinet's list of offers on sale, imported. */
    async syncCatalogPage(input: { storeId: string; page: number; syncedAt: string }): Promise<CatalogPageResult> {
      return whileHeartbeating(() => syncPage(input));
    },

    /**
     * The sync saw every page: what it did not see has vanished from the cabinet — unless an item
     * without a SKU could not be read (`markVanished: false`), which may have been any offer.
     */
    async finishCatalogSync(input: {
      storeId: string;
      syncedAt: string;
      markVanished?: boolean;
    }): Promise<{ vanished: number }> {
      return whileHeartbeating(async () => ({
        vanished: await markVanished(db, input.storeId, new Date(input.syncedAt), {
          markOffers: input.markVanished ?? true,
        }),
      }));
    },
  };

  async function syncPage({
    storeId,
    page,
    syncedAt,
  }: {
    storeId: string;
    page: number;
    syncedAt: string;
  }): Promise<CatalogPageResult> {
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
      const unreadableSkus = listed.unreadable.flatMap((u) => (u.sku ? [u.sku] : []));
      await touchUnreadable(db, storeId, new Date(syncedAt), unreadableSkus);
      if (listed.unreadable.length > 0) {
        deps.logger.warn(
          { storeId, page, unreadable: listed.unreadable },
          'cabinet offer list items could not be read',
        );
      }
      return {
        offers: listed.offers.length,
        ...imported,
        total: listed.total,
        unreadable: listed.unreadable,
        // Like the cabinet's own clients: a full page means there may be another.
        more: listed.listed === size,
      };
    } catch (error) {
      throw cabinetFailure(error);
    }
  }
}
