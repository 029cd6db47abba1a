import { ApplicationFailure } from '@temporalio/common';
import { importOffers, markVanished } from '../catalog/sync';
import { loadDemperStore } from '../demper/store';
import { fetchOfferListPage, isKaspiError, toApplicationFailure, MAX_OFFER_LIST_PAGE_SIZE } from '../kaspi';
import { sessionExpired } from '../stores/session-expired';
import { readStoreSession } from '../stores/session';
import { STORE_GONE } from '../workflows/messages';
import type { ActivityDeps } from './deps';

export interface CatalogPageResult {
  offers: number;
  created: number;
  updated: number;
  skipped: number;
  /** There is a next page. */
  more: boolean;
}

export function createCatalogActivities(deps: ActivityDeps) {
  const { db, config } = deps;
  const control = { temporal: deps.temporal, db, config };

  return {
    /** One page of the cabinet's list of offers on sale, imported. */
    async syncCatalogPage({ storeId, page, syncedAt }: { storeId: string; page: number; syncedAt: string }): Promise<CatalogPageResult> {
      const store = await loadDemperStore(db, storeId);
      if (!store) throw ApplicationFailure.create({ message: `store ${storeId} is gone`, type: STORE_GONE, nonRetryable: true });
      const session = await readStoreSession(db, deps.keyring, storeId);
      if (!session) {
        await sessionExpired(control, storeId);
        throw ApplicationFailure.create({ message: 'the store has no Kaspi session', type: 'KaspiSessionExpired', nonRetryable: true });
      }
      const size = MAX_OFFER_LIST_PAGE_SIZE;
      try {
        const listed = await fetchOfferListPage(
          { urls: config.kaspi, timeoutMs: config.kaspiClient.timeoutMs, session },
          { merchantUid: store.merchantUid, available: true, page, size },
        );
        const imported = await importOffers(db, storeId, new Date(syncedAt), listed.offers);
        return {
          offers: listed.offers.length,
          ...imported,
          more: listed.offers.length === size && (page + 1) * size < listed.total,
        };
      } catch (error) {
        if (!isKaspiError(error)) throw error;
        if (error.kind === 'session_expired') await sessionExpired(control, storeId);
        throw toApplicationFailure(error);
      }
    },

    /** The sync saw every page: what it did not see has vanished from the cabinet. */
    async finishCatalogSync({ storeId, syncedAt }: { storeId: string; syncedAt: string }): Promise<{ vanished: number }> {
      return { vanished: await markVanished(db, storeId, new Date(syncedAt)) };
    },
  };
}
