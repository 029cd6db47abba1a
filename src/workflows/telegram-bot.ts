import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';

const { runTelegramBot } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: {
    initialInterval: '5 seconds',
    maximumInterval: '5 minutes',
    nonRetryableErrorTypes: ['TelegramNotConfigured'],
  },
});

/** Runs continue as new after this many rounds to keep the history short. */
const ROUNDS_PER_RUN = 100;

/**
 * The service's Telegram bot (`telegram-bot`, one for the whole system, started by the workers when
 * `TELEGRAM_BOT_TOKEN` is set): an endless loop of activities that each run the bot for a few minutes
 * — chats linked by code, alerts delivered — carrying only the update offset.
 */
export async function telegramBotWorkflow(input: { offset: number | null } = { offset: null }): Promise<void> {
  let offset = input.offset;
  for (let round = 0; round < ROUNDS_PER_RUN && !workflowInfo().continueAsNewSuggested; round++) {
    offset = (await runTelegramBot({ offset })).offset;
  }
  await continueAsNew<typeof telegramBotWorkflow>({ offset });
}
