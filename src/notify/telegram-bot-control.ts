import type { Client } from '@temporalio/client';
import type { Config } from '../lib/config';
import { TELEGRAM_BOT_WORKFLOW_ID } from '../workflows/messages';
import type { telegramBotWorkflow } from '../workflows';

/** Starts the bot's workflow unless it runs; does nothing without `TELEGRAM_BOT_TOKEN`. */
export async function ensureTelegramBot(
  temporal: Client,
  config: Pick<Config, 'temporal' | 'telegram'>,
): Promise<boolean> {
  if (!config.telegram.botToken) return false;
  await temporal.workflow.start<typeof telegramBotWorkflow>('telegramBotWorkflow', {
    taskQueue: config.temporal.taskQueue,
    workflowId: TELEGRAM_BOT_WORKFLOW_ID,
    workflowIdConflictPolicy: 'USE_EXISTING',
    args: [{ offset: null }],
  });
  return true;
}
