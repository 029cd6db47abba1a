import { eq, inArray } from 'drizzle-orm';
import { preorders } from '../db/schema';
import { checkStorePreorders, type CheckResult } from '../preorders/check';
import type { PriceListFormat } from '../preorders/price-list';
import { uploadStorePreorders, type UploadResult } from '../preorders/upload';
import { withdrawPreorder, type WithdrawInput, type WithdrawResult } from '../preorders/withdraw';
import { cabinetFailure } from './cabinet-failure';
import type { ActivityDeps, WorkerLocal } from './deps';
import { heartbeatingSleep } from './heartbeating-sleep';

export interface PreorderUpload extends UploadResult {
  /** The worker's settings, so the workflow needs none of its own. */
  checkIntervalSeconds: number;
}

export function createPreorderActivities(deps: ActivityDeps, local: Pick<WorkerLocal, 'browser'>) {
  const sessionDeps = { ...deps, browser: local.browser };
  return {
    async uploadPreorders(input: { storeId: string; format: PriceListFormat }): Promise<PreorderUpload> {
      try {
        const result = await uploadStorePreorders(sessionDeps, input.storeId, input.format);
        return { ...result, checkIntervalSeconds: deps.config.preorders.checkIntervalSeconds };
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

    /** Takes a deleted preorder off at Kaspi (zero preorder days on every point of the offer). */
    async withdrawPreorder(input: WithdrawInput): Promise<WithdrawResult> {
      try {
        return await withdrawPreorder(sessionDeps, input);
      } catch (error) {
        throw cabinetFailure(error);
      }
    },

    /** The upload kept failing: the store's preorders say so instead of waiting forever. */
    async failPreorderUpload(input: { storeId: string; reason: string }): Promise<void> {
      const rows = await deps.db.select({ id: preorders.id }).from(preorders).where(eq(preorders.storeId, input.storeId));
      if (rows.length === 0) return;
      await deps.db
        .update(preorders)
        .set({ status: 'failed', error: input.reason.slice(0, 500) })
        .where(inArray(preorders.id, rows.map((r) => r.id)));
    },
  };
}
