import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { WithdrawInput } from '../preorders/withdraw';
import { failureOf } from './failures';

const { withdrawPreorder } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: {
    initialInterval: '10 seconds',
    maximumInterval: '10 minutes',
    maximumAttempts: 8,
    nonRetryableErrorTypes: ['KaspiSessionExpired', 'KaspiBadRequest'],
  },
});
const { alertStoreOwner } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumAttempts: 5 },
});

export type PreorderWithdrawResult = Awaited<ReturnType<Activities['withdrawPreorder']>> | { withdrawn: false; why: 'failed'; reason: string };

/**
 * Takes a deleted preorder off at Kaspi (`preorder-withdraw:<storeId>:<sku>`), retrying through
 * Kaspi's bad moments for about twenty minutes (8 tries, waits doubling from 10 s). When it cannot
 * (the session is gone, Kaspi refuses the price list), the merchant is told the offer is still on
 * preorder at Kaspi and why.
 */
export async function preorderWithdrawWorkflow(input: WithdrawInput): Promise<PreorderWithdrawResult> {
  try {
    return await withdrawPreorder(input);
  } catch (error) {
    const reason = failureOf(error).message;
    await alertStoreOwner({
      storeId: input.storeId,
      kind: 'preorder_withdraw_failed',
      message:
        `Kaspi may still show «${input.model}» (${input.sku}) on preorder: taking it off failed (${reason}). ` +
        'Set its preorder days to 0 in the Kaspi cabinet, or connect the store again and put it on preorder and off once more.',
      link: `/api/v1/stores/${input.storeId}/preorders`,
    });
    return { withdrawn: false, why: 'failed', reason };
  }
}
