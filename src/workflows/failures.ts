import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

/**
 * What went wrong in an activity, as a workflow reports it: the failure the activity threw (its type
 * when it is an application failure, e.g. `KaspiSessionExpired`) rather than Temporal's wrapper.
 */
export function failureOf(error: unknown): { type: string; message: string } {
  const cause = error instanceof ActivityFailure && error.cause ? error.cause : error;
  return {
    type: cause instanceof ApplicationFailure ? (cause.type ?? 'Error') : 'Error',
    message: cause instanceof Error ? cause.message : String(cause),
  };
}
