import type { Client } from '@temporalio/client';

/**
 * RELIABILITY.md §2.3(4): of the workflows `ids` (latest runs), those stuck — running with neither a
 * pending activity nor a timer of their own that will wake them. Every other workflow is closed or
 * has something that moves it on.
 */
export async function stuckWorkflows(client: Client, ids: string[]): Promise<string[]> {
  const stuck: string[] = [];
  for (const id of ids) {
    const handle = client.workflow.getHandle(id);
    const description = await handle.describe();
    if (description.status.name !== 'RUNNING') continue;
    if ((description.raw.pendingActivities ?? []).length > 0) continue;
    if ((await openTimers(client, id)) > 0) continue;
    stuck.push(id);
  }
  return stuck;
}

/** Timers started in the workflow's latest run that have neither fired nor been cancelled. */
export async function openTimers(client: Client, id: string): Promise<number> {
  const { events } = await client.workflow.getHandle(id).fetchHistory();
  const open = new Set<string>();
  for (const event of events ?? []) {
    if (event.timerStartedEventAttributes) open.add(event.timerStartedEventAttributes.timerId!);
    if (event.timerFiredEventAttributes) open.delete(event.timerFiredEventAttributes.timerId!);
    if (event.timerCanceledEventAttributes) open.delete(event.timerCanceledEventAttributes.timerId!);
  }
  return open.size;
}

/** The activities of the workflow's latest run that ran more than once, with why the attempt before failed. */
export async function retriedActivities(
  client: Client,
  id: string,
): Promise<{ type: string; attempt: number; lastFailure: string }[]> {
  const { events } = await client.workflow.getHandle(id).fetchHistory();
  const typeOf = new Map<string, string>();
  const retried: { type: string; attempt: number; lastFailure: string }[] = [];
  for (const event of events ?? []) {
    if (event.activityTaskScheduledEventAttributes) {
      typeOf.set(String(event.eventId), event.activityTaskScheduledEventAttributes.activityType?.name ?? '');
    }
    const started = event.activityTaskStartedEventAttributes;
    if (started && (started.attempt ?? 1) > 1) {
      retried.push({
        type: typeOf.get(String(started.scheduledEventId)) ?? '',
        attempt: started.attempt!,
        lastFailure: started.lastFailure?.message ?? '',
      });
    }
  }
  return retried;
}
