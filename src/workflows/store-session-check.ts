import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { StoreSessionCheck } from './messages';

const { checkStoreSession } = proxyActivities<Activities>({
  // Long enough to wait for another worker's login of the same merchant and to log in again.
  startToCloseTimeout: '5 minutes',
  retry: { maximumAttempts: 3, nonRetryableErrorTypes: ['KaspiSessionExpired', 'KaspiBadRequest'] },
});

/** Checks a store's Kaspi session now (`session-check:<storeId>`), renewing it when it can. */
export async function storeSessionCheckWorkflow(input: { storeId: string }): Promise<StoreSessionCheck> {
  return checkStoreSession(input);
}
