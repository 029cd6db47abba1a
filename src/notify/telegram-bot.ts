import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../db';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import { deliverAlerts } from './alert-delivery';
import { MessengerError } from './messenger-http';
import { getTelegramUpdates, sendTelegramMessage, type TelegramSettings, type TelegramUpdate } from './telegram';
import { codeInMessage, linkChat } from './telegram-links';

export interface BotDeps {
  db: Db;
  logger: Logger;
  config: Pick<Config, 'api' | 'temporal' | 'telegram' | 'notify'>;
  heartbeat: (offset: number | null) => void;
  /** Lets the caller stop the loop early (activity cancellation). */
  signal?: AbortSignal;
}

export interface BotRun {
  /** The next update to ask for; everything before it is handled. */
  offset: number | null;
  linked: number;
  alertsSent: number;
}

export function telegramSettings(config: Pick<Config, 'telegram' | 'notify'>): TelegramSettings {
  return {
    apiUrl: config.telegram.apiUrl,
    botToken: config.telegram.botToken!,
    timeoutMs: config.notify.sendTimeoutMs,
  };
}

/**
 * The bot's work for `forSeconds`: reads what users send it (link codes) and delivers alerts, every
 * `TELEGRAM_POLL_INTERVAL_SECONDS`. Updates are confirmed through the offset, which the caller keeps:
 * an update handled twice after a crash finds its code already used and only repeats the reply.
 */
export async function runTelegramBot(
  deps: BotDeps,
  params: { offset: number | null; forSeconds: number },
): Promise<BotRun> {
  const telegram = telegramSettings(deps.config);
  const run: BotRun = { offset: params.offset, linked: 0, alertsSent: 0 };
  const endMs = Date.now() + params.forSeconds * 1000;
  while (Date.now() < endMs && !deps.signal?.aborted) {
    try {
      for (const update of await getTelegramUpdates(telegram, { offset: run.offset, timeoutSeconds: 0 })) {
        if (await handle(update)) run.linked++;
        run.offset = update.update_id + 1;
        deps.heartbeat(run.offset);
      }
      run.alertsSent += await deliverAlerts({
        db: deps.db,
        logger: deps.logger,
        config: deps.config,
        telegram,
        heartbeat: () => deps.heartbeat(run.offset),
      });
    } catch (error) {
      if (!(error instanceof MessengerError) || error.kind === 'misconfigured') throw error;
      deps.logger.warn({ kind: error.kind }, 'Telegram did not answer; trying again');
    }
    deps.heartbeat(run.offset);
    await sleep(deps.config.telegram.pollIntervalSeconds * 1000, undefined, { signal: deps.signal }).catch(
      () => undefined,
    );
  }
  return run;

  async function handle(update: TelegramUpdate): Promise<boolean> {
    const message = update.message;
    if (!message?.text) return false;
    const code = codeInMessage(message.text);
    const email = code
      ? await linkChat(deps.db, { code, chatId: message.chat.id, username: message.from?.username })
      : undefined;
    const reply = email
      ? `Чат привязан к аккаунту ${email} в Kaspi Demper. Сюда будут приходить новые заказы и уведомления.`
      : 'Отправьте код привязки из Kaspi Demper (POST /api/v1/telegram/link-codes). Код действует 15 минут и только один раз.';
    try {
      await sendTelegramMessage(telegram, { chatId: message.chat.id, text: reply });
    } catch (error) {
      if (!(error instanceof MessengerError) || error.kind === 'misconfigured') throw error;
      deps.logger.warn({ kind: error.kind }, 'could not answer a Telegram user');
    }
    if (email) deps.logger.info({ chat: 'linked' }, 'Telegram chat linked');
    return email !== undefined;
  }
}
