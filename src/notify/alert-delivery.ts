import { and, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { alertDeliveries, alerts, telegramChats, users } from '../db/schema';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import { absoluteLink, defaultAlertLink } from './links';
import { MessengerError } from './messenger-http';
import { sendTelegramMessage, type TelegramSettings } from './telegram';

/** Alerts older than this are not sent any more (a chat linked today does not get last month's). */
const ALERT_MAX_AGE_DAYS = 7;
const BATCH = 50;

export interface AlertDeliveryDeps {
  db: Db;
  logger: Logger;
  config: Pick<Config, 'api' | 'temporal'>;
  telegram: TelegramSettings;
  heartbeat?: () => void;
}

/**
 * Sends undelivered alerts to Telegram: administrators' alerts to every administrator's linked chat,
 * a merchant's to theirs. Each (alert, chat) is sent once — its delivery row is written before the
 * send — and an alert is marked delivered once every chat has it. An alert nobody can receive yet
 * (no chat linked) waits, up to a week. Returns how many messages went out.
 */
export async function deliverAlerts(deps: AlertDeliveryDeps): Promise<number> {
  const { db } = deps;
  // Only alerts someone can receive now, so a backlog nobody can receive never hides newer ones.
  const receivable = or(
    and(
      eq(alerts.audience, 'admin'),
      sql`exists (select 1 from ${telegramChats} c join ${users} u on u.id = c.user_id where u.role = 'admin')`,
    ),
    and(eq(alerts.audience, 'user'), sql`exists (select 1 from ${telegramChats} c where c.user_id = ${alerts.userId})`),
  );
  const pending = await db
    .select()
    .from(alerts)
    .where(
      and(
        isNull(alerts.deliveredAt),
        sql`${alerts.createdAt} > now() - make_interval(days => ${ALERT_MAX_AGE_DAYS})`,
        receivable,
      ),
    )
    .orderBy(alerts.createdAt)
    .limit(BATCH);
  if (pending.length === 0) return 0;
  const adminChats = await db
    .select({ chatId: telegramChats.chatId })
    .from(telegramChats)
    .innerJoin(users, eq(users.id, telegramChats.userId))
    .where(eq(users.role, 'admin'));
  const userIds = [...new Set(pending.flatMap((a) => (a.userId ? [a.userId] : [])))];
  const userChats = userIds.length
    ? await db
        .select({ userId: telegramChats.userId, chatId: telegramChats.chatId })
        .from(telegramChats)
        .where(inArray(telegramChats.userId, userIds))
    : [];

  let sent = 0;
  for (const alert of pending) {
    deps.heartbeat?.();
    const chats =
      alert.audience === 'admin'
        ? [...new Set(adminChats.map((c) => c.chatId))]
        : userChats.filter((c) => c.userId === alert.userId).map((c) => c.chatId);
    if (chats.length === 0) continue;
    const link = alert.link ? absoluteLink(deps.config, alert.link) : defaultAlertLink(deps.config, alert.kind);
    const text = `${alert.audience === 'admin' ? '⚠️ ' : ''}${alert.message}\n${link}`;
    for (const chatId of chats) {
      const [claimed] = await db
        .insert(alertDeliveries)
        .values({ alertId: alert.id, chatId, status: 'sending' })
        .onConflictDoNothing()
        .returning({ alertId: alertDeliveries.alertId });
      if (!claimed) continue;
      const mine = and(eq(alertDeliveries.alertId, alert.id), eq(alertDeliveries.chatId, chatId));
      try {
        await sendTelegramMessage(deps.telegram, { chatId, text });
        await db.update(alertDeliveries).set({ status: 'sent', sentAt: new Date() }).where(mine);
        sent++;
      } catch (error) {
        if (!(error instanceof MessengerError)) throw error;
        if (error.kind === 'unavailable' || error.kind === 'rate_limited') {
          // Nothing reached the chat: forget the claim so the next round tries again, and stop this round.
          await db.delete(alertDeliveries).where(mine);
          deps.logger.warn(
            { kind: error.kind, alertId: alert.id },
            'Telegram did not take an alert; trying again later',
          );
          return sent;
        }
        await db.update(alertDeliveries).set({ status: 'failed', error: error.message }).where(mine);
      }
    }
    await db.update(alerts).set({ deliveredAt: new Date() }).where(eq(alerts.id, alert.id));
  }
  return sent;
}
