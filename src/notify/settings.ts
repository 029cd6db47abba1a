import { eq } from 'drizzle-orm';
import type { Db } from '../db';
import { notificationSettings, notificationTemplates } from '../db/schema';
import type { WorkingHours } from '../domain/check-schedule';
import { templatesWithDefaults } from '../domain/message-templates';
import type { NotificationChannel, OrderEvent } from '../domain/order-events';
import type { Config } from '../lib/config';
import type { MessageSettings } from '../orders/store-orders';

export interface StoreTemplate {
  event: OrderEvent;
  channel: NotificationChannel;
  text: string;
  active: boolean;
}

/** A store's notification settings with every default filled in (a store that never set any has none stored). */
export interface StoreNotificationSettings {
  whatsappEnabled: boolean;
  telegramEnabled: boolean;
  dailyCap: number;
  minIntervalSeconds: number;
  workingHours: WorkingHours | null;
  reviewDelayHours: number;
  wahaSession: string | null;
  wahaStatus: string | null;
  wahaCheckedAt: Date | null;
  templates: StoreTemplate[];
}

export const NOTIFICATION_DEFAULTS = {
  whatsappEnabled: false,
  telegramEnabled: false,
  dailyCap: 1000,
  minIntervalSeconds: 1,
  workingHours: { from: '09:00', to: '21:00' },
  reviewDelayHours: 48,
} as const;

export async function readNotificationSettings(db: Db, storeId: string): Promise<StoreNotificationSettings> {
  const [row] = await db.select().from(notificationSettings).where(eq(notificationSettings.storeId, storeId));
  const own = await db
    .select({
      event: notificationTemplates.event,
      channel: notificationTemplates.channel,
      text: notificationTemplates.text,
      active: notificationTemplates.active,
    })
    .from(notificationTemplates)
    .where(eq(notificationTemplates.storeId, storeId));
  return {
    whatsappEnabled: row?.whatsappEnabled ?? NOTIFICATION_DEFAULTS.whatsappEnabled,
    telegramEnabled: row?.telegramEnabled ?? NOTIFICATION_DEFAULTS.telegramEnabled,
    dailyCap: row?.dailyCap ?? NOTIFICATION_DEFAULTS.dailyCap,
    minIntervalSeconds: row?.minIntervalSeconds ?? NOTIFICATION_DEFAULTS.minIntervalSeconds,
    workingHours: row ? row.workingHours : { ...NOTIFICATION_DEFAULTS.workingHours },
    reviewDelayHours: row?.reviewDelayHours ?? NOTIFICATION_DEFAULTS.reviewDelayHours,
    wahaSession: row?.wahaSession ?? null,
    wahaStatus: row?.wahaStatus ?? null,
    wahaCheckedAt: row?.wahaCheckedAt ?? null,
    templates: templatesWithDefaults(own),
  };
}

/** What a merchant sets; `templates` are the ones to set, the others keep what they have. */
export type NotificationSettingsInput = Omit<StoreNotificationSettings, 'wahaSession' | 'wahaStatus' | 'wahaCheckedAt'>;

/** Writes a store's settings and the templates given, in one transaction. */
export async function writeNotificationSettings(
  db: Db,
  storeId: string,
  input: NotificationSettingsInput,
): Promise<void> {
  const values = {
    whatsappEnabled: input.whatsappEnabled,
    telegramEnabled: input.telegramEnabled,
    dailyCap: input.dailyCap,
    minIntervalSeconds: input.minIntervalSeconds,
    workingHours: input.workingHours,
    reviewDelayHours: input.reviewDelayHours,
  };
  await db.transaction(async (tx) => {
    await tx
      .insert(notificationSettings)
      .values({ storeId, ...values })
      .onConflictDoUpdate({ target: notificationSettings.storeId, set: { ...values, updatedAt: new Date() } });
    for (const t of input.templates) {
      await tx
        .insert(notificationTemplates)
        .values({ storeId, event: t.event, channel: t.channel, text: t.text, active: t.active })
        .onConflictDoUpdate({
          target: [notificationTemplates.storeId, notificationTemplates.event, notificationTemplates.channel],
          set: { text: t.text, active: t.active, updatedAt: new Date() },
        });
    }
  });
}

/** Records what WAHA said about the store's session. */
export async function saveWahaSession(
  db: Db,
  storeId: string,
  session: { name: string; status: string },
): Promise<void> {
  const values = { wahaSession: session.name, wahaStatus: session.status, wahaCheckedAt: new Date() };
  await db
    .insert(notificationSettings)
    .values({ storeId, ...values })
    .onConflictDoUpdate({ target: notificationSettings.storeId, set: values });
}

/** Which channels can carry this store's messages on this server, and which templates are on. */
export async function loadMessageSettings(
  db: Db,
  config: Pick<Config, 'waha' | 'telegram'>,
  storeId: string,
): Promise<MessageSettings> {
  const settings = await readNotificationSettings(db, storeId);
  return {
    channels: {
      whatsapp: settings.whatsappEnabled && config.waha.url !== undefined,
      telegram: settings.telegramEnabled && config.telegram.botToken !== undefined,
    },
    activeTemplates: new Set(settings.templates.filter((t) => t.active).map((t) => `${t.event}:${t.channel}`)),
    reviewDelayHours: settings.reviewDelayHours,
  };
}
