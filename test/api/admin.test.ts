import { randomUUID } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxies, subscriptions, users } from '../../src/db/schema';
import { storeWorkflowsLink } from '../../src/domain/temporal-links';
import { sealFor } from '../../src/db/sealed-columns';
import { call, registerMerchant, type Merchant } from '../support/http';
import { seedProduct, seedStore, seedUser } from '../support/seed';
import { useTestApi, useTestContext } from '../support/env';

/**
 * The admin's reads behind the cabinet's admin screens: accounts with their stores and active products,
 * the proxy pool with what is out of service (never a password), subscriptions, and the system's state.
 */
describe('admin reads', () => {
  const ctx = useTestContext();
  const api = useTestApi(ctx);
  let admin: Merchant;
  let merchant: Merchant;
  const proxyIds: string[] = [];

  beforeAll(async () => {
    [admin, merchant] = await Promise.all([registerMerchant(api.url, 'admin'), registerMerchant(api.url, 'shop')]);
    await ctx.db.update(users).set({ role: 'admin' }).where(eq(users.id, admin.id));
  });

  afterAll(async () => {
    if (proxyIds.length) await ctx.db.delete(proxies).where(inArray(proxies.id, proxyIds));
  });

  const get = (path: string, who: Merchant | null = admin) =>
    call(api.url, 'GET', `/api/v1/admin/${path}`, { token: who?.token });

  it('refuses merchants (403) and strangers (401) on every admin read', async () => {
    for (const path of ['users', 'proxies', 'subscriptions', 'system']) {
      expect((await get(path, merchant)).status, path).toBe(403);
      expect((await get(path, null)).status, path).toBe(401);
    }
  });

  it("lists accounts with the plan, the subscription's end, the stores and their active products", async () => {
    const tag = randomUUID().slice(0, 8);
    const user = await seedUser(ctx.db, { email: `counted-${tag}@example.kz`, plan: 'start' });
    const [busy, quiet] = [await seedStore(ctx.db, user.id), await seedStore(ctx.db, user.id)];
    await seedStore(ctx.db, user.id, { deletedAt: new Date() });
    for (const active of [true, true, false]) await seedProduct(ctx.db, busy.id, { active });
    await seedProduct(ctx.db, quiet.id, { active: true });
    const periodEnd = new Date(Date.now() + 10 * 86_400_000);
    await ctx.db
      .insert(subscriptions)
      .values({ userId: user.id, plan: 'start', status: 'active', currentPeriodEnd: periodEnd });

    const reply = await get(`users?email=${encodeURIComponent(`counted-${tag}`)}`);
    expect(reply.status).toBe(200);
    expect(reply.body.total).toBe(1);
    const ui = { url: ctx.config.temporal.uiUrl, namespace: ctx.config.temporal.namespace };
    expect(reply.body.items[0]).toEqual({
      id: user.id,
      email: user.email,
      role: 'user',
      plan: 'start',
      subscriptionEnd: periodEnd.toISOString(),
      stores: [
        { id: busy.id, name: busy.name, activeProducts: 2, workflowsUrl: storeWorkflowsLink(ui, busy.id) },
        { id: quiet.id, name: quiet.name, activeProducts: 1, workflowsUrl: storeWorkflowsLink(ui, quiet.id) },
      ],
      activeProducts: 3,
      createdAt: user.createdAt.toISOString(),
    });

    // A merchant without stores or subscription, found by part of the email.
    const plain = await get(`users?email=${encodeURIComponent(merchant.email.slice(0, 20))}`);
    expect(plain.body.items).toEqual([
      expect.objectContaining({ id: merchant.id, plan: 'free', stores: [], activeProducts: 0 }),
    ]);
    expect(plain.body.items[0]).not.toHaveProperty('subscriptionEnd');
  });

  it('shows the pool with its dead and benched proxies, addresses without passwords', async () => {
    const owner = await seedUser(ctx.db);
    const password = `secret-${randomUUID()}`;
    const row = (status: 'dead' | 'allocated', values: Partial<typeof proxies.$inferInsert>) => {
      const id = randomUUID();
      proxyIds.push(id);
      return {
        id,
        host: `198.19.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
        port: 3128,
        username: `u-${id.slice(0, 6)}`,
        passwordEnc: sealFor(ctx.keyring, 'proxyPassword', id, password),
        status,
        ...values,
      };
    };
    const dead = row('dead', { lastError: 'CONNECT refused 3 times' });
    // Benched while held by a user, so the shared free pool is left as it was.
    const restUntil = new Date(Date.now() + 3600_000);
    const benched = row('allocated', {
      userId: owner.id,
      module: 'demper',
      allocatedAt: new Date(),
      restUntil,
      lastError: 'HTTP 403 from Kaspi',
    });
    await ctx.db.insert(proxies).values([dead, benched]);

    const reply = await get('proxies');
    expect(reply.status).toBe(200);
    expect(reply.text).not.toContain(password);
    expect(reply.body.counts.dead).toBeGreaterThanOrEqual(1);
    expect(reply.body.counts.resting).toBeGreaterThanOrEqual(1);
    expect(reply.body.allocatedByModule.demper).toBeGreaterThanOrEqual(1);
    expect(reply.body.dead).toContainEqual(
      expect.objectContaining({
        id: dead.id,
        endpoint: `http://${dead.username}@${dead.host}:3128`,
        lastError: 'CONNECT refused 3 times',
      }),
    );
    expect(reply.body.benched).toContainEqual(
      expect.objectContaining({ id: benched.id, restUntil: restUntil.toISOString(), lastError: 'HTTP 403 from Kaspi' }),
    );
    // The test configuration has no provider key: the balance is not asked for, and says so.
    expect(reply.body.provider).toEqual({ status: 'not_configured' });
  });

  it('lists subscriptions with their user, active ones first', async () => {
    const user = await seedUser(ctx.db);
    const ended = await seedUser(ctx.db);
    const periodEnd = new Date(Date.now() + 5 * 86_400_000);
    await ctx.db.insert(subscriptions).values([
      { userId: user.id, plan: 'pro', status: 'active', currentPeriodEnd: periodEnd },
      { userId: ended.id, plan: 'start', status: 'cancelled', currentPeriodEnd: new Date(), cancelledAt: new Date() },
    ]);
    const active = await get('subscriptions?status=active&limit=200');
    expect(active.body.items).toContainEqual(
      expect.objectContaining({ userId: user.id, email: user.email, plan: 'pro', periodEnd: periodEnd.toISOString() }),
    );
    expect(active.body.items.every((s: { status: string }) => s.status === 'active')).toBe(true);
    const cancelled = await get('subscriptions?status=cancelled&limit=200');
    expect(cancelled.body.items).toContainEqual(
      expect.objectContaining({ userId: ended.id, status: 'cancelled', cancelledAt: expect.any(String) }),
    );
  });

  it('tells the state of the database, Temporal and its workers, and where the Temporal UI is', async () => {
    const reply = await get('system');
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      database: { status: 'ok', latencyMs: expect.any(Number) },
      // This suite starts no worker on its own task queue.
      temporal: {
        status: 'no_worker',
        namespace: { name: ctx.config.temporal.namespace, reachable: true },
        taskQueue: { name: ctx.config.temporal.taskQueue, workflowPollers: 0, activityPollers: 0 },
      },
      alerts: { lastDay: expect.any(Number), undelivered: expect.any(Number), recent: expect.any(Array) },
      temporalUi: { url: ctx.config.temporal.uiUrl, namespace: ctx.config.temporal.namespace },
    });
  });
});
