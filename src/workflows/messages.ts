import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DemperConfig } from '../domain/demper-config';
import type { ProxyModule } from '../domain/plans';

/**
 * Every workflow's messages, defined once and shared by the workflows (`setHandler`) and their
 * callers (`signal`, `query`, `executeUpdate`).
 */

/** Search attributes operators find a merchant's or a store's runs by in the Temporal UI. */
export const USER_ID_KEY = defineSearchAttributeKey('UserId', SearchAttributeType.KEYWORD);
export const STORE_ID_KEY = defineSearchAttributeKey('StoreId', SearchAttributeType.KEYWORD);

// --- demperWorkflow (`demper:<storeId>`) -----------------------------------------------------

/** Why a loop is paused: the merchant asked, or Kaspi rejected the store's session. */
export const PAUSED_BY_MERCHANT = 'paused_by_merchant';
export const SESSION_EXPIRED = 'session_expired';

export const pauseSignal = defineSignal<[{ reason: string }]>('pause');
export const resumeSignal = defineSignal('resume');

/** Look at the products now: one was just switched on, or a manual price waits to be pushed. */
export type WakeReason = 'started' | 'product_activated' | 'manual_price';
export const wakeSignal = defineSignal<[{ reason: WakeReason }]>('wake');

/** Replaces the loop's configuration (validated); it takes effect from the next cycle. */
export const configureUpdate = defineUpdate<DemperConfig, [DemperConfig]>('configure');

export const demperStatusQuery = defineQuery<DemperStatus>('status');

export interface CycleSummary {
  cycle: number;
  startedAt: string;
  finishedAt: string | null;
  /** Products whose card was read and a price decided. */
  checked: number;
  /** Price changes pushed (or, in a dry run, proposed). */
  changed: number;
  /** Products held at their floor by a rival below it. */
  heldAtFloor: number;
  /** Products whose card could not be read, and pushes that failed. */
  errors: number;
  /** Changes left for later by the change budget or a breaker. */
  deferred: number;
}

/** A breaker the loop is honouring: no request goes to that surface until `until`. */
export interface Breaker {
  surface: 'writes' | 'reads';
  until: string;
  reason: string;
}

export interface DemperStatus {
  storeId: string;
  state: 'running' | 'paused';
  pausedReason: string | null;
  /** The number of the latest cycle; it keeps counting across continue-as-new. */
  cycle: number;
  lastCycle: CycleSummary | null;
  /** When the loop next looks at the products (null while paused or with nothing active). */
  nextCheckAt: string | null;
  breakers: Breaker[];
  config: DemperConfig;
}

/** The failure type an activity throws when the loop's store was deleted: the loop ends. */
export const STORE_GONE = 'StoreGone';

// --- catalogSyncWorkflow (`catalog-sync:<storeId>`) -------------------------------------------

export interface CatalogSyncProgress {
  state: 'running' | 'done' | 'failed';
  pagesDone: number;
  offersSeen: number;
  created: number;
  updated: number;
  vanished: number;
  /** Offers without a product card id, which the demper cannot watch. */
  skipped: number;
  error: string | null;
}

export const catalogSyncProgressQuery = defineQuery<CatalogSyncProgress>('progress');

// --- subscriptionWorkflow ---------------------------------------------------------------------

export const subscriptionWorkflowId = (userId: string) => `subscription:${userId}`;

/** The subscription was paid again (or granted longer): it now lasts until `periodEnd` (ISO 8601). */
export const renewSignal = defineSignal<[periodEnd: string]>('renew');
/** End the subscription now: release its proxies and go back to the free plan. */
export const cancelSignal = defineSignal('cancel');

export type SubscriptionState = 'activating' | 'active' | 'ending' | 'ended';

export interface ModuleProxies {
  wanted: number;
  held: number;
}

export interface SubscriptionStatus {
  userId: string;
  plan: string;
  state: SubscriptionState;
  periodEnd: string;
  cancelRequested: boolean;
  proxies: Record<ProxyModule, ModuleProxies>;
}

export const subscriptionStatusQuery = defineQuery<SubscriptionStatus>('status');

// --- proxyPoolWorkflow ---------------------------------------------------------------------------

/** The Temporal Schedule that runs `proxyPoolWorkflow`. */
export const PROXY_POOL_SCHEDULE_ID = 'proxy-pool';
