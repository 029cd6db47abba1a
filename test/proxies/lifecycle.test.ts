import { randomUUID } from 'node:crypto';
import { and, eq, inArray, isNotNull, ne, sql } from 'drizzle-orm';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signBody } from '../../src/billing/signature';
import {
  alerts,
  billingEvents,
  kaspiStores as stores,
  payments,
  products,
  proxies,
  proxyUsageLog,
  subscriptions,
  users,
} from '../../src/db/schema';
import { PLANS, planProxySplit } from '../../src/domain/plans';
import { fetchOffersPage, isKaspiError } from '../../src/kaspi';
import { ALMATY } from '../../src/kaspi/cities';
import { allocateProxies } from '../../src/proxies/pool';
import { createProxy6Provider } from '../../src/proxies/provider';
import { ensureProxyPoolSchedule } from '../../src/proxies/schedule';
import { readCapacityFor } from '../../src/proxies/read-capacity';
import { createReadChannel } from '../../src/proxies/read-channel';
import { stopDemper } from '../../src/stores/demper-control';
import { cancelSignal, subscriptionWorkflowId, USER_ID_KEY } from '../../src/workflows/messages';
import { proxyPoolWorkflow } from '../../src/workflows';
import type { ProxyPoolReport } from '../../src/workflows/proxy-pool';
import {
  startTestApi,
  startTestWorker,
  testConfig,
  testContext,
  useTestApi,
  useTestContext,
  useTestWorker,
} from '../support/env';
import { call, registerMerchant, type Merchant } from '../support/http';
import { holdFreePoolForSuite, leakedProxies, seedProxies } from '../support/proxies';
import { connectStore, control, demperProduct, startLoop } from '../support/demper';
import { contractSeed, OUR_SKU, OUR_UID, PRODUCT_ID, useSandbox } from '../support/sandbox';
import { seedProduct, seedStore, seedUser } from '../support/seed';
import { waitFor } from '../support/wait';
import { TEST_OPERATOR_TOKEN } from '../support/secrets';

/**
 * Everything that takes from or adds to the shared free pool lives in this one file, so its tests
 * run one after another and each can start from a free pool it controls; other files that need the
 * free pool wait for it (`holdFreePoolForSuite`).
 */
const SECRET = 'webhook-secret-for-tests-0123456789';
/** Of the fleet's free pool, the proxies bought from the sandbox's provider (the rest are admin imports). */
const FLEET_PROVIDER_PROXIES = 120;

