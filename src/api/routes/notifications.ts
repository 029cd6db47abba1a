import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { telegramChats } from '../../db/schema';
import { minuteOfDay } from '../../domain/check-schedule';
import { MAX_TEMPLATE_LENGTH, TEMPLATE_VARIABLES, unknownVariables } from '../../domain/message-templates';
import { NOTIFICATION_CHANNELS, ORDER_EVENTS } from '../../domain/order-events';
import { MessengerError } from '../../notify/messenger-http';
import { readNotificationSettings, saveWahaSession, writeNotificationSettings } from '../../notify/settings';
import { sendTestMessage, TestMessageRefused } from '../../notify/test-message';
import { getWahaQr, getWahaSession, startWahaSession, wahaSessionName } from '../../notify/waha';
import type { ApiDeps } from '../app';
import { currentUser } from '../auth';
import { HttpError } from '../problem';
import type { ApiRouter } from '../routing';
import { IdParams, PaginationQuery, Timestamp, Uuid, paginated } from '../schemas';
import { tenantScope, type NotificationLogRow } from '../tenancy';
import { kazakhPhoneDigits } from '../../logins/phone';
import { ABUSE_LIMITS, createAbuseLimits } from '../rate-limits';

const Clock = z.string().refine((v) => {
  try {
    minuteOfDay(v);
    return true;
  } catch {
    return false;
  }
}, 'must be HH:MM, 00:00–23:59');

const WorkingHours = z
  .strictObject({ from: Clock.meta({ example: '09:00' }), to: Clock.meta({ example: '21:00' }) })
  .refine((h) => h.from !== h.to, 'from and to must differ (null sends around the clock)')
  .meta({ description: 'Local Asia/Almaty time; `from` after `to` spans midnight' });

