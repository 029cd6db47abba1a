import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { PROXY_POOL_SCHEDULE_ID } from '../workflows/messages';

export const PROXY_POOL_EVERY = '6 hours';

/**
 * Creates the Schedule that runs `proxyPoolWorkflow` every 6 hours, unless it exists already: every
 * worker calls this at start, and the first one wins. Overlapping runs are skipped.
 */
export async function ensureProxyPoolSchedule(
  client: Client,
  options: { taskQueue: string; scheduleId?: string },
): Promise<'created' | 'exists'> {
  const scheduleId = options.scheduleId ?? PROXY_POOL_SCHEDULE_ID;
  try {
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: PROXY_POOL_EVERY }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'proxyPoolWorkflow',
        workflowId: scheduleId,
        taskQueue: options.taskQueue,
        args: [],
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    });
    return 'created';
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) return 'exists';
    throw err;
  }
}
