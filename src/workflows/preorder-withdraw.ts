import { getExternalWorkflowHandle, patched, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { WithdrawInput, WithdrawResult } from '../preorders/withdraw';
import { failureOf } from './failures';
import { demperWorkflowId, wakeSignal } from './messages';

const { recordPreorderWithdrawal, preorderPushOutcome } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 10 },
});
const { alertStoreOwner } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumAttempts: 5 },
});

export type PreorderWithdrawResult = WithdrawResult | { withdrawn: false; why: 'failed'; reason: string };

/**
 * Runs started before withdrawals went through the pricefeed uploaded a price-list file. Replayed,
 * they keep that step (the activity is gone: one still to run fails, and the merchant is told).
 */
const WITHDRAWAL_THROUGH_PRICEFEED = 'preorder-withdrawal-through-pricefeed';

interface FileWithdrawActivities {
  withdrawPreorder(input: WithdrawInput): Promise<PreorderWithdrawResult>;
}

const { withdrawPreorder } = proxyActivities<FileWithdrawActivities>({
  startToCloseTimeout: '5 minutes',
  retry: {
    initialInterval: '10 seconds',
    maximumInterval: '10 minutes',
    maximumAttempts: 8,
    nonRetryableErrorTypes: ['KaspiSessionExpired', 'KaspiBadRequest'],
  },
});

/** How long the push may wait for the store's loop (its pace, a 429 cooldown of up to 30 minutes) before the merchant is told. */
const PUSH_WAIT_MS = 40 * 60_000;
const FIRST_LOOK_MS = 2_000;
const LONGEST_LOOK_MS = 60_000;

/**
 * Takes a deleted preorder off at Kaspi (`preorder-withdraw:<storeId>:<sku>`): records a pricefeed
 * push of the offer with zero preorder days on every point, wakes the store's demper loop (the
 * merchant's one writer) to send it, and follows it until it is sent. When it cannot go (no loop runs,
 * Kaspi refused it, it waited too long), the merchant is told the offer is still on preorder at Kaspi
 * and why.
 */
export async function preorderWithdrawWorkflow(input: WithdrawInput): Promise<PreorderWithdrawResult> {
  const failed = async (reason: string): Promise<PreorderWithdrawResult> => {
    await alertStoreOwner({
      storeId: input.storeId,
      kind: 'preorder_withdraw_failed',
      message:
        `Kaspi may still show «${input.model}» (${input.sku}) on preorder: taking it off failed (${reason}). ` +
        'Set its preorder days to 0 in the Kaspi cabinet, or connect the store again and put it on preorder and off once more.',
      link: `/api/v1/stores/${input.storeId}/preorders`,
    });
    return { withdrawn: false, why: 'failed', reason };
  };

  if (!patched(WITHDRAWAL_THROUGH_PRICEFEED)) {
    try {
      return await withdrawPreorder(input);
    } catch (error) {
      return failed(failureOf(error).message);
    }
  }

  let changeId: string;
  try {
    const recorded = await recordPreorderWithdrawal(input);
    if (recorded.changeId === null)
      return { withdrawn: false, why: recorded.why === 'not_in_catalog' ? 'not_at_kaspi' : recorded.why };
    changeId = recorded.changeId;
  } catch (error) {
    return failed(failureOf(error).message);
  }
  try {
    await getExternalWorkflowHandle(demperWorkflowId(input.storeId)).signal(wakeSignal, { reason: 'preorder' });
  } catch {
    return failed("the store's demper loop is not running, so nothing pushes the change");
  }
  const deadline = Date.now() + PUSH_WAIT_MS;
  for (let waitMs = FIRST_LOOK_MS; ; waitMs = Math.min(waitMs * 2, LONGEST_LOOK_MS)) {
    await sleep(waitMs);
    const outcome = await preorderPushOutcome({ changeId });
    if (outcome.state === 'sent') return { withdrawn: true };
    if (outcome.state === 'failed') return failed(outcome.reason);
    if (Date.now() > deadline) return failed(`the push was not sent within ${PUSH_WAIT_MS / 60_000} minutes`);
  }
}
