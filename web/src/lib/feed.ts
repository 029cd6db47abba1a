import type { components } from '../api/schema';

export type LiveDecision = components['schemas']['StoreDecisionEvent'];

/** Decisions the live feed keeps, newest first. */
export const FEED_SIZE = 200;

/** Statuses a decision can still leave; a final one seen on the stream is never taken back. */
const UNSETTLED: ReadonlySet<LiveDecision['status']> = new Set(['pending', 'deferred', 'proposed']);

/**
 * The feed with the server's latest decisions: those it lacks are added in their place by time, and
 * one it shows as still unsettled takes the server's status.
 */
export function mergeDecisions(shown: LiveDecision[], latest: LiveDecision[]): LiveDecision[] {
  const fromServer = new Map(latest.map((d) => [d.id, d]));
  const known = new Set(shown.map((d) => d.id));
  const updated = shown.map((d) => (UNSETTLED.has(d.status) ? (fromServer.get(d.id) ?? d) : d));
  return [...updated, ...latest.filter((d) => !known.has(d.id))]
    .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))
    .slice(0, FEED_SIZE);
}
