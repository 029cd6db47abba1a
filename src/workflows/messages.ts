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

// --- ordersPollWorkflow ----------------------------------------------------------------------------

export const ordersPollWorkflowId = (storeId: string) => `orders:${storeId}`;

/** Poll now instead of waiting for the interval. */
export const pollNowSignal = defineSignal('pollNow');

export interface OrdersPollCounters {
  polls: number;
  /** Orders stored for the first time. */
  newOrders: number;
  statusChanges: number;
  messagesQueued: number;
  messagesSent: number;
}

export interface OrdersPollState {
  /** The newest Kaspi creation date stored; the next poll reads from a little before it. */
  watermarkMs: number | null;
  /** The first poll stored what the store already had, telling nobody. */
  baselineDone: boolean;
  counters: OrdersPollCounters;
  lastPollAt: string | null;
}

export interface OrdersPollStatus extends OrdersPollState {
  storeId: string;
  /** `polling`, `waiting`, or `stopped` (store deleted or its token removed). */
  phase: 'polling' | 'waiting' | 'stopped';
  nextPollAt: string | null;
  /** The last poll's failure, if it failed. */
  lastError: string | null;
}

export const ordersPollStatusQuery = defineQuery<OrdersPollStatus>('status');

// --- preorderUploadWorkflow ------------------------------------------------------------------------

export const preorderUploadWorkflowId = (storeId: string) => `preorder-upload:${storeId}`;

// --- telegramBotWorkflow ---------------------------------------------------------------------------

/** The one workflow that reads the bot's updates and delivers alerts. */
export const TELEGRAM_BOT_WORKFLOW_ID = 'telegram-bot';
