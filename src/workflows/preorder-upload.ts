import { proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PriceListFormat } from '../preorders/price-list';
import { failureOf } from './failures';

const { uploadPreorders } = proxyActivities<Activities>({
  startToCloseTimeout: '6 minutes',
  retry: { initialInterval: '10 seconds', maximumAttempts: 4, nonRetryableErrorTypes: ['KaspiSessionExpired', 'KaspiBadRequest'] },
});
const { checkPreorders, failPreorderUpload } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '10 seconds', maximumAttempts: 5 },
});

export interface PreorderUploadResult {
  uploaded: number;
  activated: number;
  failed: number;
  refused?: string;
}

/**
 * A store's preorders to Kaspi (`preorder-upload:<storeId>`): uploads them as one price list through
 * the cabinet, then looks them up on the public offers every `PREORDER_CHECK_INTERVAL_SECONDS` until
 * each is shown (`active`) or its time is up (`failed`). A new upload replaces a running one.
 */
export async function preorderUploadWorkflow(input: { storeId: string; format: PriceListFormat }): Promise<PreorderUploadResult> {
  let upload;
  try {
    upload = await uploadPreorders(input);
  } catch (error) {
    const reason = failureOf(error).message;
    await failPreorderUpload({ storeId: input.storeId, reason: `the upload failed: ${reason}` });
    return { uploaded: 0, activated: 0, failed: 0, refused: reason };
  }
  const result: PreorderUploadResult = { uploaded: upload.uploaded, activated: 0, failed: 0, ...(upload.refused ? { refused: upload.refused } : {}) };
  if (upload.uploaded === 0) return result;
  for (;;) {
    await sleep(upload.checkIntervalSeconds * 1000);
    const check = await checkPreorders({ storeId: input.storeId });
    result.activated += check.activated;
    result.failed += check.failed;
    if (check.processing === 0) return result;
  }
}
