import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { MessengerError } from '../notify/messenger-http';
import { runTelegramBot, type BotRun } from '../notify/telegram-bot';
import type { ActivityDeps } from './deps';

/** How long one activity runs the bot before handing back to the workflow (which may continue as new). */
const BOT_RUN_SECONDS = 300;

export function createTelegramActivities(deps: ActivityDeps) {
  return {
    /**
     * Runs the bot for a few minutes: link codes in, alerts out. Resumes from the offset of its last
     * heartbeat when retried.
     */
    async runTelegramBot(input: { offset: number | null }): Promise<BotRun> {
      if (!deps.config.telegram.botToken)
        throw ApplicationFailure.nonRetryable('TELEGRAM_BOT_TOKEN is not set', 'TelegramNotConfigured');
      const ctx = Context.current();
      const resumed = ctx.info.heartbeatDetails as number | null | undefined;
      try {
        return await runTelegramBot(
          { ...deps, heartbeat: (offset) => ctx.heartbeat(offset), signal: ctx.cancellationSignal },
          { offset: resumed ?? input.offset, forSeconds: BOT_RUN_SECONDS },
        );
      } catch (error) {
        if (error instanceof MessengerError && error.kind === 'misconfigured') {
          throw ApplicationFailure.nonRetryable(error.message, 'TelegramNotConfigured');
        }
        throw error;
      }
    },
  };
}
