import { and, eq, gt } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { priceChanges } from '../../src/db/schema';
import { ALMATY } from '../../src/kaspi/cities';
import { demperWorkflowId, stopDemper } from '../../src/stores/demper-control';
import { STORE_ID_KEY, USER_ID_KEY } from '../../src/workflows/messages';
import { useTestApi } from '../support/env';
import { connectStore, demperProduct, loopStatus, startLoop, useDemperStack } from '../support/demper';
import { waitFor } from '../support/wait';
import { call, registerMerchant, type Merchant } from '../support/http';

const OURS = '30700001';
const OTHER_STORE = '30700002';
const RIVAL = '30800001';
const PRODUCT = { productId: '700000001', sku: 'CTRL-1' };

/**
 * Controlling a running loop through the API: pause stops pushes (the sandbox's own record says so),
 * resume restarts them, a configuration applies from the next cycle, the merchant-wide pause reaches
 * every store, the status (cycle count, configuration) carries over continue-as-new, and a stop
 * mid-push ends the loop cleanly.
 */
describe('pausing, resuming and configuring the loop', () => {
  const { sandbox, ctx } = useDemperStack({
    env: { DEMPER_HISTORY_LIMIT_EVENTS: '40' },
    market: {
      merchants: [
        { uid: OURS, name: 'Мы', points: [{ code: 'PP1', cityId: ALMATY }] },
        { uid: OTHER_STORE, name: 'Мы тоже', points: [{ code: 'PP1', cityId: ALMATY }] },
        { uid: RIVAL, name: 'Rival', points: [{ code: 'PP1', cityId: ALMATY }] },
      ],
      offers: [
        { merchantUid: OURS, sku: PRODUCT.sku, productId: PRODUCT.productId, price: 10_000 },
        { merchantUid: RIVAL, sku: 'R-1', productId: PRODUCT.productId, price: 9_000 },
      ],
      // A rival that keeps raising: every cycle has a change to push (up to just under it).
      bots: [{ merchantUid: RIVAL, sku: 'R-1', kind: 'raise', intervalMs: 400, stepTenge: 10, ceilingPrice: 50_000 }],
    },
  });
  const api = useTestApi(ctx);
  let merchant: Merchant;
  let storeId: string;
  let otherStoreId: string;

  const ourPushes = (sinceMs: number) =>
    sandbox.market.pushLog({ merchantUid: OURS, sinceMs }).filter((p) => p.status === 200);
  const path = (suffix = '') => `/api/v1/stores/${storeId}/demper${suffix}`;
  const as = () => ({ token: merchant.token });

  beforeAll(async () => {
    merchant = await registerMerchant(api.url, 'demper-control');
    const { store } = await connectStore(ctx, sandbox, OURS, { userId: merchant.id });
    const other = await connectStore(ctx, sandbox, OTHER_STORE, { userId: merchant.id });
    storeId = store.id;
    otherStoreId = other.store.id;
    await demperProduct(ctx, store.id, {
      kaspiProductId: PRODUCT.productId,
      sku: PRODUCT.sku,
      price: 10_000,
      minPrice: 5_000,
    });
    await startLoop(ctx, store);
    await startLoop(ctx, other.store);
  });

  it('reports the running loop, and sets the search attributes operators filter by', async () => {
    await waitFor('the first push', () => ourPushes(0).length > 0);
    const status = await call(api.url, 'GET', path(), as());
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      storeId,
      state: 'running',
      pausedReason: null,
      config: { intervalSeconds: 5, dryRun: false },
    });
    expect(status.body.cycle).toBeGreaterThanOrEqual(1);
    const description = await ctx.temporal.workflow.getHandle(demperWorkflowId(storeId)).describe();
    expect(description.typedSearchAttributes.get(STORE_ID_KEY)).toBe(storeId);
    expect(description.typedSearchAttributes.get(USER_ID_KEY)).toBe(merchant.id);
  });

  it('stops pushing while paused and pushes again after resume', async () => {
    expect((await call(api.url, 'POST', path('/pause'), as())).status).toBe(202);
    await waitFor('the paused state', async () => (await loopStatus(ctx, storeId)).state === 'paused');
    // A push already on its way when the pause arrived may still land; give it a moment, then none may follow.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const settled = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(ourPushes(settled)).toEqual([]);
    const paused = (await call(api.url, 'GET', path(), as())).body;
    expect(paused).toMatchObject({ state: 'paused', pausedReason: 'paused_by_merchant', nextCheckAt: null });

    expect((await call(api.url, 'POST', path('/resume'), as())).status).toBe(202);
    const resumedAt = Date.now();
    await waitFor('a push after resume', () => ourPushes(resumedAt).length > 0, 15_000);
    expect((await loopStatus(ctx, storeId)).state).toBe('running');
  });

  it('applies a configuration from the next cycle: a dry run proposes and pushes nothing', async () => {
    const bad = await call(api.url, 'PATCH', path(), {
      ...as(),
      body: { intervalSeconds: 10, hotIntervalSeconds: 20 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'body.hotIntervalSeconds' })]);
    const tooShort = await call(api.url, 'PATCH', path(), { ...as(), body: { intervalSeconds: 4 } });
    expect(tooShort.status).toBe(400);

    const since = new Date();
    const dry = await call(api.url, 'PATCH', path(), { ...as(), body: { dryRun: true } });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, intervalSeconds: 5, hotIntervalSeconds: 5 });
    const proposal = await waitFor('a proposal', async () => {
      const [row] = await ctx.db
        .select()
        .from(priceChanges)
        .where(
          and(
            eq(priceChanges.storeId, storeId),
            eq(priceChanges.status, 'proposed'),
            gt(priceChanges.createdAt, since),
          ),
        );
      return row;
    });
    const proposedAt = proposal.createdAt.getTime();
    await waitFor(
      'the next cycle',
      async () => ((await loopStatus(ctx, storeId)).lastCycle?.cycle ?? 0) > proposal.cycle,
      15_000,
    );
    expect(ourPushes(proposedAt)).toEqual([]);

    const live = await call(api.url, 'PATCH', path(), { ...as(), body: { dryRun: false } });
    expect(live.body.dryRun).toBe(false);
    const liveAt = Date.now();
    await waitFor('pushes again', () => ourPushes(liveAt).length > 0, 15_000);
  });

  it('keeps its status across continue-as-new', async () => {
    const handle = ctx.temporal.workflow.getHandle(demperWorkflowId(storeId));
    const { runId } = await handle.describe();
    const before = await loopStatus(ctx, storeId);
    await waitFor('a new run', async () => (await handle.describe()).runId !== runId, 40_000);
    const after = await loopStatus(ctx, storeId);
    // The new run goes on counting from where the old one left off, even when it took over between cycles.
    expect(after.cycle).toBeGreaterThanOrEqual(before.cycle);
    expect(after.config).toEqual(before.config);
    expect(after.lastCycle).not.toBeNull();
    expect((await handle.describe()).typedSearchAttributes.get(STORE_ID_KEY)).toBe(storeId);
  });

  it('pauses and resumes every store of the merchant at once', async () => {
    const reply = await call(api.url, 'POST', '/api/v1/demper/pause', as());
    expect(reply).toMatchObject({ status: 202, body: { stores: 2 } });
    for (const id of [storeId, otherStoreId]) {
      await waitFor(`store ${id} paused`, async () => (await loopStatus(ctx, id)).state === 'paused');
    }
    expect((await call(api.url, 'POST', '/api/v1/demper/resume', as())).status).toBe(202);
    for (const id of [storeId, otherStoreId]) {
      await waitFor(`store ${id} running`, async () => (await loopStatus(ctx, id)).state === 'running');
    }
  });

  it('keeps a store resumed on its own running when its loop starts again, though every store was paused', async () => {
    expect((await call(api.url, 'POST', '/api/v1/demper/pause', as())).status).toBe(202);
    expect((await call(api.url, 'POST', `/api/v1/stores/${otherStoreId}/demper/resume`, as())).status).toBe(202);
    const handle = ctx.temporal.workflow.getHandle(demperWorkflowId(otherStoreId));
    await stopDemper({ temporal: ctx.temporal, db: ctx.db, config: ctx.config }, otherStoreId);
    await handle.result();
    await startLoop(ctx, { id: otherStoreId, userId: merchant.id });
    const restarted = await waitFor('a cycle of the restarted loop', async () => {
      const status = await loopStatus(ctx, otherStoreId);
      return status.cycle >= 1 ? status : null;
    });
    expect(restarted).toMatchObject({ state: 'running', pausedReason: null });
    expect((await loopStatus(ctx, storeId)).state).toBe('paused');
    expect((await call(api.url, 'POST', '/api/v1/demper/resume', as())).status).toBe(202);
    await waitFor('the first store running again', async () => (await loopStatus(ctx, storeId)).state === 'running');
  });

  it('answers another merchant with 404', async () => {
    const stranger = await registerMerchant(api.url, 'demper-stranger');
    for (const [method, suffix] of [
      ['GET', ''],
      ['POST', '/pause'],
      ['POST', '/resume'],
    ] as const) {
      expect((await call(api.url, method, path(suffix), { token: stranger.token })).status).toBe(404);
    }
  });

  it('ends cleanly when stopped while a push is on its way', async () => {
    const handle = ctx.temporal.workflow.getHandle(demperWorkflowId(storeId));
    // Kaspi is slow to take the next push, so the stop lands while it is in flight.
    const slow = sandbox.faults.add({ endpoint: 'pricefeed', kind: 'slow', delayMs: 3_000, times: 1 });
    await waitFor('a push on its way', () => slow.fired > 0, 15_000);
    await stopDemper({ temporal: ctx.temporal, db: ctx.db, config: ctx.config }, storeId);
    await handle.result();
    const { events } = await handle.fetchHistory();
    expect(events!.filter((e) => e.workflowTaskFailedEventAttributes)).toEqual([]);
    expect((await handle.describe()).status.name).toBe('COMPLETED');
  });
});
