import { boolean, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, ts, updatedAt } from './columns';
import { kaspiStores } from './stores';
import { orders } from './orders';

export const NOTIFICATION_EVENTS = ['new_order', 'ready_for_pickup', 'delivered', 'review_request'] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

export const notificationSettings = pgTable('notification_settings', {
  storeId: uuid('store_id')
    .primaryKey()
    .references(() => kaspiStores.id, { onDelete: 'cascade' }),
  whatsappEnabled: boolean('whatsapp_enabled').notNull().default(false),
  wahaSession: text('waha_session'),
  telegramEnabled: boolean('telegram_enabled').notNull().default(false),
  dailyCap: integer('daily_cap').notNull().default(1000),
  minIntervalSeconds: integer('min_interval_seconds').notNull().default(1),
  /** Local hours in Asia/Almaty, e.g. `{from: "09:00", to: "21:00"}`. */
  workingHours: jsonb('working_hours').$type<{ from: string; to: string } | null>().default(null),
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
    channel: text('channel', { enum: ['whatsapp', 'telegram'] }).notNull(),
    text: text('text').notNull(),
    active: boolean('active').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('notification_templates_store_event_key').on(t.storeId, t.event, t.channel)],
);

/** Every send attempt; `(orderId, event, channel)` is unique so an order event is told once. */
export const notificationLog = pgTable(
  'notification_log',
  {
    id: id(),
    storeId: uuid('store_id')
      .notNull()
      .references(() => kaspiStores.id, { onDelete: 'cascade' }),
    orderId: uuid('order_id').references(() => orders.id, { onDelete: 'cascade' }),
    event: text('event').notNull(),
    channel: text('channel', { enum: ['whatsapp', 'telegram'] }).notNull(),
    recipient: text('recipient').notNull(),
    status: text('status', { enum: ['pending', 'sent', 'skipped', 'failed'] }).notNull(),
    error: text('error'),
    sentAt: ts('sent_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('notification_log_dedup_key').on(t.orderId, t.event, t.channel),
    index('notification_log_store_idx').on(t.storeId, t.createdAt),
  ],
);
