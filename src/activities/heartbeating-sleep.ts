import { heartbeat, sleep } from '@temporalio/activity';

/**
 * Waits inside an activity, heartbeating every second: a read slot or a write token can be further
 * off than the heartbeat timeout. Temporal's sleep ends early when the activity is cancelled.
 */
export async function heartbeatingSleep(ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (let left = ms; left > 0; left = until - Date.now()) {
    await sleep(Math.min(left, 1_000));
    heartbeat();
  }
}
