/**
 * Imports a store's cabinet offer list (`catalog-sync:<storeId>`): one activity per page of up to
 * 100 offers, then the offers not seen are marked vanished. Only a sync that saw every page (and could
 * tell every item's SKU) marks anything vanished. An item that cannot be read is skipped and reported
 * with its SKU; the rest of its page is imported. The merchant's settings are never written.
 */

import {
  ActivityFailure,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { failureOf } from './failures';
import {
  blankCatalogProgress,
  catalogSyncProgressQuery,
  STORE_GONE,
  STORE_ID_KEY,
  USER_ID_KEY,
  type CatalogSyncProgress,
} from './messages';

export interface CatalogSyncInput {
  storeId: string;
  userId: string;
  /** `CATALOG_HEARTBEAT_TIMEOUT_SECONDS`: how soon a page whose worker died is imported again elsewhere. */
  heartbeatTimeoutSeconds?: number;
}

/** `CATALOG_HEARTBEAT_TIMEOUT_SECONDS`'s default, for syncs started before it was passed in. */
const DEFAULT_HEARTBEAT_TIMEOUT_SECONDS = 30;

/** A catalog of more pages than this is cut off rather than paged for ever. */
const MAX_PAGES = 1000;
/** How many SKUs of unreadable items the progress lists. */
const MAX_UNREADABLE_SKUS = 100;

export async function catalogSyncWorkflow(input: CatalogSyncInput): Promise<CatalogSyncProgress> {
  const { syncCatalogPage, finishCatalogSync } = proxyActivities<Activities>({
    startToCloseTimeout: '2 minutes',
    heartbeatTimeout: `${input.heartbeatTimeoutSeconds ?? DEFAULT_HEARTBEAT_TIMEOUT_SECONDS} seconds`,
    retry: {
      initialInterval: '2 seconds',
      maximumInterval: '1 minute',
      maximumAttempts: 8,
      nonRetryableErrorTypes: [STORE_GONE, 'KaspiSessionExpired', 'KaspiBadRequest'],
    },
  });
  const progress: CatalogSyncProgress = blankCatalogProgress('running');
  setHandler(catalogSyncProgressQuery, () => progress);
  if (workflowInfo().typedSearchAttributes.get(STORE_ID_KEY) === undefined) {
    upsertSearchAttributes([
      { key: USER_ID_KEY, value: input.userId },
      { key: STORE_ID_KEY, value: input.storeId },
    ]);
  }

  // Every row this sync writes carries its start time; rows older than that afterwards have vanished.
  const syncedAt = new Date().toISOString();
  // An unreadable item without a SKU may be any of the store's offers: then none is called vanished.
  let everyOfferKnown = true;
  try {
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = await syncCatalogPage({ storeId: input.storeId, page, syncedAt });
      progress.pagesDone++;
      progress.offersSeen += result.offers;
      progress.offersTotal = result.total ?? progress.offersTotal;
      progress.created += result.created;
      progress.updated += result.updated;
      progress.skipped += result.skipped;
      progress.unreadable += result.unreadable?.length ?? 0;
      for (const { sku } of result.unreadable ?? []) {
        if (sku === null) everyOfferKnown = false;
        else if (progress.unreadableSkus.length < MAX_UNREADABLE_SKUS) progress.unreadableSkus.push(sku);
      }
      if (!result.more) break;
    }
    progress.vanished = (
      await finishCatalogSync({ storeId: input.storeId, syncedAt, markVanished: everyOfferKnown })
    ).vanished;
    progress.state = 'done';
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    progress.state = 'failed';
    progress.error = failureOf(error).message;
  }
  return progress;
}
