import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
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

/** The search attributes of a run that works for one store: its owner and the store. */
export function storeSearchAttributes(store: { id: string; userId: string }): SearchAttributePair[] {
  return [
    { key: USER_ID_KEY, value: store.userId },
    { key: STORE_ID_KEY, value: store.id },
  ];
}

// --- demperWorkflow (`demper:<storeId>`) -----------------------------------------------------

/** Why a loop is paused: the merchant asked, or Kaspi refused the store's session and only the merchant can renew it. */
export const PAUSED_BY_MERCHANT = 'paused_by_merchant';
export const NEEDS_REAUTH = 'needs_reauth';

export const pauseSignal = defineSignal<[{ reason: string }]>('pause');
export const resumeSignal = defineSignal('resume');

/** Look at the products now: one was just switched on, or a manual price or a preorder waits to be pushed. */
export type WakeReason = 'started' | 'product_activated' | 'manual_price' | 'preorder';
export const wakeSignal = defineSignal<[{ reason: WakeReason }]>('wake');

/** A check batch recorded price changes: push them now, while it reads on. */
export const changesRecordedSignal = defineSignal('changesRecorded');

/** Replaces the loop's configuration (validated); it takes effect from the next cycle. */
export const configureUpdate = defineUpdate<DemperConfig, [DemperConfig]>('configure');

export const demperStatusQuery = defineQuery<DemperStatus>('status');

export const demperWorkflowId = (storeId: string) => `demper:${storeId}`;

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
  /** Pushes sent without the offer's pickup points, because none was known (absent in runs from before it was counted). */
  withoutAvailabilities?: number;
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
  /**
   * Pushes this loop sent without the offer's pickup points since it started (carried across
   * continue-as-new): the cabinet showed none for those offers, so Kaspi kept its own.
   */
  pushesWithoutAvailabilities: number;
}

/** The failure type an activity throws when the loop's store was deleted: the loop ends. */
export const STORE_GONE = 'StoreGone';

// --- catalogSyncWorkflow (`catalog-sync:<storeId>`) -------------------------------------------

export const catalogSyncWorkflowId = (storeId: string) => `catalog-sync:${storeId}`;

export interface CatalogSyncProgress {
  state: 'running' | 'done' | 'failed';
  pagesDone: number;
  offersSeen: number;
  /** Offers the cabinet's list holds, when it says: the sync's progress is `offersSeen` of it. */
  offersTotal: number | null;
  created: number;
  updated: number;
  vanished: number;
  /** Offers without a product card id, which the demper cannot watch. */
  skipped: number;
  /** Items of the cabinet list that could not be read (the rest were imported). */
  unreadable: number;
  /** Their SKUs, where they had one (the first 100). */
  unreadableSkus: string[];
  error: string | null;
}

/** Progress before any page is read: a sync starting (`running`), or, for the API, one never run. */
export function blankCatalogProgress<S extends string>(state: S) {
  return {
    state,
    pagesDone: 0,
    offersSeen: 0,
    offersTotal: null,
    created: 0,
    updated: 0,
    vanished: 0,
    skipped: 0,
    unreadable: 0,
    unreadableSkus: [] as string[],
    error: null as string | null,
  };
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

// --- login workflows (`sms-login:<loginId>`, `password-login:<loginId>`, `session-check:<storeId>`)
// None of these carries a secret: passwords and cookies stay sealed in PostgreSQL, and the SMS code only
// passes through the `submitCode` update (encrypted by the payload codec) and is kept nowhere.
export type LoginState = 'waiting_code' | 'verifying' | 'connected' | 'failed' | 'expired';

/** Codes a merchant may try per SMS login. */
export const MAX_CODE_ATTEMPTS = 3;
export const SMS_CODE = /^\d{4,6}$/;

/** What a login that lost its browser page (its worker stopped or crashed) tells the merchant. */
export const START_AGAIN = 'The login was interrupted; start again.';

export interface SmsLoginInput {
  loginId: string;
  /** The phone Kaspi sends the code to, as the merchant typed it. */
  phone: string;
  /** How long the login waits for a correct code, from its start. */
  codeTimeoutSeconds: number;
}

export interface SmsLoginStatus {
  state: LoginState;
  attempts: number;
  attemptsLeft: number;
  /** Kaspi's words about the last code, or why the login failed. */
  message: string | null;
  storeIds: string[];
}

export const submitCodeUpdate = defineUpdate<SmsLoginStatus, [code: string]>('submitCode');
export const smsLoginStatusQuery = defineQuery<SmsLoginStatus>('status');

export interface PasswordLoginInput {
  loginId: string;
  /** Keep the credentials (sealed) on the stores for automatic re-login. */
  remember: boolean;
}

export type PasswordLoginResult =
  { status: 'connected'; storeIds: string[] } | { status: 'sms_required' } | { status: 'failed'; message: string };

export interface StoreSessionCheck {
  sessionState: 'active' | 'expired' | 'needs_reauth';
  /** The session was refused and renewed with the remembered password. */
  renewed: boolean;
}

export const smsLoginWorkflowId = (loginId: string) => `sms-login:${loginId}`;
export const passwordLoginWorkflowId = (loginId: string) => `password-login:${loginId}`;
export const storeSessionCheckWorkflowId = (storeId: string) => `session-check:${storeId}`;

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

// --- preorderUploadWorkflow, preorderWithdrawWorkflow -----------------------------------------------

export const preorderUploadWorkflowId = (storeId: string) => `preorder-upload:${storeId}`;
export const preorderWithdrawWorkflowId = (storeId: string, sku: string) => `preorder-withdraw:${storeId}:${sku}`;
/** The whole-assortment price-list upload (a `preorderUploadWorkflow` with a file). */
export const priceListUploadWorkflowId = (storeId: string) => `price-list-upload:${storeId}`;

// --- telegramBotWorkflow ---------------------------------------------------------------------------

/** The one workflow that reads the bot's updates and delivers alerts. */
export const TELEGRAM_BOT_WORKFLOW_ID = 'telegram-bot';
