import { setTimeout as sleep } from 'node:timers/promises';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { kaspiStores, notificationLog, orders, telegramChats } from '../db/schema';
import { openFrom } from '../db/sealed-columns';
import { orderTemplateValues, renderTemplate } from '../domain/message-templates';
import { decideSend, startOfAlmatyDay, type SendRules } from '../domain/notification-rules';
import { NOTIFICATION_CHANNELS, type NotificationChannel } from '../domain/order-events';
import type { Config } from '../lib/config';
import type { Keyring } from '../lib/crypto';
import type { Logger } from '../lib/logger';
import { MessengerError } from './messenger-http';
import { readNotificationSettings, saveWahaSession, type StoreNotificationSettings } from './settings';
import { sendTelegramMessage } from './telegram';
import { getWahaSession, sendWhatsAppText, wahaSessionName, whatsappChatId } from './waha';

export interface SenderDeps {
  db: Db;
  keyring: Keyring;
  logger: Logger;
  config: Pick<Config, 'waha' | 'telegram' | 'notify' | 'api'>;
  heartbeat?: () => void;
  nowMs?: () => number;
}

export interface DeliveryReport {
  sent: number;
  skipped: number;
  failed: number;
  /** When a waiting message may go next (working hours, cap, pacing, a later review request); null: nothing waits. */
  nextAttemptAtMs: number | null;
}

/** A failed send is tried this many times in all. */
const MAX_ATTEMPTS = 3;
const RETRY_BACKOFF_MS = [30_000, 120_000];
/** A disconnected WhatsApp needs the merchant to scan a QR code: look again this much later. */
const NOT_READY_RETRY_MS = 10 * 60_000;
/** How long one call waits for a paced slot before handing back to the loop. */
const MAX_PACING_WAIT_MS = 15_000;
/** One call sends for at most this long, so the loop gets back to polling. */
const WORK_BUDGET_MS = 60_000;

type Claimed = { id: string; orderId: string | null; event: string; recipient: string; attempts: number };

type Step =
  | { kind: 'none'; nextDueAtMs: number | null }
  | { kind: 'wait'; untilMs: number; pacing: boolean }
  | { kind: 'skipped' }
  | { kind: 'claimed'; row: Claimed };

/**
 * The store's sender: takes the store's due messages one at a time per channel and sends them within
 * the store's rules (`decideSend`: daily cap, pacing, working hours, expiry). A message is claimed
 * (`sending`) in a transaction that holds the channel's lock and counts what was sent, so two senders
 * never break the pacing or the cap together; it is sent after the claim commits and marked after the
 * send. A message found still `sending` long after its claim was interrupted mid-send: it is marked
 * failed rather than sent again, so nobody gets it twice.
 */
