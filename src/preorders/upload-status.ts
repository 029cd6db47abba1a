/**
 * Where a store's latest upload stands, for the cabinet to follow while it runs: the workflow's run
 * (running, done or failed, and why) beside the store's preorders counted by status, which move from
 * `processing` to `active` or `failed` while the run watches Kaspi.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { count, eq } from 'drizzle-orm';
import type { Db } from '../db';
import { preorders } from '../db/schema';
import { PREORDER_STATUSES, type PreorderStatus } from '../domain/preorders';
import type { preorderUploadWorkflow } from '../workflows';
import type { PreorderUploadResult } from '../workflows/preorder-upload';

export type UploadState = 'never' | 'running' | 'done' | 'failed';

export interface UploadRun {
  state: UploadState;
  startedAt: Date | null;
  closedAt: Date | null;
  /** What a completed run reported. */
  result: PreorderUploadResult | null;
  /** Why nothing was uploaded: the run's own reason, or how it ended when it did not complete. */
  refused: string | null;
}

/** The latest run of an upload workflow (`preorder-upload:<storeId>` or the price-list one). */
export async function uploadRun(temporal: Client, workflowId: string): Promise<UploadRun> {
  const handle = temporal.workflow.getHandle<typeof preorderUploadWorkflow>(workflowId);
  let described;
  try {
    described = await handle.describe();
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    return { state: 'never', startedAt: null, closedAt: null, result: null, refused: null };
  }
  const status = described.status.name;
  const run = { startedAt: described.startTime, closedAt: described.closeTime ?? null };
  if (status === 'RUNNING') return { ...run, state: 'running', result: null, refused: null };
  if (status !== 'COMPLETED')
    return { ...run, state: 'failed', result: null, refused: `the upload was ${status.toLowerCase()}` };
  const result = await handle.result();
  return { ...run, state: result.refused ? 'failed' : 'done', result, refused: result.refused ?? null };
}

/** The store's preorders by status, every status named (0 when none). */
export async function preorderCounts(db: Pick<Db, 'select'>, storeId: string): Promise<Record<PreorderStatus, number>> {
  const rows = await db
    .select({ status: preorders.status, n: count() })
    .from(preorders)
    .where(eq(preorders.storeId, storeId))
    .groupBy(preorders.status);
  const counts = Object.fromEntries(PREORDER_STATUSES.map((s) => [s, 0])) as Record<PreorderStatus, number>;
  for (const row of rows) counts[row.status] = row.n;
  return counts;
}
