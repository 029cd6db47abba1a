import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertDeliveries, alerts, notificationLog, orders, telegramChats, users } from '../../src/db/schema';
import { sealFor } from '../../src/db/sealed-columns';
import { almatyClock } from '../../src/domain/almaty-time';
import { ALMATY } from '../../src/kaspi/cities';
import { recordAlert } from '../../src/notify/alerts';
import { deliverStoreMessages } from '../../src/notify/sender';
import { notifyEverything, connectMessengers, messagingEnv } from '../support/orders';
import { waitFor } from '../support/wait';
import { queueOrderMessages } from '../../src/orders/store-orders';
import { TELEGRAM_BOT_WORKFLOW_ID, ordersPollWorkflowId } from '../../src/workflows/messages';
import { startTestWorker, testConfig, useTestApi, useTestContext, type RunningWorker } from '../support/env';
import { call, registerMerchant, type Merchant } from '../support/http';
import { useSandbox } from '../support/sandbox';
import { seedOrder, seedStore } from '../support/seed';
import { saveShopApiToken } from '../../src/stores/shop-api-token';
import { startOrdersPoll } from '../../src/stores/orders-poll';

const OURS = '31600001';
const TOKEN = 'notify-shop-token-01';

/** `HH:MM` in Almaty, `hours` from now. */
function almatyClockIn(hours: number): string {
  const minute = (almatyClock(new Date(Date.now() + hours * 3600_000)).minuteOfDay + 1440) % 1440;
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

/**
 * The store's sender against the sandbox's WAHA and Telegram: each queued order event goes out once per
 * channel, within the daily cap, the pacing and the working hours, and failures are told apart (retry,
 * wait for the session, give up). The bot links chats by code and delivers alerts; the API sets it all up.
 */
describe('notifications', () => {
  const sandbox = useSandbox();
  const ctx = useTestContext(() =>
    testConfig({ ...messagingEnv(sandbox), NOTIFY_WORKER_ERROR_ATTEMPTS: '2', ORDERS_HEARTBEAT_TIMEOUT_SECONDS: '5' }),
  );
  const api = useTestApi(ctx);
  let merchant: Merchant;
  let store: { id: string; userId: string; name: string };
  let worker: RunningWorker | undefined;
  const chatId = String(700_000_000 + Math.floor(Math.random() * 1e6));

  beforeAll(async () => {
    sandbox.seed({
      merchants: [{ uid: OURS, name: 'Notify Shop', points: [{ code: 'PP1', cityId: ALMATY }], shopApiToken: TOKEN }],
    });
    merchant = await registerMerchant(api.url, 'notify');
    store = await seedStore(ctx.db, merchant.id, { merchantUid: OURS, name: 'Notify Shop' });
    await connectMessengers(ctx.db, sandbox, { storeId: store.id, userId: merchant.id, chatId });
  });
  afterAll(() => worker?.stop());

  const deliver = () => deliverStoreMessages(ctx, store.id);

  /** An order with a customer's phone, and its messages queued as the poll would queue them. */
  async function orderWithMessages(events: {
    previous: { status: string; state: string } | null;
    status: string;
    state: string;
  }) {
    const phone = `70${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const order = await seedOrder(ctx.db, store.id, {
      status: events.status,
      state: events.state,
      customerName: 'Айгерим',
      entries: [{ sku: 'SKU-1', name: 'Смартфон', quantity: 1, basePrice: 12_990, totalPrice: 12_990 }],
    });
    await ctx.db
      .update(orders)
      .set({ customerPhoneEnc: sealFor(ctx.keyring, 'orderCustomerPhone', order.id, phone) })
      .where(eq(orders.id, order.id));
    const settings = {
      channels: { whatsapp: true, telegram: true },
      activeTemplates: new Set([
        'new_order:whatsapp',
        'new_order:telegram',
        'delivered:whatsapp',
        'review_request:whatsapp',
      ]),
      reviewDelayHours: 48,
    };
    const change = {
      id: order.id,
      code: order.code,
      status: events.status,
      state: events.state,
      previous: events.previous,
      phoneDigits: phone,
    };
    const queued = await ctx.db.transaction((tx) =>
      queueOrderMessages(tx, { storeId: store.id, changes: [change], settings, nowMs: Date.now() }),
    );
    return {
      order,
      phone,
      chat: `7${phone}@c.us`,
      queued,
      again: () =>
        ctx.db.transaction((tx) =>
          queueOrderMessages(tx, { storeId: store.id, changes: [change], settings, nowMs: Date.now() }),
        ),
    };
  }

  const log = async (orderId: string) =>
    (await ctx.db.select().from(notificationLog).where(eq(notificationLog.orderId, orderId)))
      .map((m) => `${m.event}/${m.channel}/${m.status}`)
      .sort();

  const sentTo = (chat: string) => sandbox.waha.state.sent.filter((m) => m.chatId === chat);
  const notes = () => sandbox.telegram.state.sent.filter((m) => m.chatId === chatId);

  it('tells each order event once per channel, however often it is queued and delivered', async () => {
    await notifyEverything(ctx.db, store.id);
    const before = notes().length;
    const fresh = await orderWithMessages({ previous: null, status: 'APPROVED_BY_BANK', state: 'NEW' });
    expect(fresh.queued).toEqual({ events: 1, queued: 2 });
    expect(await fresh.again()).toEqual({ events: 1, queued: 0 });
    expect(await deliver()).toMatchObject({ sent: 2, failed: 0 });
    expect(await deliver()).toMatchObject({ sent: 0 });
    expect(await log(fresh.order.id)).toEqual(['new_order/telegram/sent', 'new_order/whatsapp/sent']);
    expect(sentTo(fresh.chat)).toHaveLength(1);
    expect(sentTo(fresh.chat)[0]!.text).toContain(`заказ ${fresh.order.code}`);
    expect(sentTo(fresh.chat)[0]!.text).toContain('Notify Shop');
    expect(notes().length - before).toBe(1);
    expect(notes().at(-1)!.text).toContain(`${ctx.config.api.publicUrl}/orders/${fresh.order.id}`);

    // A delivery brings the review request, due later: it waits, and the sender says until when.
    const done = await orderWithMessages({
      previous: { status: 'ACCEPTED_BY_MERCHANT', state: 'PICKUP' },
      status: 'COMPLETED',
      state: 'ARCHIVE',
    });
    const report = await deliver();
    expect(report.sent).toBe(1);
    expect(report.nextAttemptAtMs).toBeGreaterThan(Date.now() + 47 * 3600_000);
    expect(await log(done.order.id)).toEqual(['delivered/whatsapp/sent', 'review_request/whatsapp/pending']);
  });

  it('keeps to the daily cap of each channel and waits for the next Almaty day', async () => {
    await notifyEverything(ctx.db, store.id, { dailyCap: 3 });
    const sentToday = (channel: 'whatsapp' | 'telegram') =>
      ctx.db
        .select({ n: sql<number>`count(*)::int` })
        .from(notificationLog)
        .where(
          and(
            eq(notificationLog.storeId, store.id),
            eq(notificationLog.channel, channel),
            eq(notificationLog.status, 'sent'),
          ),
        )
        .then((r) => r[0]!.n);
    // Two WhatsApp and one Telegram message went out today already (the test before).
    expect([await sentToday('whatsapp'), await sentToday('telegram')]).toEqual([2, 1]);
    const more = [];
    for (let i = 0; i < 3; i++)
      more.push(await orderWithMessages({ previous: null, status: 'APPROVED_BY_BANK', state: 'NEW' }));
    const report = await deliver();
    expect(report.sent).toBe(3);
    expect([await sentToday('whatsapp'), await sentToday('telegram')]).toEqual([3, 3]);
    const nextDay = new Date(report.nextAttemptAtMs!);
    expect(almatyClock(nextDay).minuteOfDay).toBe(0);
    expect(report.nextAttemptAtMs).toBeGreaterThan(Date.now());
    // What is left waits, and goes out once the cap allows it.
    expect(
      (await Promise.all(more.map((m) => log(m.order.id))))
        .flat()
        .filter((l) => l.endsWith('/pending'))
        .sort(),
    ).toEqual(['new_order/telegram/pending', 'new_order/whatsapp/pending', 'new_order/whatsapp/pending']);
    await notifyEverything(ctx.db, store.id, { dailyCap: 5 });
    expect(await deliver()).toMatchObject({ sent: 3 });
    expect((await Promise.all(more.map((m) => log(m.order.id)))).flat().filter((l) => !l.endsWith('/sent'))).toEqual(
      [],
    );
  });

  it('holds messages outside working hours and sends them when the hours open', async () => {
    await notifyEverything(ctx.db, store.id, { workingHours: { from: almatyClockIn(2), to: almatyClockIn(3) } });
    const waiting = await orderWithMessages({ previous: null, status: 'APPROVED_BY_BANK', state: 'NEW' });
    const report = await deliver();
    expect(report.sent).toBe(0);
    expect(report.nextAttemptAtMs! - Date.now()).toBeGreaterThan(3600_000);
    expect(await log(waiting.order.id)).toEqual(['new_order/telegram/pending', 'new_order/whatsapp/pending']);
    expect(sentTo(waiting.chat)).toEqual([]);

    await notifyEverything(ctx.db, store.id, { workingHours: { from: almatyClockIn(-1), to: almatyClockIn(1) } });
    expect(await deliver()).toMatchObject({ sent: 2 });
    expect(sentTo(waiting.chat)).toHaveLength(1);
  });

  it('paces the messages of a channel', async () => {
    await notifyEverything(ctx.db, store.id, { minIntervalSeconds: 1 });
    const three = [];
    for (let i = 0; i < 3; i++)
      three.push(await orderWithMessages({ previous: null, status: 'APPROVED_BY_BANK', state: 'NEW' }));
    expect(await deliver()).toMatchObject({ sent: 6 });
    const times = three.map((m) => sentTo(m.chat)[0]!.atMs);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(990);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(990);
  });

  it('waits for a disconnected WhatsApp, retries an unavailable one, gives up on a blocked chat, drops what is too late', async () => {
    await notifyEverything(ctx.db, store.id, { telegramEnabled: false });
    const session = `kaspi-store-${store.id}`;
    await fetch(`${sandbox.controlUrl}/waha/sessions/${session}/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'SCAN_QR_CODE' }),
    });
    const held = await orderWithMessages({ previous: null, status: 'APPROVED_BY_BANK', state: 'NEW' });
    const report = await deliver();
    expect(report).toMatchObject({ sent: 0, failed: 0 });
    expect(report.nextAttemptAtMs).not.toBeNull();
    // Telegram is off now, so its message is skipped; WhatsApp's waits for the session.
    expect(await log(held.order.id)).toEqual(['new_order/telegram/skipped', 'new_order/whatsapp/pending']);
    const [settings] = await ctx.db
      .execute<{ waha_status: string }>(sql`select waha_status from notification_settings where store_id = ${store.id}`)
      .then((r) => r.rows);
    expect(settings!.waha_status).toBe('SCAN_QR_CODE');
    sandbox.waha.state.authorize(session);
    expect(await deliver()).toMatchObject({ sent: 1 });

    await fetch(`${sandbox.controlUrl}/waha/failures`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ times: 1, status: 503 }),
    });
    const retried = await orderWithMessages({ previous: null, status: 'APPROVED_BY_BANK', state: 'NEW' });
    const afterFailure = await deliver();
    expect(afterFailure.sent).toBe(0);
    const [row] = await ctx.db
      .select()
      .from(notificationLog)
      .where(and(eq(notificationLog.orderId, retried.order.id), eq(notificationLog.channel, 'whatsapp')));
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row!.dueAt.getTime()).toBeGreaterThan(Date.now());
    await ctx.db.update(notificationLog).set({ dueAt: new Date() }).where(eq(notificationLog.id, row!.id));
    expect(await deliver()).toMatchObject({ sent: 1 });
    expect(sentTo(retried.chat)).toHaveLength(1);

    await notifyEverything(ctx.db, store.id);
    const blockedChat = `${chatId}9`;
    sandbox.telegram.state.userWrites(blockedChat, '/start');
    await fetch(`${sandbox.controlUrl}/telegram/chats/${blockedChat}/block`, { method: 'POST' });
    await ctx.db.update(telegramChats).set({ chatId: blockedChat }).where(eq(telegramChats.userId, merchant.id));
    const blocked = await orderWithMessages({ previous: null, status: 'APPROVED_BY_BANK', state: 'NEW' });
    expect(await deliver()).toMatchObject({ sent: 1, failed: 1 });
    expect(await log(blocked.order.id)).toEqual(['new_order/telegram/failed', 'new_order/whatsapp/sent']);
    await ctx.db.update(telegramChats).set({ chatId }).where(eq(telegramChats.userId, merchant.id));

    const late = await orderWithMessages({ previous: null, status: 'APPROVED_BY_BANK', state: 'NEW' });
    await ctx.db
      .update(notificationLog)
      .set({ dueAt: new Date(Date.now() - 25 * 3600_000) })
      .where(eq(notificationLog.orderId, late.order.id));
    expect(await deliver()).toMatchObject({ sent: 0, skipped: 2 });
    expect(sentTo(late.chat)).toEqual([]);
  });

  it('sets up notifications through the API: settings, the WhatsApp session, a test message, the send log', async () => {
    const base = `/api/v1/stores/${store.id}/notifications`;
    const bad = await call(api.url, 'PUT', base, {
      token: merchant.token,
      body: {
        whatsappEnabled: true,
        telegramEnabled: true,
        dailyCap: 10,
        minIntervalSeconds: 1,
        workingHours: { from: '09:00', to: '9pm' },
        reviewDelayHours: 24,
        templates: [{ event: 'delivered', channel: 'whatsapp', text: 'Спасибо, {customer}!', active: true }],
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'body.templates.0.text',
      'body.workingHours.to',
    ]);

    const put = await call(api.url, 'PUT', base, {
      token: merchant.token,
      body: {
        whatsappEnabled: true,
        telegramEnabled: false,
        dailyCap: 500,
        minIntervalSeconds: 2,
        workingHours: null,
        reviewDelayHours: 24,
        templates: [{ event: 'delivered', channel: 'whatsapp', text: 'Спасибо, {customer_name}!', active: true }],
      },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      whatsapp: { enabled: true, configured: true },
      telegram: { enabled: false, configured: true, chatLinked: true },
      dailyCap: 500,
      workingHours: null,
    });
    expect(put.body.templates).toHaveLength(8);
    expect(
      put.body.templates.find(
        (t: { event: string; channel: string }) => t.event === 'delivered' && t.channel === 'whatsapp',
      ).text,
    ).toBe('Спасибо, {customer_name}!');

    const connect = await call(api.url, 'POST', `${base}/whatsapp/connect`, { token: merchant.token });
    expect(connect.body).toEqual({ name: `kaspi-store-${store.id}`, status: 'WORKING' });

    const test = await call(api.url, 'POST', `${base}/test`, {
      token: merchant.token,
      body: { channel: 'whatsapp', phone: '+7 701 555 44 33', event: 'delivered' },
    });
    expect(test.status).toBe(200);
    expect(test.body).toEqual({ status: 'sent', recipient: '+7 (701) ***-**-33', text: 'Спасибо, Айгерим!' });
    expect(sentTo('77015554433@c.us').map((m) => m.text)).toEqual(['Спасибо, Айгерим!']);
    const badPhone = await call(api.url, 'POST', `${base}/test`, {
      token: merchant.token,
      body: { channel: 'whatsapp', phone: '12345' },
    });
    expect(badPhone.status).toBe(422);
    expect(badPhone.body.errors[0].field).toBe('body.phone');

    const page = await call(api.url, 'GET', `${base}/log?event=test`, { token: merchant.token });
    expect(page.body).toMatchObject({
      total: 1,
      items: [{ event: 'test', channel: 'whatsapp', status: 'sent', recipient: '+7 (701) ***-**-33', orderId: null }],
    });
    const sent = await call(api.url, 'GET', `${base}/log?status=sent&channel=telegram&limit=200`, {
      token: merchant.token,
    });
    expect(sent.body.items.length).toBeGreaterThan(0);
    expect(sent.body.items.every((m: { orderCode: string | null }) => m.orderCode !== null)).toBe(true);
  });

  it('links a Telegram chat by code, delivers alerts to merchants and administrators with links, and alerts on repeated worker errors', async () => {
    worker = await startTestWorker(ctx);
    const admin = await registerMerchant(api.url, 'notify-admin');
    await ctx.db.update(users).set({ role: 'admin' }).where(eq(users.id, admin.id));
    const botId = `${TELEGRAM_BOT_WORKFLOW_ID}-${randomUUID()}`;
    await ctx.temporal.workflow.start('telegramBotWorkflow', {
      taskQueue: ctx.config.temporal.taskQueue,
      workflowId: botId,
      args: [{ offset: null }],
    });

    const code = await call(api.url, 'POST', '/api/v1/telegram/link-codes', { token: admin.token });
    expect(code.status).toBe(201);
    expect(code.body.link).toBe(`https://t.me/${sandbox.telegram.botUsername}?start=${code.body.code}`);
    const adminChat = `${chatId}1`;
    sandbox.telegram.state.userWrites(adminChat, `/start ${code.body.code}`, 'shop_admin');
    await waitFor(
      'the chat to be linked',
      async () => (await call(api.url, 'GET', '/api/v1/telegram/chat', { token: admin.token })).body.linked,
    );
    expect((await call(api.url, 'GET', '/api/v1/telegram/chat', { token: admin.token })).body).toMatchObject({
      configured: true,
      linked: true,
      username: 'shop_admin',
    });
    // The welcome; other test files' undelivered admin alerts (⚠️) may follow it into a newly linked admin chat.
    const welcome = sandbox.telegram.state.sent.filter((m) => m.chatId === adminChat && !m.text.startsWith('⚠️'));
    expect(welcome.map((m) => m.text)).toEqual([expect.stringContaining(admin.email)]);
    // The code works once.
    sandbox.telegram.state.userWrites(`${chatId}2`, code.body.code);
    await waitFor('the refusal', () => sandbox.telegram.state.sent.some((m) => m.chatId === `${chatId}2`));
    expect(
      await ctx.db
        .select()
        .from(telegramChats)
        .where(eq(telegramChats.chatId, `${chatId}2`)),
    ).toEqual([]);

    const tag = randomUUID().slice(0, 8);
    await recordAlert(ctx.db, ctx.logger, {
      audience: 'admin',
      kind: 'proxy_pool_low',
      message: `Pool ${tag}: 3 free proxies, below the minimum of 100.`,
    });
    await recordAlert(ctx.db, ctx.logger, {
      audience: 'user',
      userId: merchant.id,
      kind: 'demper_banned',
      message: 'Kaspi banned price changes of «Notify Shop» for 30 minutes.',
      link: `/api/v1/stores/${store.id}`,
    });
    const adminNote = await waitFor('the admin alert', () =>
      sandbox.telegram.state.sent.find((m) => m.chatId === adminChat && m.text.includes(`Pool ${tag}`)),
    );
    expect(adminNote.text).toContain(`${ctx.config.api.publicUrl}/health/proxies`);
    const merchantNote = await waitFor('the merchant alert', () => notes().find((m) => m.text.includes('banned')));
    expect(merchantNote.text).toContain(`${ctx.config.api.publicUrl}/api/v1/stores/${store.id}`);

    // Kaspi's Shop API fails every call: the poll's activity keeps failing, and the second failure alerts the admins.
    await saveShopApiToken(ctx, store.id, TOKEN);
    sandbox.faults.add({ endpoint: 'orders', kind: '5xx' });
    await startOrdersPoll(ctx, store);
    const errorNote = await waitFor(
      'the worker error alert',
      () =>
        sandbox.telegram.state.sent.find(
          (m) => m.chatId === adminChat && m.text.includes(`pollOrders of ${ordersPollWorkflowId(store.id)}`),
        ),
      45_000,
    );
    expect(errorNote.text).toContain(
      `${ctx.config.temporal.uiUrl}/namespaces/default/workflows/${encodeURIComponent(ordersPollWorkflowId(store.id))}`,
    );
    sandbox.faults.clear();

    // Each alert went to each chat once, and is marked delivered.
    expect(
      sandbox.telegram.state.sent.filter((m) => m.chatId === adminChat && m.text.includes(`Pool ${tag}`)),
    ).toHaveLength(1);
    const [pool] = await ctx.db
      .select()
      .from(alerts)
      .where(sql`${alerts.message} like ${`Pool ${tag}%`}`);
    expect(pool!.deliveredAt).not.toBeNull();
    expect(await ctx.db.select().from(alertDeliveries).where(eq(alertDeliveries.alertId, pool!.id))).toMatchObject([
      { chatId: adminChat, status: 'sent' },
    ]);
    await ctx.temporal.workflow.getHandle(botId).terminate();
    await ctx.temporal.workflow.getHandle(ordersPollWorkflowId(store.id)).terminate();
  }, 90_000);
});
