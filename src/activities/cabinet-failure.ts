import { ApplicationFailure } from '@temporalio/common';
import { isKaspiError, KASPI_FAILURE_TYPES, toApplicationFailure } from '../kaspi';
import { StoreSessionMissingError } from '../stores/relogin';

/**
 * What an activity throws for an error of a cabinet call made with the store's session: Kaspi's
 * errors as typed failures (a missing session like a refused one, which no retry mends); anything
 * else as it is.
 */
export function cabinetFailure(error: unknown): unknown {
  if (error instanceof StoreSessionMissingError) {
    return ApplicationFailure.create({
      message: 'the store has no Kaspi session',
      type: KASPI_FAILURE_TYPES.session_expired,
      nonRetryable: true,
    });
  }
  return isKaspiError(error) ? toApplicationFailure(error) : error;
}
