import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { NOTIFICATION_CHANNELS, ORDER_EVENTS } from '../../domain/order-events';
import { alerts } from './alerts';
import { createdAt, id, ts, updatedAt } from './columns';
import { kaspiStores } from './stores';
import { orders } from './orders';
import { users } from './users';

export const NOTIFICATION_EVENTS = ORDER_EVENTS;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

/** A send log row's life: queued, claimed by the sender, then sent, skipped or failed. */
export const NOTIFICATION_STATUSES = ['pending', 'sending', 'sent', 'skipped', 'failed'] as const;

export const notificationSettings = pgTable('notification_settings', {
  storeId: uuid('store_id')
    .primaryKey()
    .references(() => kaspiStores.id, { onDelete: 'cascade' }),
  whatsappEnabled: boolean('whatsapp_enabled').notNull().default(false),
  wahaSession: text('waha_session'),
  /** WAHA's status of the session when last asked (`WORKING` sends; `SCAN_QR_CODE` waits for the merchant). */
  wahaStatus: text('waha_status'),
  wahaCheckedAt: ts('waha_checked_at'),
  telegramEnabled: boolean('telegram_enabled').notNull().default(false),
  dailyCap: integer('daily_cap').notNull().default(1000),
  minIntervalSeconds: integer('min_interval_seconds').notNull().default(1),
  /** Local hours in Asia/Almaty, e.g. `{from: "09:00", to: "21:00"}`; null sends around the clock. */
  workingHours: jsonb('working_hours')
    .$type<{ from: string; to: string } | null>()
    .default({ from: '09:00', to: '21:00' }),
  /** A review request goes out this long after the order is delivered. */
  reviewDelayHours: integer('review_delay_hours').notNull().default(48),
  updatedAt: updatedAt(),
});

export const notificationTemplates = pgTable(
  'notification_templates',
  {
    id: id(),
    storeId: uuid('store_id')
      .notNull()
      .references(() => kaspiStores.id, { onDelete: 'cascade' }),
    event: text('event', { enum: NOTIFICATION_EVENTS }).notNull(),
    channel: text('channel', { enum: NOTIFICATION_CHANNELS }).notNull(),
    text: text('text').notNull(),
    active: boolean('active').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('notification_templates_store_event_key').on(t.storeId, t.event, t.channel)],
);

/**
 * Every message of a store, queued by the orders poll in the transaction that stored the order and then
 * delivered by the store's sender; `(orderId, event, channel)` is unique so an order event is told once.
 */
export const notificationLog = pgTable(
  'notification_log',
  {
    id: id(),
    storeId: uuid('store_id')
      .notNull()
      .references(() => kaspiStores.id, { onDelete: 'cascade' }),
    orderId: uuid('order_id').references(() => orders.id, { onDelete: 'cascade' }),
    /** An order event, or `test` for a test message. */
    event: text('event').notNull(),
    channel: text('channel', { enum: NOTIFICATION_CHANNELS }).notNull(),
    /** Who it is for, as the merchant may see it: a masked phone or a Telegram chat. */
    recipient: text('recipient').notNull(),
    status: text('status', { enum: NOTIFICATION_STATUSES }).notNull(),
    /** Not before then (a review request waits after delivery; a capped or out-of-hours message waits too). */
    dueAt: ts('due_at').notNull().defaultNow(),
    /** The text as sent. */
    text: text('text'),
    attempts: integer('attempts').notNull().default(0),
    /** When the sender took it; a message stuck here was interrupted mid-send. */
    claimedAt: ts('claimed_at'),
    error: text('error'),
    sentAt: ts('sent_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('notification_log_dedup_key').on(t.orderId, t.event, t.channel),
    index('notification_log_store_idx').on(t.storeId, t.createdAt),
    index('notification_log_queue_idx')
      .on(t.storeId, t.channel, t.dueAt)
      .where(sql`${t.status} in ('pending', 'sending')`),
  ],
);

/** The Telegram chat a user linked to the bot; merchants hear of their stores there, admins of the system. */
export const telegramChats = pgTable('telegram_chats', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  chatId: text('chat_id').notNull(),
  username: text('username'),
  linkedAt: ts('linked_at').notNull().defaultNow(),
});

/** One-time codes a user sends the bot to link a chat; only their SHA-256 is kept. */
export const telegramLinkCodes = pgTable(
  'telegram_link_codes',
  {
    codeHash: text('code_hash').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
    createdAt: createdAt(),
  },
  (t) => [index('telegram_link_codes_user_idx').on(t.userId)],
);

/** Each alert sent to each chat once. */
export const alertDeliveries = pgTable(
  'alert_deliveries',
  {
    alertId: uuid('alert_id')
      .notNull()
      .references(() => alerts.id, { onDelete: 'cascade' }),
    chatId: text('chat_id').notNull(),
    status: text('status', { enum: ['sending', 'sent', 'failed'] }).notNull(),
    error: text('error'),
    sentAt: ts('sent_at'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.alertId, t.chatId] })],
);
