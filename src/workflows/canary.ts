import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

const { checkDatabase } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3 },
});

export interface CanaryResult {
  workflowTime: string;
  database: Awaited<ReturnType<Activities['checkDatabase']>>;
}

/**
 * An end-to-end probe an operator can start from the Temporal UI or CLI: it proves that a worker
 * picks up workflow and activity tasks and that the worker reaches PostgreSQL.
 */
export async function canaryWorkflow(): Promise<CanaryResult> {
  const database = await checkDatabase();
  return { workflowTime: new Date().toISOString(), database };
}
