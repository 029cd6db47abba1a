import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationLog, orders } from '../../src/db/schema';
import { ALMATY } from '../../src/kaspi/cities';
import type { OrderSeed } from '../../sandbox/orders';
import { ordersPollStatusQuery, ordersPollWorkflowId, type OrdersPollStatus } from '../../src/workflows/messages';
import { startTestWorker, testConfig, useTestApi, useTestContext, type RunningWorker } from '../support/env';
import { call, registerMerchant, type Merchant } from '../support/http';
import { connectMessengers, messagingEnv, notifyEverything } from '../support/orders';
import { waitFor } from '../support/wait';
import { exited, spawnEntry, workerProcessEnv } from '../support/processes';
import { useSandbox } from '../support/sandbox';
import { seedStore } from '../support/seed';

const OURS = '31500001';
const TOKEN = 'orders-poll-token-0001';
const CHAT = '555000111';
const DAY = 86_400_000;
const ORDER_COUNT = 1000;

/** 1,000 orders over the last 12 days in every state a shop sees: new, waiting at a point, handed over, cancelled. */
function seedOrders(nowMs: number): OrderSeed[] {
  return Array.from({ length: ORDER_COUNT }, (_, i): OrderSeed => {
    const kind = i % 20;
    const [status, state] =
      kind < 12
        ? ['APPROVED_BY_BANK', 'NEW']
        : kind < 16
          ? ['ACCEPTED_BY_MERCHANT', 'PICKUP']
          : kind < 19
            ? ['COMPLETED', 'ARCHIVE']
            : ['CANCELLED', 'ARCHIVE'];
    return {
      merchantUid: OURS,
      code: String(800_000_000 + i),
      // Several orders share a creation time, as busy shops' do.
      creationDateMs: nowMs - 12 * DAY + Math.floor(i / 3) * 3_000_000,
      status,
      state,
      deliveryMode: 'DELIVERY_PICKUP',
      pickupPointCode: 'PP1',
      customer: { firstName: `Покупатель ${i}`, lastName: 'К.', cellPhone: `70${String(10_000_000 + i)}` },
      entries: [
        { sku: `SKU-${i % 7}`, name: `Товар ${i % 7}`, quantity: 1 + (i % 3), basePrice: 1000 + (i % 7) * 100 },
        ...(i % 4 === 0 ? [{ sku: 'SKU-CASE', name: 'Чехол', quantity: 1, basePrice: 500 }] : []),
      ],
    };
  });
}

/**
 * The orders poll against the sandbox's Shop API with 1,000 orders, pages that repeat an order and come
 * out of order, and a worker killed (SIGKILL) in the middle of a poll — once while the first poll was
 * storing, once after a changed order was stored but before the poll could save its watermark: every
 * order is stored exactly once, none is missing, and each change is told exactly once.
 */
