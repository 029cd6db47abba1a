import { Context, sleep } from '@temporalio/activity';

const HEARTBEAT_EVERY_MS = 1_000;
const lastHeartbeatAt = new WeakMap<Context, number>();

/**
 * Heartbeats the current activity, at most once a second. The SDK encodes (and our codec encrypts)
 * every heartbeat before it throttles them, and a check batch passes here once per read.
 */
export function pacedHeartbeat(details?: unknown): void {
  const ctx = Context.current();
  const now = Date.now();
  if (now - (lastHeartbeatAt.get(ctx) ?? 0) < HEARTBEAT_EVERY_MS) return;
  lastHeartbeatAt.set(ctx, now);
  ctx.heartbeat(details);
}

/**
 * Waits inside an activity, heartbeating every second: a read slot or a write token can be further
 * off than the heartbeat timeout. Temporal's sleep ends early when the activity is cancelled.
 */
export async function heartbeatingSleep(ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (let left = ms; left > 0; left = until - Date.now()) {
    await sleep(Math.min(left, HEARTBEAT_EVERY_MS));
    pacedHeartbeat();
  }
}