const TemplateText = z
  .string()
  .trim()
  .min(1)
  .max(MAX_TEMPLATE_LENGTH)
  .superRefine((text, ctx) => {
    const unknown = unknownVariables(text);
    if (unknown.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown variables ${unknown.map((v) => `{${v}}`).join(', ')}; known: ${TEMPLATE_VARIABLES.map((v) => `{${v}}`).join(', ')}`,
      });
    }
  });

const Template = z.strictObject({
  event: z.enum(ORDER_EVENTS),
  channel: z.enum(NOTIFICATION_CHANNELS),
  text: TemplateText,
  active: z.boolean(),
});

const SettingsBody = z.strictObject({
  whatsappEnabled: z.boolean().meta({ description: "Message customers on WhatsApp from the store's WAHA session" }),
  telegramEnabled: z.boolean().meta({ description: "Tell the store's owner in their linked Telegram chat" }),
  dailyCap: z.int().min(1).max(100_000).meta({ description: 'Messages per channel per Almaty day' }),
  minIntervalSeconds: z.int().min(0).max(3600).meta({ description: 'Least time between two messages of a channel' }),
  workingHours: WorkingHours.nullable().meta({
    description: 'Messages wait for these hours; null sends around the clock',
  }),
  reviewDelayHours: z.int().min(1).max(720).meta({ description: 'A review request goes out this long after delivery' }),
  templates: z
    .array(Template)
    .max(NOTIFICATION_CHANNELS.length * ORDER_EVENTS.length)
    .refine(
      (ts) => new Set(ts.map((t) => `${t.event}:${t.channel}`)).size === ts.length,
      'each event and channel at most once',
    )
    .optional()
    .meta({
      description:
        'Templates to change; the others stay as they are. Variables: ' +
        TEMPLATE_VARIABLES.map((v) => `{${v}}`).join(', '),
    }),
});

const SettingsView = z
  .object({
    whatsapp: z.object({
      enabled: z.boolean(),
      configured: z.boolean().meta({ description: 'This server has WAHA (WAHA_URL)' }),
      session: z
        .object({ name: z.string(), status: z.string().nullable(), checkedAt: Timestamp.nullable() })
        .nullable()
        .meta({
          description: 'The store’s WAHA session; `WORKING` sends, `SCAN_QR_CODE` waits for the QR code to be scanned',
        }),
    }),
    telegram: z.object({
      enabled: z.boolean(),
      configured: z.boolean().meta({ description: 'This server has a bot (TELEGRAM_BOT_TOKEN)' }),
      chatLinked: z.boolean().meta({ description: 'The store owner linked a chat (POST /telegram/link-codes)' }),
    }),
    dailyCap: z.int(),
    minIntervalSeconds: z.int(),
    workingHours: z.object({ from: z.string(), to: z.string() }).nullable(),
    reviewDelayHours: z.int(),
    templates: z.array(
      z.object({
        event: z.enum(ORDER_EVENTS),
        channel: z.enum(NOTIFICATION_CHANNELS),
        text: z.string(),
        active: z.boolean(),
      }),
    ),
    variables: z.array(z.string()),
  })
  .meta({ id: 'NotificationSettings' });

const TestBody = z.strictObject({
  channel: z.enum(NOTIFICATION_CHANNELS),
  phone: z.string().max(30).optional().meta({ description: 'WhatsApp: the number to send the test to' }),
  event: z
    .enum(ORDER_EVENTS)
    .default('new_order')
    .meta({ description: 'The template to try, filled with a made-up order' }),
  text: TemplateText.optional().meta({ description: 'A text to try instead of the template' }),
});

const LogQuery = PaginationQuery.extend({
  status: z.enum(['pending', 'sending', 'sent', 'skipped', 'failed']).optional(),
  event: z.enum([...ORDER_EVENTS, 'test']).optional(),
  channel: z.enum(NOTIFICATION_CHANNELS).optional(),
  orderId: Uuid.optional().meta({ description: 'Only the messages about this order' }),
});

const LogEntry = z
  .object({
    id: Uuid,
    orderId: Uuid.nullable(),
    orderCode: z.string().nullable(),
    event: z.string(),
    channel: z.enum(NOTIFICATION_CHANNELS),
    recipient: z.string().meta({ description: 'A masked phone, or the Telegram chat' }),
    status: z.enum(['pending', 'sending', 'sent', 'skipped', 'failed']),
    text: z.string().nullable(),
    error: z.string().nullable().meta({ description: 'Why it was skipped or failed' }),
    attempts: z.int(),
    dueAt: Timestamp,
    sentAt: Timestamp.nullable(),
    createdAt: Timestamp,
  })
  .meta({ id: 'NotificationLogEntry' });

function logView({ log, orderCode }: { log: NotificationLogRow; orderCode: string | null }): z.infer<typeof LogEntry> {
  return {
    id: log.id,
    orderId: log.orderId,
    orderCode,
    event: log.event,
    channel: log.channel,
    recipient: log.recipient,
    status: log.status,
    text: log.text,
    error: log.error,
    attempts: log.attempts,
    dueAt: log.dueAt.toISOString(),
    sentAt: log.sentAt?.toISOString() ?? null,
    createdAt: log.createdAt.toISOString(),
  };
}

function messengerUnavailable(error: MessengerError): HttpError {
  if (error.kind === 'not_ready') {
    return new HttpError(
      422,
      "The store's WhatsApp session is not connected: connect it and scan the QR code in WAHA.",
    );
  }
  if (error.kind === 'refused') return new HttpError(422, `The message was refused: ${error.message}`);
  return new HttpError(503, `${error.message}; try again in a minute.`, { headers: { 'Retry-After': '60' } });
}

export function notificationRoutes(api: ApiRouter, deps: Pick<ApiDeps, 'db' | 'config' | 'pool'>) {
  const { db, config } = deps;
  const limits = createAbuseLimits(deps.pool);

  async function settingsView(storeId: string, userId: string): Promise<z.infer<typeof SettingsView>> {
    const s = await readNotificationSettings(db, storeId);
    const [chat] = await db
      .select({ chatId: telegramChats.chatId })
      .from(telegramChats)
      .where(eq(telegramChats.userId, userId));
    return {
      whatsapp: {
        enabled: s.whatsappEnabled,
        configured: config.waha.url !== undefined,
        session: s.wahaSession
          ? { name: s.wahaSession, status: s.wahaStatus, checkedAt: s.wahaCheckedAt?.toISOString() ?? null }
          : null,
      },
      telegram: {
        enabled: s.telegramEnabled,
        configured: config.telegram.botToken !== undefined,
        chatLinked: chat !== undefined,
      },
      dailyCap: s.dailyCap,
      minIntervalSeconds: s.minIntervalSeconds,
      workingHours: s.workingHours,
      reviewDelayHours: s.reviewDelayHours,
      templates: s.templates,
      variables: [...TEMPLATE_VARIABLES],
    };
  }

  api.route(
    {
      method: 'get',
      path: '/stores/:id/notifications',
      summary: "The store's notification settings",
      description: 'Channels, limits, working hours and every template (the default where the store set none).',
      tags: ['notifications'],
      access: 'user',
      params: IdParams,
      responses: { 200: { description: 'The settings', schema: SettingsView } },
    },
    async ({ params }, req, res) => {
      const userId = currentUser(req).userId;
      const store = await tenantScope(db, userId).store(params.id);
      res.json(await settingsView(store.id, userId));
    },
  );

  api.route(
    {
      method: 'put',
      path: '/stores/:id/notifications',
      summary: "Set the store's notification settings",
      description:
        'Customers hear on WhatsApp of a new order, an order ready for pickup, its delivery and (later) a review ' +
        'request; the owner hears of new orders on Telegram. Each order event is told once per channel, within the ' +
        'daily cap, the pacing and the working hours.',
      tags: ['notifications'],
      access: 'user',
      params: IdParams,
      body: SettingsBody,
      bodyExample: {
        whatsappEnabled: true,
        telegramEnabled: true,
        dailyCap: 1000,
        minIntervalSeconds: 1,
        workingHours: { from: '09:00', to: '21:00' },
        reviewDelayHours: 48,
        templates: [
          {
            event: 'ready_for_pickup',
            channel: 'whatsapp',
            text: '{customer_name}, заказ {order_code} ждёт вас. {shop_name}',
            active: true,
          },
        ],
      },
      responses: { 200: { description: 'The settings', schema: SettingsView } },
    },
    async ({ params, body }, req, res) => {
      const userId = currentUser(req).userId;
      const store = await tenantScope(db, userId).store(params.id);
      await writeNotificationSettings(db, store.id, { ...body, templates: body.templates ?? [] });
      res.json(await settingsView(store.id, userId));
    },
  );

  api.route(
    {
      method: 'post',
      path: '/stores/:id/notifications/whatsapp/connect',
      summary: "Start the store's WhatsApp session",
      description:
        'Starts the WAHA session `kaspi-store-<storeId>` (or answers the running one). Until the shop’s phone scans ' +
        'its QR code in WAHA the status is `SCAN_QR_CODE`; messages go out once it is `WORKING`.',
      tags: ['notifications'],
      access: 'user',
      params: IdParams,
      responses: {
        200: { description: 'The session', schema: z.object({ name: z.string(), status: z.string() }) },
        422: { description: 'WhatsApp is not set up on this server' },
        503: { description: 'WAHA did not answer' },
      },
    },
    async ({ params }, req, res) => {
      const store = await tenantScope(db, currentUser(req).userId).store(params.id);
      if (!config.waha.url) throw new HttpError(422, 'WhatsApp (WAHA) is not set up on this server.');
      let session;
      try {
        session = await startWahaSession(
          { url: config.waha.url, apiKey: config.waha.apiKey, timeoutMs: config.notify.sendTimeoutMs },
          wahaSessionName(store.id),
        );
      } catch (error) {
        if (error instanceof MessengerError) throw messengerUnavailable(error);
        throw error;
      }
      await saveWahaSession(db, store.id, session);
      res.json({ name: session.name, status: session.status });
    },
  );

  api.route(
    {
      method: 'get',
      path: '/stores/:id/notifications/whatsapp/qr',
      summary: "The store's WhatsApp session and the QR code to scan",
      description:
        'While the session waits (`SCAN_QR_CODE`) the answer carries the picture to scan with the shop’s phone ' +
        '(WhatsApp → Linked devices), base64; it changes every few seconds, so ask again. Once the phone scanned ' +
        'it the status is `WORKING` and `qr` is null.',
      tags: ['notifications'],
      access: 'user',
      params: IdParams,
      responses: {
        200: {
          description: 'The session',
          schema: z
            .object({
              status: z
                .string()
                .nullable()
                .meta({ description: 'null: no session started (connect it first), or no WAHA on this server' }),
              qr: z.object({ mimetype: z.string(), data: z.string() }).nullable(),
            })
            .meta({ id: 'WhatsAppQr' }),
        },
        503: { description: 'WAHA did not answer' },
      },
    },
    async ({ params }, req, res) => {
      const store = await tenantScope(db, currentUser(req).userId).store(params.id);
      if (!config.waha.url) return void res.json({ status: null, qr: null });
      const waha = { url: config.waha.url, apiKey: config.waha.apiKey, timeoutMs: config.notify.sendTimeoutMs };
      try {
        const session = await getWahaSession(waha, wahaSessionName(store.id));
        if (!session) return void res.json({ status: null, qr: null });
        await saveWahaSession(db, store.id, session);
        const qr = session.status === 'SCAN_QR_CODE' ? await getWahaQr(waha, session.name) : null;
        res.set('Cache-Control', 'no-store').json({ status: session.status, qr });
      } catch (error) {
        if (error instanceof MessengerError) throw messengerUnavailable(error);
        throw error;
      }
    },
  );

  api.route(
    {
      method: 'post',
      path: '/stores/:id/notifications/test',
      summary: 'Send a test message now',
      description:
        'Fills a template (or the text given) with a made-up order and sends it at once — outside the working hours, ' +
        'cap and pacing — to a WhatsApp number or the owner’s Telegram chat. It appears in the send log as `test`. ' +
        `At most ${ABUSE_LIMITS.testMessagesPerUser} an hour per account and ${ABUSE_LIMITS.testMessagesPerRecipient} per recipient (429 beyond).`,
      tags: ['notifications'],
      access: 'user',
      params: IdParams,
      body: TestBody,
      bodyExample: { channel: 'whatsapp', phone: '+7 701 123 45 67', event: 'new_order' },
      responses: {
        200: {
          description: 'Sent',
          schema: z.object({ status: z.literal('sent'), recipient: z.string(), text: z.string() }),
        },
        422: { description: 'The channel is not set up, no chat is linked, or the session is not connected' },
        429: { description: 'Too many test messages from this account or to this recipient; see Retry-After' },
        503: { description: 'WAHA or Telegram did not answer' },
      },
    },
    async ({ params, body }, req, res) => {
      const store = await tenantScope(db, currentUser(req).userId).store(params.id);
      const digits = body.phone ? kazakhPhoneDigits(body.phone) : undefined;
      await limits.beforeTestMessage(
        store.userId,
        body.channel === 'whatsapp' ? `wa:${digits ?? body.phone ?? ''}` : `tg:${store.userId}`,
      );
      try {
        const sent = await sendTestMessage(deps, store, body);
        res.json({ status: 'sent', ...sent });
      } catch (error) {
        if (error instanceof TestMessageRefused) {
          throw new HttpError(
            422,
            error.message,
            error.field ? { errors: [{ field: error.field, message: error.message }] } : {},
          );
        }
        if (error instanceof MessengerError) throw messengerUnavailable(error);
        throw error;
      }
    },
  );

  api.route(
    {
      method: 'get',
      path: '/stores/:id/notifications/log',
      summary: "The store's send log",
      description: 'Every message queued for the store and what became of it, newest first.',
      tags: ['notifications'],
      access: 'user',
      params: IdParams,
      query: LogQuery,
      responses: { 200: { description: 'Messages', schema: paginated(LogEntry, 'NotificationLogPage') } },
    },
    async ({ params, query }, req, res) => {
      const { limit, page, ...filters } = query;
      const { items, total } = await tenantScope(db, currentUser(req).userId).listNotifications(params.id, filters, {
        limit,
        page,
      });
      res.json({ items: items.map(logView), page, limit, total });
    },
  );
}