describe('proxy pools and the subscription lifecycle', () => {
  holdFreePoolForSuite();
  // 44 proxies for the tests that import them, and the provider's stock for the fleet of subscriptions.
  const sandbox = useSandbox({
    profile: 'measured',
    proxies: { count: 44 + FLEET_PROVIDER_PROXIES },
    provider: { balance: 1000, pricePerProxyDay: 2 },
  });
  const ctx = useTestContext(() => testConfig(poolEnv()));
  useTestWorker(ctx);
  const api = useTestApi(ctx);
  let admin: Merchant;

  /** The settings of this file's contexts: the sandbox's provider, a small pool minimum, short retries. */
  const poolEnv = (): Record<string, string> => ({
    BILLING_WEBHOOK_SECRET: SECRET,
    PROXY_ALLOW_PRIVATE_ADDRESSES: 'true',
    PROXY_SHORTAGE_RETRY_SECONDS: '1',
    PROXY_PROVIDER_URL: sandbox.provider.url,
    PROXY_PROVIDER_KEY: sandbox.provider.apiKey,
    PROXY_PROVIDER_PERIOD_DAYS: '5',
    PROXY_POOL_MIN: '3',
    KASPI_PUBLIC_URL: sandbox.urls.publicUrl,
  });

  beforeAll(async () => {
    sandbox.seed(contractSeed());
    admin = await registerMerchant(api.url, 'proxy-admin');
    await ctx.db.update(users).set({ role: 'admin' }).where(eq(users.id, admin.id));
  });

  /** Takes every free proxy out of the way (as dead), so a test decides what the free pool holds. */
  async function clearFreePool() {
    await ctx.db.execute(
      sql`update proxies set status = 'dead', last_error = 'set aside by a test' where status = 'available'`,
    );
  }

  /** Imports sandbox proxies through the admin API; returns their ids. */
  async function importSandboxProxies(count: number, from = 0): Promise<string[]> {
    const chosen = sandbox.proxies.slice(from, from + count);
    const reply = await call(api.url, 'POST', '/api/v1/admin/proxies', {
      token: admin.token,
      body: { proxies: chosen.map((p) => p.url) },
    });
    expect(reply.status).toBe(200);
    expect(reply.body.rejected).toEqual([]);
    const rows = await ctx.db
      .select({ id: proxies.id })
      .from(proxies)
      .where(
        and(
          eq(proxies.host, '127.0.0.1'),
          inArray(
            proxies.port,
            chosen.map((p) => p.port),
          ),
        ),
      );
    return rows.map((r) => r.id);
  }

  const held = async (userId: string) =>
    (
      await ctx.db
        .select({ module: proxies.module })
        .from(proxies)
        .where(and(eq(proxies.userId, userId), eq(proxies.status, 'allocated')))
    ).reduce(
      (counts, row) => ({ ...counts, [row.module!]: (counts[row.module!] ?? 0) + 1 }),
      {} as Record<string, number>,
    );
  const planOfUser = async (userId: string) =>
    (await ctx.db.select({ plan: users.plan }).from(users).where(eq(users.id, userId)))[0]!.plan;
  const alertsOf = async (kind: string) => ctx.db.select().from(alerts).where(eq(alerts.kind, kind));

  function webhook(event: unknown, signature?: string) {
    const body = JSON.stringify(event);
    return fetch(`${api.url}/api/v1/billing/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signature ?? signBody(SECRET, body) },
      body,
    }).then(async (res) => ({ status: res.status, body: (await res.json()) as any }));
  }

  async function subscribe(merchant: Merchant, plan = 'start') {
    subscribers.push(merchant.id);
    const reply = await call(api.url, 'POST', '/api/v1/billing/subscribe', { token: merchant.token, body: { plan } });
    expect(reply.status).toBe(201);
    return reply.body as { id: string; amountTenge: number };
  }

  const paid = (paymentId: string, amountTenge: number, periodEnd?: Date) => ({
    id: `evt_${randomUUID()}`,
    type: 'payment.succeeded',
    data: { paymentId, amountTenge, ...(periodEnd ? { periodEnd: periodEnd.toISOString() } : {}) },
  });

  async function grant(merchant: { id: string }, plan = 'start') {
    subscribers.push(merchant.id);
    const reply = await call(api.url, 'POST', '/api/v1/admin/subscriptions', {
      token: admin.token,
      body: { userId: merchant.id, action: 'grant', plan },
    });
    expect(reply.status).toBe(202);
  }

  const status = (merchant: Merchant) =>
    call(api.url, 'GET', '/api/v1/billing/subscription', { token: merchant.token }).then((r) => r.body);

  /** Users whose subscription a test started; whatever a test leaves running is cancelled after it. */
  const subscribers: string[] = [];
  beforeEach(async () => {
    await clearFreePool();
  });
  afterEach(async () => {
    for (const userId of subscribers.splice(0)) {
      const handle = ctx.temporal.workflow.getHandle(subscriptionWorkflowId(userId));
      const running = await handle.describe().then(
        (d) => d.status.name === 'RUNNING',
        () => false,
      );
      if (running) await handle.signal(cancelSignal);
      await handle.result().catch(() => undefined);
    }
  });

  it('imports proxies one line at a time and refuses private addresses when they are not allowed', async () => {
    const strictCtx = testContext(testConfig({ PROXY_ALLOW_PRIVATE_ADDRESSES: 'false' }));
    const strict = await startTestApi(strictCtx);
    try {
      const lines = [
        'http://user:secret@127.0.0.1:3128',
        'http://other:secret@0x7f000001:3128',
        'socks5://10.1.2.3:1080',
        'http://[::1]:8080',
        'http://u:p@localhost:3128',
        'http://u:p@169.254.169.254:80',
        'ftp://u:p@8.8.8.8:21',
        'http://u:p@8.8.4.4',
        `http://u${randomUUID().slice(0, 6)}:secret@8.8.8.8:3128`,
      ];
      const reply = await call(strict.url, 'POST', '/api/v1/admin/proxies', {
        token: admin.token,
        body: { proxies: lines },
      });
      expect(reply.status).toBe(200);
      expect(reply.body.imported).toBe(1);
      expect(reply.body.rejected.map((r: { index: number }) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(reply.body.rejected[1].reason).toMatch(/127\.0\.0\.1 is not a public address/);
      expect(reply.text).not.toContain('secret');
      const merchant = await registerMerchant(api.url, 'not-admin');
      expect(
        (await call(strict.url, 'POST', '/api/v1/admin/proxies', { token: merchant.token, body: { proxies: lines } }))
          .status,
      ).toBe(403);
    } finally {
      await strict.close();
      await strictCtx.close();
    }
    // Imported again, a proxy is updated, not duplicated; its password is stored sealed.
    const [first] = sandbox.proxies;
    const again = await call(api.url, 'POST', '/api/v1/admin/proxies', {
      token: admin.token,
      body: { proxies: [first!.url, first!.url] },
    });
    expect(again.body.rejected).toEqual([
      { index: 1, input: expect.stringContaining('***@'), reason: expect.stringMatching(/earlier/) },
    ]);
    const rows = await ctx.db
      .select()
      .from(proxies)
      .where(and(eq(proxies.host, '127.0.0.1'), eq(proxies.port, first!.port)));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.passwordEnc).toMatch(/^v2\./);
    expect(rows[0]!.passwordEnc).not.toContain(first!.password);
  });

  it('never hands one free proxy to two allocations at once, and tops up only what is missing', async () => {
    await seedProxies(ctx.db, ctx.keyring, 10);
    const [u1, u2] = [await registerMerchant(api.url), await registerMerchant(api.url)];
    const results = await Promise.all([
      allocateProxies(ctx.db, { userId: u1.id, module: 'demper', count: 7 }),
      allocateProxies(ctx.db, { userId: u2.id, module: 'demper', count: 7 }),
      allocateProxies(ctx.db, { userId: u1.id, module: 'demper', count: 7 }),
    ]);
    const [a, b] = [await held(u1.id), await held(u2.id)];
    expect((a.demper ?? 0) + (b.demper ?? 0)).toBe(10);
    expect(a.demper).toBeLessThanOrEqual(7);
    expect(results.map((r) => r.wanted)).toEqual([7, 7, 7]);
  });

  it('subscribe → signed webhook → split allocated → demper reads only through the user’s demper proxies → period end releases all', async () => {
    await importSandboxProxies(40);
    const merchant = await registerMerchant(api.url, 'subscriber');
    const store = await seedStore(ctx.db, merchant.id);
    for (let i = 0; i < 22; i++) await seedProduct(ctx.db, store.id, { active: true, price: 1_000 + i });

    const payment = await subscribe(merchant);
    expect(payment.amountTenge).toBe(PLANS.start.monthlyPriceTenge);
    const periodEnd = new Date(Date.now() + 12_000);
    const applied = await webhook(paid(payment.id, payment.amountTenge, periodEnd));
    expect(applied).toEqual({ status: 200, body: { received: true, outcome: 'applied' } });

    const split = planProxySplit(PLANS.start);
    expect(split).toEqual({ demper: 28, orders: 10, catalog: 2 });
    await waitFor('activation', async () => (await status(merchant)).state === 'active');
    expect(await held(merchant.id)).toEqual(split);
    expect(await planOfUser(merchant.id)).toBe('start');
    const handle = ctx.temporal.workflow.getHandle(subscriptionWorkflowId(merchant.id));
    const description = await handle.describe();
    expect(description.typedSearchAttributes.get(USER_ID_KEY)).toBe(merchant.id);

    // The merchant's demper loop reads its store's cards: through that user's demper proxies only.
    const demperProxies = await ctx.db
      .select({ port: proxies.port })
      .from(proxies)
      .where(and(eq(proxies.userId, merchant.id), eq(proxies.module, 'demper')));
    const demperAddresses = new Set(
      sandbox.proxies.filter((p) => demperProxies.some((d) => d.port === p.port)).map((p) => p.localAddress),
    );
    expect(demperAddresses.size).toBe(28);
    const before = sandbox.requests.length;
    const { store: shop } = await connectStore(ctx, sandbox, OUR_UID, { userId: merchant.id });
    await demperProduct(ctx, shop.id, { kaspiProductId: PRODUCT_ID, sku: OUR_SKU, price: 10_000, minPrice: 5_000 });
    await startLoop(ctx, shop);
    const offerReads = await waitFor('the loop reading both cities twice', async () => {
      const reads = sandbox.requests.slice(before).filter((r) => r.endpoint === 'offers');
      return reads.length >= 4 && reads;
    });
    await stopDemper(control(ctx), shop.id);
    expect(offerReads.every((r) => demperAddresses.has(r.sourceIp) && r.status === 200)).toBe(true);
    expect(new Set(offerReads.map((r) => r.sourceIp)).size).toBeGreaterThan(1);

    // The period ends: every proxy goes back, the plan is free, the merchant is told.
    expect(await handle.result()).toEqual({ userId: merchant.id, plan: 'start', endedBy: 'expired' });
    expect(await held(merchant.id)).toEqual({});
    expect(await planOfUser(merchant.id)).toBe('free');
    const [sub] = await ctx.db.select().from(subscriptions).where(eq(subscriptions.userId, merchant.id));
    expect(sub!.status).toBe('expired');
    const stillOn = await ctx.db
      .select({ price: products.price })
      .from(products)
      .innerJoin(stores, eq(stores.id, products.storeId))
      .where(and(eq(stores.userId, merchant.id), eq(products.active, true)));
    expect(stillOn.map((p) => p.price).sort()).toEqual(
      [...Array.from({ length: 19 }, (_, i) => 1_003 + i), 10_000].sort(),
    );
    const told = await ctx.db
      .select()
      .from(alerts)
      .where(and(eq(alerts.userId, merchant.id), eq(alerts.kind, 'plan_downgraded')));
    expect(told[0]!.message).toMatch(/3 of your least valuable products/);
    expect((await status(merchant)).state).toBe('none');
  });

  it('changes nothing for a forged or replayed webhook', async () => {
    await seedProxies(ctx.db, ctx.keyring, 40);
    const merchant = await registerMerchant(api.url, 'replay');
    const payment = await subscribe(merchant);
    const event = paid(payment.id, payment.amountTenge, new Date(Date.now() + 3_600_000));

    const forged = await webhook(event, signBody('not-the-secret-0123456789', JSON.stringify(event)));
    expect(forged.status).toBe(401);
    const tampered = await webhook(
      { ...event, data: { ...event.data, amountTenge: 1 } },
      signBody(SECRET, JSON.stringify(event)),
    );
    expect(tampered.status).toBe(401);
    expect((await webhook(event, 'sha256=')).status).toBe(401);
    // Signed right, but long ago (a captured request replayed): refused, whichever way the clock is off.
    const body = JSON.stringify(event);
    const old = await webhook(event, signBody(SECRET, body, Math.floor(Date.now() / 1000) - 301));
    expect(old.status).toBe(401);
    expect(old.body.detail).toMatch(/timestamp/);
    expect((await webhook(event, signBody(SECRET, body, Math.floor(Date.now() / 1000) + 301))).status).toBe(401);
    // The unsigned body is never parsed: nonsense with no signature is a 401, not a 400.
    expect((await webhook({ nonsense: true }, 'sha256=')).status).toBe(401);
    const [pending] = await ctx.db.select().from(payments).where(eq(payments.id, payment.id));
    expect(pending!.status).toBe('pending');
    expect(await ctx.db.select().from(billingEvents).where(eq(billingEvents.paymentId, payment.id))).toEqual([]);
    await expect(ctx.temporal.workflow.getHandle(subscriptionWorkflowId(merchant.id)).describe()).rejects.toThrow();

    // Fields the provider added that we do not know are accepted.
    const withExtras = { ...event, livemode: true, data: { ...event.data, currency: 'KZT', card: { last4: '4242' } } };
    expect((await webhook(withExtras)).body.outcome).toBe('applied');
    const [active] = await ctx.db.select().from(subscriptions).where(eq(subscriptions.userId, merchant.id));
    expect((await webhook(event)).body).toEqual({ received: true, outcome: 'duplicate' });
    expect((await webhook({ ...event, id: `evt_${randomUUID()}` })).body.outcome).toBe('duplicate');
    const [after] = await ctx.db.select().from(subscriptions).where(eq(subscriptions.userId, merchant.id));
    expect(after!.currentPeriodEnd).toEqual(active!.currentPeriodEnd);
    expect(await ctx.db.select().from(billingEvents).where(eq(billingEvents.paymentId, payment.id))).toHaveLength(2);
  });

  it('undoes everything when allocation fails half-way', async () => {
    await seedProxies(ctx.db, ctx.keyring, 40);
    const merchant = await registerMerchant(api.url, 'broken');
    // A real failure from PostgreSQL for this user's orders proxies, after the demper ones are taken.
    const trigger = `fail_orders_${merchant.id.replace(/-/g, '')}`;
    await ctx.db.execute(
      sql.raw(`create function ${trigger}() returns trigger language plpgsql as $$ begin
        if new.user_id = '${merchant.id}' and new.module = 'orders' then raise exception 'orders allocation broken'; end if;
        return new; end $$;
        create trigger ${trigger} before update on proxies for each row execute function ${trigger}();`),
    );
    try {
      await grant(merchant);
      await expect(ctx.temporal.workflow.getHandle(subscriptionWorkflowId(merchant.id)).result()).rejects.toThrow(
        /workflow execution failed/i,
      );
    } finally {
      await ctx.db.execute(sql.raw(`drop trigger ${trigger} on proxies; drop function ${trigger}();`));
    }
    expect(await held(merchant.id)).toEqual({});
    expect(await planOfUser(merchant.id)).toBe('free');
    const [sub] = await ctx.db.select().from(subscriptions).where(eq(subscriptions.userId, merchant.id));
    expect(sub!.status).toBe('cancelled');
    expect((await alertsOf('subscription_activation_failed')).some((a) => a.message.includes(merchant.id))).toBe(true);
  });

  it('releases everything when a subscription is cancelled mid-period', async () => {
    await seedProxies(ctx.db, ctx.keyring, 40);
    const merchant = await registerMerchant(api.url, 'cancel');
    await grant(merchant);
    await waitFor('activation', async () => (await status(merchant)).state === 'active');
    expect(await held(merchant.id)).toEqual({ demper: 28, orders: 10, catalog: 2 });

    const cancel = await call(api.url, 'POST', '/api/v1/admin/subscriptions', {
      token: admin.token,
      body: { userId: merchant.id, action: 'cancel' },
    });
    expect(cancel.status).toBe(202);
    expect(await ctx.temporal.workflow.getHandle(subscriptionWorkflowId(merchant.id)).result()).toMatchObject({
      endedBy: 'cancelled',
    });
    expect(await held(merchant.id)).toEqual({});
    expect(await planOfUser(merchant.id)).toBe('free');
    const [sub] = await ctx.db.select().from(subscriptions).where(eq(subscriptions.userId, merchant.id));
    expect(sub!.status).toBe('cancelled');
    expect(
      (
        await call(api.url, 'POST', '/api/v1/admin/subscriptions', {
          token: admin.token,
          body: { userId: merchant.id, action: 'cancel' },
        })
      ).status,
    ).toBe(404);
  });

  it('starts short of proxies, alerts admins, and takes the rest when the pool refills', async () => {
    await seedProxies(ctx.db, ctx.keyring, 5);
    const merchant = await registerMerchant(api.url, 'short');
    await grant(merchant);
    await waitFor('activation', async () => (await status(merchant)).state === 'active');
    expect(await planOfUser(merchant.id)).toBe('start');
    expect(await held(merchant.id)).toEqual({ demper: 5 });
    expect((await alertsOf('proxy_shortage')).some((a) => a.message.includes(merchant.id))).toBe(true);

    await seedProxies(ctx.db, ctx.keyring, 35);
    await waitFor('the rest of the split', async () => {
      const s = await status(merchant);
      return s.proxies.demper.held === 28 && s.proxies.orders.held === 10 && s.proxies.catalog.held === 2;
    });
    expect(await held(merchant.id)).toEqual({ demper: 28, orders: 10, catalog: 2 });
  });

  it("releases a terminated workflow's proxies in the pool workflow's reconciliation", async () => {
    await seedProxies(ctx.db, ctx.keyring, 40);
    const merchant = await registerMerchant(api.url, 'terminated');
    await grant(merchant);
    await waitFor('activation', async () => (await status(merchant)).state === 'active');
    await ctx.temporal.workflow.getHandle(subscriptionWorkflowId(merchant.id)).terminate('operator mistake');
    expect(await held(merchant.id)).toEqual({ demper: 28, orders: 10, catalog: 2 });

    const report = await ctx.temporal.workflow.execute(proxyPoolWorkflow, {
      taskQueue: ctx.config.temporal.taskQueue,
      workflowId: `proxy-pool-test-${randomUUID()}`,
    });
    expect(report.leaks.proxies).toBeGreaterThanOrEqual(40);
    expect(await held(merchant.id)).toEqual({});
    expect(await planOfUser(merchant.id)).toBe('free');
    expect((await alertsOf('proxy_leak')).some((a) => a.message.includes(merchant.id))).toBe(true);
  });

  it('keeps the free pool at its minimum from the provider, within its balance, and prunes old read leases', async () => {
    sandbox.provider.state.balance = 1000;
    const [anyProxy] = await ctx.db.select({ id: proxies.id }).from(proxies).limit(1);
    const [oldLease] = await ctx.db
      .insert(proxyUsageLog)
      .values({ proxyId: anyProxy!.id, requests: 3, startedAt: new Date(Date.now() - 3 * 86_400_000) })
      .returning();
    const report = await ctx.temporal.workflow.execute(proxyPoolWorkflow, {
      taskQueue: ctx.config.temporal.taskQueue,
      workflowId: `proxy-pool-test-${randomUUID()}`,
    });
    expect(report.pool).toMatchObject({ min: 3, bought: 3, free: 3 });
    expect(report.usageLog.deleted).toBeGreaterThanOrEqual(1);
    expect(await ctx.db.select().from(proxyUsageLog).where(eq(proxyUsageLog.id, oldLease!.id))).toEqual([]);
    expect(report.pool.problem).toBeUndefined();
    expect(sandbox.provider.state.balance).toBe(1000 - 3 * 5 * 2);
    const bought = await ctx.db
      .select()
      .from(proxies)
      .where(and(eq(proxies.provider, 'proxy6'), eq(proxies.status, 'available')));
    expect(bought).toHaveLength(3);
    expect(bought.every((p) => p.expiresAt! > new Date() && p.passwordEnc?.startsWith('v2.'))).toBe(true);

    await clearFreePool();
    sandbox.provider.state.balance = 15;
    const poor = await ctx.temporal.workflow.execute(proxyPoolWorkflow, {
      taskQueue: ctx.config.temporal.taskQueue,
      workflowId: `proxy-pool-test-${randomUUID()}`,
    });
    expect(poor.pool).toMatchObject({ bought: 1, free: 1 });
    expect(poor.pool.problem).toMatch(/balance pays for 1 of the 3/);
    expect((await alertsOf('proxy_pool_low')).length).toBeGreaterThan(0);
    expect((await call(api.url, 'GET', '/health/proxies')).status).toBe(401);
    const health = await call(api.url, 'GET', '/health/proxies', { token: TEST_OPERATOR_TOKEN });
    expect(health.body).toMatchObject({ status: 'low', poolMin: 3, proxies: { available: 1 } });
    expect(health.text).not.toMatch(/127\.0\.0\.1|pw-/);
  });

  it('marks a failing proxy dead, replaces it from the free pool, and kills a proxy that answers 407', async () => {
    const merchant = await registerMerchant(api.url, 'dying');
    const [good, wrongPassword, spare] = sandbox.proxies.slice(40, 43);
    const lines = [good!.url, `http://${wrongPassword!.username}:not-the-password@127.0.0.1:${wrongPassword!.port}`];
    expect(
      (await call(api.url, 'POST', '/api/v1/admin/proxies', { token: admin.token, body: { proxies: lines } })).body
        .imported,
    ).toBe(2);
    expect((await allocateProxies(ctx.db, { userId: merchant.id, module: 'orders', count: 2 })).held).toBe(2);
    await call(api.url, 'POST', '/api/v1/admin/proxies', { token: admin.token, body: { proxies: [spare!.url] } });
    // Least recently used goes first: make that the proxy with the wrong password.
    await ctx.db
      .update(proxies)
      .set({ lastUsedAt: new Date() })
      .where(and(eq(proxies.host, '127.0.0.1'), eq(proxies.port, good!.port)));
    const capacity = readCapacityFor(ctx);
    const channel = createReadChannel(ctx);

    // Real reads through the orders proxies: the one with the wrong password answers 407 and dies at once.
    for (let read = 0; read < 4; read++) {
      const grant = await channel.acquire({ userId: merchant.id, module: 'orders', storeId: 'none', reads: 1 });
      if (grant.kind !== 'proxy') throw new Error(`expected a proxy, got ${grant.kind}`);
      try {
        await fetchOffersPage(
          { urls: sandbox.urls, proxyUrl: grant.proxyUrl, timeoutMs: 5_000 },
          { productId: PRODUCT_ID, cityId: ALMATY, page: 0, limit: 5 },
        );
        await channel.report(grant, { ok: 1, failed: 0 });
      } catch (error) {
        expect(isKaspiError(error, 'proxy_auth')).toBe(true);
        await channel.report(grant, { ok: 0, failed: 0, proxyAuthFailed: true });
      }
    }
    const byPort = async (port: number) =>
      (
        await ctx.db
          .select()
          .from(proxies)
          .where(and(eq(proxies.host, '127.0.0.1'), eq(proxies.port, port)))
      )[0]!;
    expect((await byPort(wrongPassword!.port)).status).toBe('dead');
    expect((await byPort(wrongPassword!.port)).lastError).toMatch(/407/);
    expect(await byPort(spare!.port)).toMatchObject({ status: 'allocated', userId: merchant.id, module: 'orders' });

    // Failures: more than half of ten or more requests failing kills the proxy; nothing is left to replace it.
    const grant = await capacity.acquire({ userId: merchant.id, module: 'orders', wanted: 1 });
    expect(grant.kind).toBe('proxy');
    await capacity.report(grant as { leaseId: string; proxyId: string }, {
      succeeded: 4,
      failed: 7,
      lastError: 'proxy refused the tunnel',
    });
    const [dead] = await ctx.db
      .select()
      .from(proxies)
      .where(eq(proxies.id, (grant as { proxyId: string }).proxyId));
    expect(dead).toMatchObject({ status: 'dead', userId: null });
    const deaths = (await alertsOf('proxy_dead')).map((a) => a.message);
    expect(deaths.some((m) => m.includes(`${merchant.id}'s orders proxy; a free proxy replaced it`))).toBe(true);
    expect(deaths.some((m) => m.includes(`${merchant.id}'s orders proxy; the free pool had none`))).toBe(true);
    expect(deaths.join(' ')).not.toContain(wrongPassword!.password);
    // The credential Kaspi's proxy refused was tried once, never again.
    const refused = await byPort(wrongPassword!.port);
    expect(await ctx.db.select().from(proxyUsageLog).where(eq(proxyUsageLog.proxyId, refused.id))).toHaveLength(1);

    // The merchant's last orders proxy goes too, with no spare left: the merchant is told, once it is the last.
    expect(await alertsOf('proxies_spent')).toEqual([]);
    const last = await capacity.acquire({ userId: merchant.id, module: 'orders', wanted: 1 });
    expect(last.kind).toBe('proxy');
    await capacity.report(last as { leaseId: string; proxyId: string }, {
      succeeded: 0,
      failed: 1,
      proxyAuthFailed: true,
    });
    expect(await held(merchant.id)).toEqual({});
    const spent = await alertsOf('proxies_spent');
    expect(spent).toMatchObject([{ audience: 'user', userId: merchant.id }]);
    expect(spent[0]!.message).toMatch(/Every proxy of yours for orders has failed/);
    expect(await capacity.acquire({ userId: merchant.id, module: 'orders', wanted: 1 })).toEqual({ kind: 'direct' });
  });
  /**
   * RELIABILITY.md §6.9: 50 subscriptions allocate their proxies through their lifecycle workflows, 25
   * are cancelled (their compensations release), 10 workflows are terminated (no cleanup runs), and
   * the proxy-pool Schedule's reconciliation runs. Afterwards no proxy of the pool is leaked (the §2.3(3)
   * query is empty, and every holder's workflow runs), every lease open at the provider is a proxy the
   * database holds, and only the 15 live subscriptions hold proxies, each its whole split.
   */
  it('leaks no proxy through 50 subscriptions, 25 cancelled and 10 terminated, once the scheduled reconciliation ran', async () => {
    const FLEET = 50;
    const split = planProxySplit(PLANS.start);
    const perUser = split.demper + split.orders + split.catalog;
    // A worker of its own runs the pool workflow, whose minimum is what the fleet buys from the provider.
    const poolCtx = testContext(testConfig({ ...poolEnv(), PROXY_POOL_MIN: String(FLEET_PROVIDER_PROXIES) }));
    const poolWorker = await startTestWorker(poolCtx);
    const scheduleId = `proxy-pool-fleet-${randomUUID()}`;
    expect(
      await ensureProxyPoolSchedule(ctx.temporal, { taskQueue: poolCtx.config.temporal.taskQueue, scheduleId }),
    ).toBe('created');
    const schedule = ctx.temporal.schedule.getHandle(scheduleId);
    /** Triggers the Schedule now, as its interval would, and waits for that run's report. */
    const runSchedule = async (): Promise<ProxyPoolReport> => {
      const before = (await schedule.describe()).info.recentActions.length;
      await schedule.trigger();
      const started = await waitFor(
        'the scheduled run to start',
        async () => (await schedule.describe()).info.recentActions[before]?.action,
      );
      if (started.type !== 'startWorkflow') throw new Error(`unexpected schedule action ${started.type}`);
      return ctx.temporal.workflow
        .getHandle(started.workflow.workflowId, started.workflow.firstExecutionRunId)
        .result();
    };
    const provider = createProxy6Provider({ url: sandbox.provider.url, apiKey: sandbox.provider.apiKey });
    try {
      // The free pool: bought from the provider by the scheduled run, topped up with admin imports.
      sandbox.provider.state.balance = 10_000;
      const stocked = await runSchedule();
      expect(stocked.pool).toMatchObject({ min: FLEET_PROVIDER_PROXIES, free: FLEET_PROVIDER_PROXIES });
      // Allocations an earlier test left without a subscription were released into the pool first.
      const bought = stocked.pool.bought;
      expect(bought).toBeGreaterThan(FLEET_PROVIDER_PROXIES / 2);
      const imported = await seedProxies(ctx.db, ctx.keyring, FLEET * perUser + 40 - FLEET_PROVIDER_PROXIES);
      const pool = (await ctx.db.select({ id: proxies.id }).from(proxies).where(eq(proxies.status, 'available'))).map(
        (p) => p.id,
      );
      expect(pool).toHaveLength(FLEET_PROVIDER_PROXIES + imported.length);

      const users_ = await Promise.all(Array.from({ length: FLEET }, () => seedUser(ctx.db)));
      const fleet = users_.map((u) => u.id);
      await Promise.all(fleet.map((userId) => grant({ id: userId })));
      const holdings = async () =>
        (
          await ctx.db.execute<{
            user_id: string;
            demper: number;
            orders: number;
            catalog: number;
            from_provider: number;
          }>(sql`
            select user_id, count(*) filter (where module = 'demper')::int as demper, count(*) filter (where module = 'orders')::int as orders,
              count(*) filter (where module = 'catalog')::int as catalog, count(*) filter (where provider = 'proxy6')::int as from_provider
            from proxies where status = 'allocated' and user_id = any(${`{${fleet.join(',')}}`}::uuid[]) group by user_id`)
        ).rows;
      const whole = (h: { demper: number; orders: number; catalog: number }) =>
        h.demper === split.demper && h.orders === split.orders && h.catalog === split.catalog;
      const activated = await waitFor(
        'every subscription to hold its split on the start plan',
        async () => {
          const rows = await holdings();
          const onPlan = await ctx.db
            .select({ id: users.id })
            .from(users)
            .where(and(inArray(users.id, fleet), eq(users.plan, 'start')));
          return rows.length === FLEET && rows.every(whole) && onPlan.length === FLEET && rows;
        },
        60_000,
      );
      // The oldest free proxies go first: the provider's are all held.
      expect(activated.reduce((n, h) => n + h.from_provider, 0)).toBe(bought);

      // The holders of the provider's proxies are terminated; of the rest, 25 are cancelled and 15 live on.
      const byProviderProxies = [...activated].sort((a, b) => b.from_provider - a.from_provider).map((h) => h.user_id);
      const terminated = byProviderProxies.slice(0, 10);
      const cancelled = byProviderProxies.slice(10, 35);
      const live = byProviderProxies.slice(35);
      for (const userId of cancelled) {
        const reply = await call(api.url, 'POST', '/api/v1/admin/subscriptions', {
          token: admin.token,
          body: { userId, action: 'cancel' },
        });
        expect(reply.status).toBe(202);
      }
      for (const userId of terminated)
        await ctx.temporal.workflow.getHandle(subscriptionWorkflowId(userId)).terminate('operator mistake');
      const ended = await Promise.all(
        cancelled.map((userId) => ctx.temporal.workflow.getHandle(subscriptionWorkflowId(userId)).result()),
      );
      expect(ended.every((r) => r.endedBy === 'cancelled')).toBe(true);

      // The cancelled gave everything back; the terminated did not, and their subscriptions still look active.
      const before = new Map((await holdings()).map((h) => [h.user_id, h]));
      expect(cancelled.filter((u) => before.has(u))).toEqual([]);
      expect(terminated.every((u) => before.get(u) && whole(before.get(u)!))).toBe(true);
      const stillActive = await ctx.db
        .select()
        .from(subscriptions)
        .where(and(inArray(subscriptions.userId, terminated), eq(subscriptions.status, 'active')));
      expect(stillActive).toHaveLength(10);

      const reconciled = await runSchedule();
      expect(reconciled.leaks.users).toBeGreaterThanOrEqual(terminated.length);
      expect(reconciled.leaks.proxies).toBeGreaterThanOrEqual(terminated.length * perUser);
      expect(reconciled.pool.bought).toBe(0);

      // No leak: the §2.3(3) query over the pool is empty, and whoever holds a proxy has a running workflow.
      expect(await leakedProxies(ctx.db, pool)).toEqual([]);
      const after = await holdings();
      expect(after.map((h) => h.user_id).sort()).toEqual([...live].sort());
      expect(after.every(whole)).toBe(true);
      for (const userId of live)
        expect((await ctx.temporal.workflow.getHandle(subscriptionWorkflowId(userId)).describe()).status.name).toBe(
          'RUNNING',
        );
      const closed = await ctx.db
        .select()
        .from(subscriptions)
        .where(inArray(subscriptions.userId, [...terminated, ...cancelled]));
      expect(closed.map((c) => c.status)).toEqual(Array(35).fill('cancelled'));
      const plans = await ctx.db.select({ id: users.id, plan: users.plan }).from(users).where(inArray(users.id, fleet));
      expect(
        plans
          .filter((p) => p.plan === 'start')
          .map((p) => p.id)
          .sort(),
      ).toEqual([...live].sort());
      const told = (await alertsOf('proxy_leak')).map((a) => a.message);
      expect(terminated.every((u) => told.some((m) => m.includes(`${perUser} proxies of user ${u}`)))).toBe(true);

      // Every allocation of the pool belongs to a live subscription, and the provider's open leases are
      // exactly the provider proxies the database holds (free or allocated): none paid for and forgotten.
      const allocated = await ctx.db
        .select({ id: proxies.id, userId: proxies.userId })
        .from(proxies)
        .where(and(inArray(proxies.id, pool), eq(proxies.status, 'allocated')));
      expect(allocated).toHaveLength(live.length * perUser);
      expect(allocated.every((a) => live.includes(a.userId!))).toBe(true);
      const open = (await provider.list())
        .filter((p) => p.expiresAt.getTime() > Date.now())
        .map((p) => p.providerProxyId);
      const held = await ctx.db
        .select({ providerProxyId: proxies.providerProxyId, status: proxies.status })
        .from(proxies)
        .where(and(eq(proxies.provider, 'proxy6'), isNotNull(proxies.providerProxyId), ne(proxies.status, 'dead')));
      expect(new Set(open)).toEqual(new Set(held.map((h) => h.providerProxyId)));
      expect(open).toHaveLength(bought);
      expect(held.filter((h) => h.status === 'available')).toHaveLength(
        bought - after.reduce((n, h) => n + h.from_provider, 0),
      );
    } finally {
      await schedule.delete();
      await poolWorker.stop();
      await poolCtx.close();
    }
  }, 110_000);
});
