import type { Db } from '../../src/db';
import { telegramChats } from '../../src/db/schema';
import { writeNotificationSettings } from '../../src/notify/settings';
import { kaspiUrlsEnv, type SandboxHandle } from '../../sandbox';

/** Settings that point the service at a sandbox's Kaspi, WAHA and Telegram, with reads unthrottled. */
export function messagingEnv(sandbox: SandboxHandle): Record<string, string> {
  return {
    ...kaspiUrlsEnv(sandbox.urls),
    KASPI_TIMEOUT_MS: '5000',
    WAHA_URL: sandbox.waha.url,
    WAHA_API_KEY: sandbox.waha.apiKey,
    TELEGRAM_API_URL: sandbox.telegram.url,
    TELEGRAM_BOT_TOKEN: sandbox.telegram.botToken,
    TELEGRAM_BOT_USERNAME: sandbox.telegram.botUsername,
    TELEGRAM_POLL_INTERVAL_SECONDS: '0.2',
    // Users without proxies read directly at this pace; the sandbox has no limits in these tests.
    ORDERS_DIRECT_READS_PER_SECOND: '10000',
  };
}

/** Every channel on around the clock, no pause between messages. */
export async function notifyEverything(
  db: Db,
  storeId: string,
  overrides: Partial<Parameters<typeof writeNotificationSettings>[2]> = {},
) {
  await writeNotificationSettings(db, storeId, {
    whatsappEnabled: true,
    telegramEnabled: true,
    dailyCap: 10_000,
    minIntervalSeconds: 0,
    workingHours: null,
    reviewDelayHours: 48,
    templates: [],
    ...overrides,
  });
}

/** A WhatsApp session the merchant has connected (QR code scanned) and a Telegram chat linked to the user. */
export async function connectMessengers(
  db: Db,
  sandbox: SandboxHandle,
  params: { storeId: string; userId: string; chatId: string },
) {
  const session = `kaspi-store-${params.storeId}`;
  await fetch(`${sandbox.waha.url}/api/sessions/start`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': sandbox.waha.apiKey },
    body: JSON.stringify({ name: session }),
  });
  sandbox.waha.state.authorize(session);
  sandbox.telegram.state.userWrites(params.chatId, '/start');
  await db
    .insert(telegramChats)
    .values({ userId: params.userId, chatId: params.chatId })
    .onConflictDoUpdate({ target: telegramChats.userId, set: { chatId: params.chatId } });
}