describe('the orders poll', () => {
  const sandbox = useSandbox();
  const ctx = useTestContext(() =>
    testConfig({ ...messagingEnv(sandbox), ORDERS_POLL_INTERVAL: '3600', ORDERS_HEARTBEAT_TIMEOUT_SECONDS: '3' }),
  );
  const api = useTestApi(ctx);
  let merchant: Merchant;
  let storeId: string;
  let replacement: RunningWorker | undefined;
  const nowMs = Date.now();

  beforeAll(async () => {
    sandbox.seed({
      merchants: [{ uid: OURS, name: 'Orders Shop', points: [{ code: 'PP1', cityId: ALMATY }], shopApiToken: TOKEN }],
    });
    sandbox.seed({ orders: seedOrders(nowMs) });
    await fetch(`${sandbox.controlUrl}/orders/anomalies`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ merchantUid: OURS, duplicateAcrossPages: true, pagesOutOfOrder: true }),
    });
    merchant = await registerMerchant(api.url, 'orders');
    storeId = (await seedStore(ctx.db, merchant.id, { merchantUid: OURS, name: 'Orders Shop' })).id;
    await notifyEverything(ctx.db, storeId);
    await connectMessengers(ctx.db, sandbox, { storeId, userId: merchant.id, chatId: CHAT });
  });
  afterAll(async () => {
    await replacement?.stop();
  });

  const stored = async () =>
    (
      await ctx.db
        .select({ n: sql<number>`count(*)::int`, codes: sql<number>`count(distinct ${orders.code})::int` })
        .from(orders)
        .where(eq(orders.storeId, storeId))
    )[0]!;

  /** The poll's status; a query can land on a dead worker's sticky queue until Temporal gives up on it. */
  const status = async (): Promise<OrdersPollStatus | null> =>
    ctx.temporal.workflow
      .getHandle(ordersPollWorkflowId(storeId))
      .query(ordersPollStatusQuery)
      .catch(() => null);

  /** A worker process that is SIGKILLed the moment `fire` says so (checked on every entries request). */
  async function doomedWorker(fire: (entriesServed: number) => boolean) {
    // It dies before it could send anything; without a bot token it also leaves the bot's workflow alone.
    const { TELEGRAM_BOT_TOKEN: _bot, ...env } = messagingEnv(sandbox);
    const child = spawnEntry(
      'src/worker.ts',
      workerProcessEnv(ctx.config.temporal.taskQueue, { ...env, ORDERS_BATCH_SIZE: '100' }),
    );
    await waitFor(
      'the worker process to poll',
      () => child.output().includes('worker polling') || child.exitCode !== null,
      90_000,
    );
    expect(child.exitCode, child.output()).toBeNull();
    let served = 0;
    const get = sandbox.orders.get.bind(sandbox.orders);
    sandbox.orders.get = (id) => {
      served++;
      if (child.exitCode === null && child.signalCode === null && fire(served)) child.kill('SIGKILL');
      return get(id);
    };
    return {
      child,
      async killed() {
        await exited(child);
        sandbox.orders.get = get;
        expect(child.signalCode).toBe('SIGKILL');
      },
    };
  }

  it('stores 1,000 orders exactly once through a worker killed in the middle of the first poll', async () => {
    const doomed = await doomedWorker((served) => served === 450);
    try {
      const reply = await call(api.url, 'PUT', `/api/v1/stores/${storeId}/shop-api-token`, {
        token: merchant.token,
        body: { token: TOKEN },
      });
      expect(reply.status).toBe(200);
      await doomed.killed();
    } finally {
      if (doomed.child.exitCode === null && doomed.child.signalCode === null) doomed.child.kill('SIGKILL');
    }
    const atKill = await stored();
    // Killed mid-poll: some batches committed, the rest not.
    expect(atKill.n).toBeGreaterThan(0);
    expect(atKill.n).toBeLessThan(ORDER_COUNT);

    replacement = await startTestWorker(ctx);
    const done = await waitFor(
      'the first poll to finish',
      async () => {
        const s = await status();
        return s && s.counters.polls >= 1 ? s : null;
      },
      60_000,
    );
    expect(done.baselineDone).toBe(true);
    expect(await stored()).toEqual({ n: ORDER_COUNT, codes: ORDER_COUNT });

    const rows = await ctx.db.select().from(orders).where(eq(orders.storeId, storeId));
    const kaspi = new Map(sandbox.orders.all(OURS).map((o) => [o.code, o]));
    expect(new Set(rows.map((r) => r.code))).toEqual(new Set(kaspi.keys()));
    for (const row of rows) {
      const order = kaspi.get(row.code)!;
      expect({ status: row.status, state: row.state, total: row.totalPrice }).toEqual({
        status: order.status,
        state: order.state,
        total: order.totalPrice,
      });
      expect(row.entries.map((e) => [e.sku, e.quantity, e.totalPrice])).toEqual(
        order.entries.map((e) => [e.sku, e.quantity, e.totalPrice]),
      );
      expect(row.customerPhoneEnc).not.toContain(order.customer.cellPhone);
    }
    // The watermark is Kaspi's newest creation date; the first poll tells nobody about the orders a store already had.
    expect(done.watermarkMs).toBe(Math.max(...[...kaspi.values()].map((o) => o.creationDateMs)));
    expect(await ctx.db.select().from(notificationLog).where(eq(notificationLog.storeId, storeId))).toEqual([]);

    const list = await call(api.url, 'GET', `/api/v1/stores/${storeId}/orders?state=PICKUP&limit=5`, {
      token: merchant.token,
    });
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(ORDER_COUNT / 5);
    expect(list.body.items[0]).toMatchObject({
      state: 'PICKUP',
      customerPhone: expect.stringMatching(/^\+7 \(70\d\) \*\*\*-\*\*-\d\d$/),
    });
  }, 120_000);

  it('tells each change exactly once, through a worker killed after storing it and before saving the watermark', async () => {
    const all = sandbox.orders.all(OURS);
    const ready = all.find((o) => o.status === 'APPROVED_BY_BANK')!;
    const handedOver = all.find((o) => o.status === 'ACCEPTED_BY_MERCHANT')!;
    const cancelled = all.filter((o) => o.status === 'APPROVED_BY_BANK')[1]!;
    sandbox.orders.advance(ready.code, { status: 'ACCEPTED_BY_MERCHANT', state: 'PICKUP' });
    sandbox.orders.advance(handedOver.code, { status: 'COMPLETED', state: 'ARCHIVE' });
    sandbox.orders.advance(cancelled.code, { status: 'CANCELLED', state: 'ARCHIVE' });
    const fresh = ['900000001', '900000002'].map((code) =>
      sandbox.orders.add({
        merchantUid: OURS,
        code,
        creationDateMs: Date.now() - 60_000,
        customer: { firstName: 'Новый', cellPhone: `707${code.slice(-7)}` },
        entries: [{ sku: 'SKU-NEW', name: 'Новинка', quantity: 2, basePrice: 4500 }],
      }),
    );

    // The new orders are the newest, so their entries are read in the last batch — after the batches
    // holding the changed orders (and their queued messages) committed. That is when the worker dies.
    const doomed = await doomedWorker(() => true);
    try {
      await replacement!.stop();
      replacement = undefined;
      await ctx.temporal.workflow.getHandle(ordersPollWorkflowId(storeId)).signal('pollNow');
      await doomed.killed();
    } finally {
      if (doomed.child.exitCode === null && doomed.child.signalCode === null) doomed.child.kill('SIGKILL');
    }
    const queuedAtKill = await ctx.db.select().from(notificationLog).where(eq(notificationLog.storeId, storeId));
    expect(queuedAtKill.map((m) => m.event).sort()).toEqual(['delivered', 'ready_for_pickup', 'review_request']);
    expect(queuedAtKill.every((m) => m.status === 'pending')).toBe(true);

    replacement = await startTestWorker(ctx);
    await waitFor(
      'the second poll and its messages',
      async () => {
        const s = await status();
        return s && s.counters.polls >= 2 && s.counters.messagesSent >= 6 ? s : null;
      },
      60_000,
    );

    const log = await ctx.db.select().from(notificationLog).where(eq(notificationLog.storeId, storeId));
    const byOrder = async (code: string) => {
      const [order] = await ctx.db
        .select({ id: orders.id })
        .from(orders)
        .where(and(eq(orders.storeId, storeId), eq(orders.code, code)));
      return log
        .filter((m) => m.orderId === order!.id)
        .map((m) => `${m.event}/${m.channel}/${m.status}`)
        .sort();
    };
    expect(await byOrder(ready.code)).toEqual(['ready_for_pickup/whatsapp/sent']);
    expect(await byOrder(handedOver.code)).toEqual(['delivered/whatsapp/sent', 'review_request/whatsapp/pending']);
    expect(await byOrder(cancelled.code)).toEqual([]);
    for (const order of fresh)
      expect(await byOrder(order.code)).toEqual(['new_order/telegram/sent', 'new_order/whatsapp/sent']);

    // Kaspi's side of it: each customer got exactly one WhatsApp message, the owner one Telegram note per new order.
    const whatsapp = sandbox.waha.state.sent.map((m) => m.chatId).sort();
    expect(whatsapp).toEqual([ready, handedOver, ...fresh].map((o) => `7${o.customer.cellPhone}@c.us`).sort());
    expect(sandbox.waha.state.sent.find((m) => m.chatId === `7${ready.customer.cellPhone}@c.us`)!.text).toContain(
      `заказ ${ready.code}`,
    );
    const notes = sandbox.telegram.state.sent.filter((m) => m.chatId === CHAT);
    expect(notes).toHaveLength(2);
    for (const order of fresh) {
      const [row] = await ctx.db
        .select({ id: orders.id })
        .from(orders)
        .where(and(eq(orders.storeId, storeId), eq(orders.code, order.code)));
      expect(
        notes.some(
          (n) => n.text.includes(order.code) && n.text.includes(`${ctx.config.api.publicUrl}/orders/${row!.id}`),
        ),
      ).toBe(true);
    }

    // Polled again: nothing new to tell, nothing told twice.
    await ctx.temporal.workflow.getHandle(ordersPollWorkflowId(storeId)).signal('pollNow');
    await waitFor(
      'a third poll, done delivering',
      async () => {
        const s = await status();
        return s && s.counters.polls >= 3 && s.phase === 'waiting' ? s : null;
      },
      30_000,
    );
    expect(sandbox.waha.state.sent).toHaveLength(4);
    expect(sandbox.telegram.state.sent.filter((m) => m.chatId === CHAT)).toHaveLength(2);
    expect(await stored()).toEqual({ n: ORDER_COUNT + 2, codes: ORDER_COUNT + 2 });

    const poll = await call(api.url, 'GET', `/api/v1/stores/${storeId}/orders/poll`, { token: merchant.token });
    expect(poll.body).toMatchObject({
      running: true,
      status: { phase: 'waiting', polls: 3, messagesSent: 6, lastError: null },
    });
  }, 120_000);

  it('stops when the store is deleted', async () => {
    expect((await call(api.url, 'DELETE', `/api/v1/stores/${storeId}`, { token: merchant.token })).status).toBe(204);
    const handle = ctx.temporal.workflow.getHandle(ordersPollWorkflowId(storeId));
    await waitFor('the poll to end', async () => (await handle.describe()).status.name !== 'RUNNING', 30_000);
    expect((await handle.describe()).status.name).toBe('COMPLETED');
  });
});
