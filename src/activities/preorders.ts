import { eq, inArray } from 'drizzle-orm';
import { preorders } from '../db/schema';
import { failPendingPreorderSets } from '../demper/price-changes';
import { checkStorePreorders, type CheckResult } from '../preorders/check';
import type { PriceListFormat } from '../preorders/price-list';
import {
  preorderChangeOutcome,
  recordPreorderClear,
  recordStorePreorders,
  type ChangeOutcome,
  type ClearResult,
  type SetResult,
} from '../preorders/pricefeed';
import { uploadWholeAssortment, type PriceListUploadResult } from '../preorders/upload';
import type { WithdrawInput } from '../preorders/withdraw';
import { cabinetFailure } from './cabinet-failure';
import type { ActivityDeps, WorkerLocal } from './deps';
import { heartbeatingSleep } from './heartbeating-sleep';

/** The worker's settings ride along, so the workflow needs none of its own. */
export interface WithCheckInterval {
  checkIntervalSeconds: number;
}

export function createPreorderActivities(deps: ActivityDeps, local: Pick<WorkerLocal, 'browser'>) {
  const sessionDeps = { ...deps, browser: local.browser };
  const checkIntervalSeconds = deps.config.preorders.checkIntervalSeconds;
  return {
    /** Records a pricefeed push for every preorder of the store, for its demper loop to send. */
    async recordPreorderPushes(input: { storeId: string }): Promise<SetResult & WithCheckInterval> {
      return { ...(await recordStorePreorders(deps.db, input.storeId)), checkIntervalSeconds };
    },

    /** The whole assortment as one price-list file, on the merchant's explicit request. */
    async uploadPriceListFile(input: {
      storeId: string;
      format: PriceListFormat;
    }): Promise<PriceListUploadResult & WithCheckInterval> {
      try {
        return { ...(await uploadWholeAssortment(sessionDeps, input.storeId, input.format)), checkIntervalSeconds };
      } catch (error) {
        throw cabinetFailure(error);
      }
    },

    async checkPreorders(input: { storeId: string }): Promise<CheckResult> {
      return checkStorePreorders(
        {
          db: deps.db,
          channel: deps.readChannel,
          urls: deps.config.kaspi,
          timeoutMs: deps.config.kaspiClient.timeoutMs,
          activationTimeoutHours: deps.config.preorders.activationTimeoutHours,
          sleep: heartbeatingSleep,
        },
        input.storeId,
      );
    },

    /** Records the push that takes a deleted preorder off at Kaspi (zero preorder days on every point of the offer). */
    async recordPreorderWithdrawal(input: WithdrawInput): Promise<ClearResult> {
      return recordPreorderClear(deps.db, input);
    },

    async preorderPushOutcome(input: { changeId: string }): Promise<ChangeOutcome> {
      return preorderChangeOutcome(deps.db, input.changeId);
    },

    /**
     * The pushes could not go (the upload kept failing, or no loop runs to send them): the store's
     * preorders say so instead of waiting forever, and their pushes still waiting are dropped.
     */
    async failPreorderUpload(input: { storeId: string; reason: string }): Promise<void> {
      const reason = input.reason.slice(0, 500);
      await failPendingPreorderSets(deps.db, input.storeId, reason);
      const rows = await deps.db
        .select({ id: preorders.id })
        .from(preorders)
        .where(eq(preorders.storeId, input.storeId));
      if (rows.length === 0) return;
      await deps.db
        .update(preorders)
        .set({ status: 'failed', error: reason })
        .where(
          inArray(
            preorders.id,
            rows.map((r) => r.id),
          ),
        );
    },
  };
}
