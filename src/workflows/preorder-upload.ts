import { getExternalWorkflowHandle, patched, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PriceListFormat } from '../preorders/price-list';
import { failureOf } from './failures';
import { demperWorkflowId, wakeSignal } from './messages';

const { uploadPriceListFile } = proxyActivities<Activities>({
  startToCloseTimeout: '6 minutes',
  retry: {
    initialInterval: '10 seconds',
    maximumAttempts: 4,
    nonRetryableErrorTypes: ['KaspiSessionExpired', 'KaspiBadRequest'],
  },
});
const { recordPreorderPushes, checkPreorders, failPreorderUpload } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '10 seconds', maximumAttempts: 5 },
});

/**
 * Runs started before preorders went through the pricefeed uploaded a price-list file holding only the
 * preorders. Replayed, they keep that step (the activity is gone: one still to run fails, and the
 * merchant is told); new runs take the pricefeed.
 */
const PREORDERS_THROUGH_PRICEFEED = 'preorders-through-pricefeed';

interface FileUploadActivities {
  uploadPreorders(input: {
    storeId: string;
    format: PriceListFormat;
  }): Promise<{ uploaded: number; checkIntervalSeconds: number; refused?: string }>;
}

const { uploadPreorders } = proxyActivities<FileUploadActivities>({
  startToCloseTimeout: '6 minutes',
  retry: {
    initialInterval: '10 seconds',
    maximumAttempts: 4,
    nonRetryableErrorTypes: ['KaspiSessionExpired', 'KaspiBadRequest'],
  },
});

export interface PreorderUploadInput {
  storeId: string;
  /** Upload the whole assortment as one price-list file instead (only on the merchant's explicit request). */
  priceList?: { format: PriceListFormat };
}

export interface PreorderUploadResult {
  /** Preorders sent (pushes recorded for the store's loop, or carried by the price-list file). */
  uploaded: number;
  activated: number;
  failed: number;
  /** Offers in the price-list file, for a whole-assortment upload. */
  offers?: number;
  /** A successful upload answered with a body of an unexpected shape: kept as it came. */
  unexpectedBody?: string;
  refused?: string;
}

const NO_LOOP =
  "the store's demper loop is not running, so nothing would push the preorders; connect the store (or start its demper) and upload again";

/**
 * A store's preorders to Kaspi (`preorder-upload:<storeId>`). Each preorder is pushed through the
 * JSON pricefeed by the store's demper loop — the merchant's one writer, within its pace and change
 * budget — or, when the merchant asks for it, the whole assortment goes as one price-list file. Then
 * the preorders are looked up on the public offers every `PREORDER_CHECK_INTERVAL_SECONDS` until each
 * is shown (`active`) or its push failed or its time is up (`failed`). A new upload replaces a running one.
 */
export async function preorderUploadWorkflow(input: PreorderUploadInput): Promise<PreorderUploadResult> {
  const result: PreorderUploadResult = { uploaded: 0, activated: 0, failed: 0 };
  let checkIntervalSeconds: number;
  try {
    if (!patched(PREORDERS_THROUGH_PRICEFEED)) {
      const upload = await uploadPreorders({
        storeId: input.storeId,
        format: (input as { format?: PriceListFormat }).format ?? 'xlsx',
      });
      Object.assign(result, { uploaded: upload.uploaded, ...(upload.refused ? { refused: upload.refused } : {}) });
      checkIntervalSeconds = upload.checkIntervalSeconds;
    } else if (input.priceList) {
      const upload = await uploadPriceListFile({ storeId: input.storeId, format: input.priceList.format });
      Object.assign(result, {
        uploaded: upload.preorders,
        offers: upload.offers,
        ...(upload.unexpectedBody !== undefined ? { unexpectedBody: upload.unexpectedBody } : {}),
        ...(upload.refused ? { refused: upload.refused } : {}),
      });
      checkIntervalSeconds = upload.checkIntervalSeconds;
    } else {
      const recorded = await recordPreorderPushes({ storeId: input.storeId });
      result.uploaded = recorded.recorded;
      result.failed = recorded.refused.length;
      checkIntervalSeconds = recorded.checkIntervalSeconds;
      if (recorded.recorded > 0) {
        try {
          await getExternalWorkflowHandle(demperWorkflowId(input.storeId)).signal(wakeSignal, { reason: 'preorder' });
        } catch {
          await failPreorderUpload({ storeId: input.storeId, reason: NO_LOOP });
          return { ...result, uploaded: 0, refused: NO_LOOP };
        }
      }
    }
  } catch (error) {
    const reason = failureOf(error).message;
    await failPreorderUpload({ storeId: input.storeId, reason: `the upload failed: ${reason}` });
    return { ...result, uploaded: 0, refused: reason };
  }
  if (result.uploaded === 0) return result;
  for (;;) {
    await sleep(checkIntervalSeconds * 1000);
    const check = await checkPreorders({ storeId: input.storeId });
    result.activated += check.activated;
    result.failed += check.failed;
    if (check.processing === 0) return result;
  }
}