export async function deliverStoreMessages(deps: SenderDeps, storeId: string): Promise<DeliveryReport> {
  const { db, config } = deps;
  const now = () => (deps.nowMs ?? Date.now)();
  const startedMs = now();
  const report: DeliveryReport = { sent: 0, skipped: 0, failed: 0, nextAttemptAtMs: null };
  const later = (atMs: number) => {
    report.nextAttemptAtMs = report.nextAttemptAtMs === null ? atMs : Math.min(report.nextAttemptAtMs, atMs);
  };

  const [store] = await db
    .select({ name: kaspiStores.name, userId: kaspiStores.userId })
    .from(kaspiStores)
    .where(eq(kaspiStores.id, storeId));
  if (!store) return report;
  const settings = await readNotificationSettings(db, storeId);
  const rules: SendRules = {
    dailyCap: settings.dailyCap,
    minIntervalSeconds: settings.minIntervalSeconds,
    workingHours: settings.workingHours,
    maxDelayHours: config.notify.maxDelayHours,
  };
  const waha = { url: config.waha.url ?? '', apiKey: config.waha.apiKey, timeoutMs: config.notify.sendTimeoutMs };
  const wahaSession = settings.wahaSession ?? wahaSessionName(storeId);
  const staleMs = Math.max(60_000, config.notify.sendTimeoutMs * 3);
  await db.execute(sql`
    update notification_log set status = 'failed', error = 'interrupted while sending; not sent again so that nobody gets it twice'
    where store_id = ${storeId} and status = 'sending' and claimed_at < now() - make_interval(secs => ${staleMs / 1000})`);

  for (const channel of NOTIFICATION_CHANNELS) {
    const unusable = channelProblem(channel, settings);
    for (;;) {
      deps.heartbeat?.();
      if (now() - startedMs > WORK_BUDGET_MS) {
        later(now());
        break;
      }
      const step = await nextMessage(channel, unusable);
      if (step.kind === 'none') {
        if (step.nextDueAtMs !== null) later(step.nextDueAtMs);
        break;
      }
      if (step.kind === 'skipped') {
        report.skipped++;
        continue;
      }
      if (step.kind === 'wait') {
        const waitMs = step.untilMs - now();
        if (step.pacing && waitMs <= MAX_PACING_WAIT_MS) {
          await sleep(Math.max(0, waitMs));
          continue;
        }
        later(step.untilMs);
        break;
      }
      const outcome = await send(channel, step.row);
      if (outcome === 'sent') report.sent++;
      else if (outcome === 'skipped') report.skipped++;
      else if (outcome === 'failed') report.failed++;
      else {
        later(outcome.retryAtMs);
        break;
      }
    }
  }
  return report;

  /** Why nothing can go out on a channel at all (the store's messages on it are skipped), or null. */
  function channelProblem(channel: NotificationChannel, s: StoreNotificationSettings): string | null {
    if (channel === 'whatsapp') {
      if (!s.whatsappEnabled) return 'WhatsApp messages are off for the store';
      if (!config.waha.url) return 'WhatsApp (WAHA) is not set up on this server';
    } else {
      if (!s.telegramEnabled) return 'Telegram messages are off for the store';
      if (!config.telegram.botToken) return 'Telegram is not set up on this server';
    }
    return null;
  }

  async function nextMessage(channel: NotificationChannel, unusable: string | null): Promise<Step> {
    return db.transaction(async (tx): Promise<Step> => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`notify:${storeId}:${channel}`}))`);
      const nowMs = now();
      const due = await tx.execute<{
        id: string;
        order_id: string | null;
        event: string;
        recipient: string;
        due_at: string;
        attempts: number;
      }>(sql`
        select id, order_id, event, recipient, due_at::text as due_at, attempts from notification_log
        where store_id = ${storeId} and channel = ${channel} and status = 'pending' and due_at <= to_timestamp(${nowMs}::double precision / 1000)
        order by due_at, created_at, id
        limit 1
        for update skip locked`);
      const row = due.rows[0];
      if (!row) {
        const next = await tx.execute<{ at: string | null }>(sql`
          select min(due_at)::text as at from notification_log
          where store_id = ${storeId} and channel = ${channel} and status = 'pending'`);
        const at = next.rows[0]?.at;
        return { kind: 'none', nextDueAtMs: at ? Date.parse(at) : null };
      }
      const skip = async (reason: string): Promise<Step> => {
        await tx
          .update(notificationLog)
          .set({ status: 'skipped', error: reason })
          .where(eq(notificationLog.id, row.id));
        return { kind: 'skipped' };
      };
      const template = settings.templates.find((t) => t.channel === channel && t.event === row.event);
      if (unusable) return skip(unusable);
      if (!template?.active) return skip(`the ${row.event} template is off`);

      const ledger = await tx.execute<{ sent_today: number; last_at: string | null }>(sql`
        select count(*) filter (where coalesce(sent_at, claimed_at) >= ${startOfAlmatyDay(new Date(nowMs)).toISOString()}::timestamptz)::int as sent_today,
               max(coalesce(sent_at, claimed_at))::text as last_at
        from notification_log
        where store_id = ${storeId} and channel = ${channel} and status in ('sent', 'sending') and event <> 'test'`);
      const { sent_today: sentToday, last_at: lastAt } = ledger.rows[0]!;
      const decision = decideSend({
        nowMs,
        dueAtMs: Date.parse(row.due_at),
        rules,
        ledger: { sentToday, lastSentAtMs: lastAt ? Date.parse(lastAt) : null },
      });
      if (decision.action === 'skip')
        return skip('not sent in time (working hours, daily cap or a disconnected channel held it too long)');
      if (decision.action === 'wait')
        return { kind: 'wait', untilMs: decision.untilMs, pacing: decision.reason === 'pacing' };
      await tx
        .update(notificationLog)
        .set({ status: 'sending', claimedAt: new Date(nowMs), attempts: row.attempts + 1 })
        .where(eq(notificationLog.id, row.id));
      return {
        kind: 'claimed',
        row: {
          id: row.id,
          orderId: row.order_id,
          event: row.event,
          recipient: row.recipient,
          attempts: row.attempts + 1,
        },
      };
    });
  }

  async function send(
    channel: NotificationChannel,
    row: Claimed,
  ): Promise<'sent' | 'skipped' | 'failed' | { retryAtMs: number }> {
    const finish = (values: Partial<typeof notificationLog.$inferInsert>) =>
      db
        .update(notificationLog)
        .set(values)
        .where(and(eq(notificationLog.id, row.id), eq(notificationLog.status, 'sending')));
    const [order] = row.orderId ? await db.select().from(orders).where(eq(orders.id, row.orderId)) : [];
    if (!order) {
      await finish({ status: 'skipped', error: 'the order is gone' });
      return 'skipped';
    }
    const template = settings.templates.find((t) => t.channel === channel && t.event === row.event)!;
    let text = renderTemplate(template.text, orderTemplateValues(order, store!.name));
    let recipient = row.recipient;
    let deliver: () => Promise<unknown>;
    if (channel === 'whatsapp') {
      const phone = order.customerPhoneEnc
        ? openFrom(deps.keyring, 'orderCustomerPhone', order.id, order.customerPhoneEnc)
        : null;
      const chatId = whatsappChatId(phone);
      if (!chatId) {
        await finish({ status: 'skipped', error: 'the customer has no WhatsApp-able phone' });
        return 'skipped';
      }
      deliver = () => sendWhatsAppText(waha, { session: wahaSession, chatId, text });
    } else {
      const [chat] = await db
        .select({ chatId: telegramChats.chatId })
        .from(telegramChats)
        .where(eq(telegramChats.userId, store!.userId));
      if (!chat) {
        await finish({ status: 'skipped', error: 'the store owner has not linked a Telegram chat' });
        return 'skipped';
      }
      recipient = `telegram:${chat.chatId}`;
      // The merchant opens the order's page in the web cabinet (served at the API's address).
      text = `${text}\n${config.api.publicUrl}/orders/${order.id}`;
      deliver = () =>
        sendTelegramMessage(
          {
            apiUrl: config.telegram.apiUrl,
            botToken: config.telegram.botToken!,
            timeoutMs: config.notify.sendTimeoutMs,
          },
          { chatId: chat.chatId, text },
        );
    }
    try {
      await deliver();
    } catch (error) {
      if (!(error instanceof MessengerError)) throw error;
      deps.logger.warn(
        { storeId, channel, event: row.event, kind: error.kind, status: error.status },
        'message not sent',
      );
      if (error.kind === 'not_ready') {
        // The merchant must reconnect WhatsApp; the message waits (and expires if that takes too long).
        const session = await getWahaSession(waha, wahaSession).catch(() => null);
        await saveWahaSession(db, storeId, { name: wahaSession, status: session?.status ?? 'STOPPED' });
        await finish({ status: 'pending', attempts: row.attempts - 1, error: error.message });
        return { retryAtMs: now() + NOT_READY_RETRY_MS };
      }
      if ((error.kind === 'unavailable' || error.kind === 'rate_limited') && row.attempts < MAX_ATTEMPTS) {
        const retryAtMs =
          now() + Math.max(error.retryAfterMs ?? 0, RETRY_BACKOFF_MS[row.attempts - 1] ?? RETRY_BACKOFF_MS[1]!);
        await finish({ status: 'pending', dueAt: new Date(retryAtMs), error: error.message });
        return { retryAtMs };
      }
      await finish({ status: 'failed', error: error.message, text });
      return 'failed';
    }
    await finish({ status: 'sent', sentAt: new Date(), text, recipient });
    deps.logger.info({ storeId, channel, event: row.event, orderId: order.id }, 'message sent');
    return 'sent';
  }
}
