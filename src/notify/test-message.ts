import { eq } from 'drizzle-orm';
import type { Db } from '../db';
import { notificationLog, telegramChats } from '../db/schema';
import { renderTemplate, sampleValues } from '../domain/message-templates';
import type { NotificationChannel, OrderEvent } from '../domain/order-events';
import type { Config } from '../lib/config';
import { maskPhone, kazakhPhoneDigits } from '../logins/phone';
import { MessengerError } from './messenger-http';
import { readNotificationSettings } from './settings';
import { sendTelegramMessage } from './telegram';
import { sendWhatsAppText, wahaSessionName, whatsappChatId } from './waha';

export interface TestMessage {
  channel: NotificationChannel;
  /** WhatsApp: the number to send to. Telegram goes to the store owner's linked chat. */
  phone?: string;
  /** The template to try (default `new_order`), unless `text` is given. */
  event: OrderEvent;
  text?: string;
}

/** Why a test message could not be sent: `field` names the input at fault, if one is. */
export class TestMessageRefused extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/**
 * Sends one message now, outside the store's working hours, caps and pacing (the merchant asked for
 * it), and records it in the send log as `test`. Messenger failures come back as `MessengerError`.
 */
export async function sendTestMessage(
  deps: { db: Db; config: Pick<Config, 'waha' | 'telegram' | 'notify'> },
  store: { id: string; name: string; userId: string },
  message: TestMessage,
): Promise<{ recipient: string; text: string }> {
  const { db, config } = deps;
  const settings = await readNotificationSettings(db, store.id);
  const template = settings.templates.find((t) => t.channel === message.channel && t.event === message.event)!;
  const text = renderTemplate(message.text ?? template.text, sampleValues(store.name, new Date()));
  let recipient: string;
  let send: () => Promise<unknown>;
  if (message.channel === 'whatsapp') {
    if (!config.waha.url) throw new TestMessageRefused('WhatsApp (WAHA) is not set up on this server.');
    const chatId = whatsappChatId(message.phone);
    if (!chatId)
      throw new TestMessageRefused('must be a Kazakhstan mobile number, e.g. +7 701 123 45 67', 'body.phone');
    recipient = maskPhone(kazakhPhoneDigits(message.phone!)!);
    const session = settings.wahaSession ?? wahaSessionName(store.id);
    send = () =>
      sendWhatsAppText(
        { url: config.waha.url!, apiKey: config.waha.apiKey, timeoutMs: config.notify.sendTimeoutMs },
        { session, chatId, text },
      );
  } else {
    if (!config.telegram.botToken) throw new TestMessageRefused('Telegram is not set up on this server.');
    const [chat] = await db
      .select({ chatId: telegramChats.chatId })
      .from(telegramChats)
      .where(eq(telegramChats.userId, store.userId));
    if (!chat) throw new TestMessageRefused('Link a Telegram chat first (POST /api/v1/telegram/link-codes).');
    recipient = `telegram:${chat.chatId}`;
    send = () =>
      sendTelegramMessage(
        { apiUrl: config.telegram.apiUrl, botToken: config.telegram.botToken!, timeoutMs: config.notify.sendTimeoutMs },
        { chatId: chat.chatId, text },
      );
  }
  const log = (status: 'sent' | 'failed', error?: string) =>
    db.insert(notificationLog).values({
      storeId: store.id,
      event: 'test',
      channel: message.channel,
      recipient,
      status,
      text,
      attempts: 1,
      error: error ?? null,
      sentAt: status === 'sent' ? new Date() : null,
    });
  try {
    await send();
  } catch (error) {
    if (error instanceof MessengerError) await log('failed', error.message);
    throw error;
  }
  await log('sent');
  return { recipient, text };
}
