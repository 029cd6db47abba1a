import { Context } from '@temporalio/activity';

/**
 * Runs `work` inside the current activity, heartbeating every second until it settles. The
 * heartbeats say only that the worker process is alive: with a heartbeat timeout on the activity, a
 * worker that died (a SIGKILL, a lost machine) is noticed within that timeout and the activity runs
 * again elsewhere, instead of after its whole start-to-close timeout. The SDK batches the heartbeats.
 */
export async function whileHeartbeating<T>(work: () => Promise<T>): Promise<T> {
  const ctx = Context.current();
  ctx.heartbeat();
  const timer = setInterval(() => ctx.heartbeat(), 1_000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
