import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ProxyModule } from '../domain/plans';

/**
 * Every workflow's messages (signals, queries, updates), ids and search attributes, defined once and
 * shared by the workflows that handle them and the API that sends them.
 */

export const USER_ID = defineSearchAttributeKey('UserId', SearchAttributeType.KEYWORD);

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
