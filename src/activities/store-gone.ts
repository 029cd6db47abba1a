import { ApplicationFailure } from '@temporalio/common';
import { STORE_GONE } from '../workflows/messages';

/** The store was deleted or disconnected: the workflow working for it ends instead of retrying. */
export function storeGone(storeId: string): ApplicationFailure {
  return ApplicationFailure.create({ message: `store ${storeId} is gone`, type: STORE_GONE, nonRetryable: true });
}
