import { CancelledFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { Db } from '../db';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import { recordAlert } from './alerts';
import { workflowLink } from './links';

/**
 * Tells the administrators when an activity keeps failing: the attempt that reaches
 * `NOTIFY_WORKER_ERROR_ATTEMPTS` records one alert, linked to the workflow in the Temporal UI. Earlier
 * failures are ordinary retries; later ones were already reported.
 */
export function workerErrorAlerts(deps: {
  db: Db;
  logger: Logger;
  config: Pick<Config, 'temporal' | 'notify'>;
}): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        try {
          return await next(input);
        } catch (error) {
          const info = ctx.info;
          const workflowId = info.workflowExecution?.workflowId;
          if (
            workflowId &&
            info.attempt === deps.config.notify.workerErrorAttempts &&
            !(error instanceof CancelledFailure)
          ) {
            await recordAlert(deps.db, deps.logger, {
              audience: 'admin',
              kind: 'worker_errors',
              message:
                `${info.activityType} of ${workflowId} failed ${info.attempt} times in a row: ${(error as Error).message}`.slice(
                  0,
                  1000,
                ),
              link: workflowLink(deps.config, workflowId),
            }).catch((alertError: unknown) =>
              deps.logger.error({ err: alertError }, 'could not record a worker error alert'),
            );
          }
          throw error;
        }
      },
    },
  });
}
