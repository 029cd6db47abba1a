import { and, eq, inArray, sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extendSubscription, startOrRenewSubscription } from '../../src/billing/subscriptions';
import { products, proxies } from '../../src/db/schema';
import { PLANS, planProxySplit } from '../../src/domain/plans';
import { ALMATY } from '../../src/kaspi/cities';
import { kaspiUrlsEnv } from '../../sandbox';
import { catalogSyncWorkflow } from '../../src/workflows/catalog-sync';
import {
  cancelSignal,
  catalogSyncWorkflowId,
  subscriptionStatusQuery,
  subscriptionWorkflowId,
} from '../../src/workflows/messages';
import type { subscriptionWorkflow } from '../../src/workflows/subscription';
import { inject } from 'vitest';
import { startTestWorker, testConfig, useTestContext, type RunningWorker } from '../support/env';
import { connectStore } from '../support/demper';
import { exited, spawnEntry, workerProcessEnv } from '../support/processes';
import { holdFreePoolForSuite, leakedProxies, seedProxies } from '../support/proxies';
import { useSandbox } from '../support/sandbox';
import { seedUser } from '../support/seed';
import { waitFor } from '../support/wait';
import { retriedActivities, stuckWorkflows } from '../support/workflow-states';

const OURS = '31600001';
/** Two full pages of the cabinet's offer list (100 each) and a part. */
const OFFERS = Array.from({ length: 250 }, (_, i) => ({ sku: `KS-${i}`, productId: String(960_000_000 + i) }));
/** An offer of the second page: its import waits at the barrier. */
const BARRIER_SKU = OFFERS[150]!.sku;
/** The barrier's advisory lock: the test holds it, the writes at the barrier wait for it. */
const BARRIER = 7_000_002;
const HEARTBEAT_SETTINGS = { SUBSCRIPTION_HEARTBEAT_TIMEOUT_SECONDS: '3', CATALOG_HEARTBEAT_TIMEOUT_SECONDS: '3' };

/**
 * RELIABILITY.md §6.2 for the subscription saga and the catalog sync: a worker process is SIGKILLed
 * while one of its activities is allocating a subscription's orders proxies (the demper ones are taken)
 * and another is importing the second page of a catalog sync, both held inside their PostgreSQL
 * writes. A new worker takes over. Both activities run again once their heartbeats stop; afterwards the
 * invariants of §2.3 hold: the user holds the plan's split exactly once and no proxy leaks (also after
 * the cancel), every offer is one product row, and no workflow of the test is stuck.
 */
describe('a worker killed while it allocates proxies and syncs a catalog', () => {
  holdFreePoolForSuite();
  const sandbox = useSandbox({
    market: {
      merchants: [{ uid: OURS, name: 'Kill Shop', points: [{ code: 'PP1', cityId: ALMATY }] }],
      offers: OFFERS.map((o, i) => ({ merchantUid: OURS, ...o, price: 5_000 + i })),
    },
  });
  const ctx = useTestContext(() =>
    testConfig({ ...kaspiUrlsEnv(sandbox.urls), KASPI_TIMEOUT_MS: '3000', ...HEARTBEAT_SETTINGS }),
  );
  let barrier: pg.Client;
  let replacement: RunningWorker | undefined;

  beforeAll(async () => {
    barrier = new pg.Client({ connectionString: inject('databaseUrl') });
    await barrier.connect();
  });
  afterAll(async () => {
    await replacement?.stop();
    await barrier?.end();
  });

  it('carries both on under another worker with no duplicate, no leaked proxy and no stuck workflow', async () => {
    const { user, store } = await connectStore(ctx, sandbox, OURS, { userId: (await seedUser(ctx.db)).id });
    const split = planProxySplit(PLANS.start);
    const pool = await seedProxies(ctx.db, ctx.keyring, split.demper + split.orders + split.catalog);
    const triggers = `kill_barrier_${store.id.replace(/-/g, '')}`;
    await ctx.db.execute(
      sql.raw(`
        create function ${triggers}_proxies() returns trigger language plpgsql as $$ begin
          if new.user_id = '${user.id}' and new.module = 'orders' then perform pg_advisory_xact_lock(${BARRIER}); end if;
          return new; end $$;
        create trigger ${triggers}_proxies before update on proxies for each row execute function ${triggers}_proxies();
        create function ${triggers}_products() returns trigger language plpgsql as $$ begin
          if new.store_id = '${store.id}' and new.sku = '${BARRIER_SKU}' then perform pg_advisory_xact_lock(${BARRIER}); end if;
          return new; end $$;
        create trigger ${triggers}_products before insert on products for each row execute function ${triggers}_products();`),
    );
    await barrier.query('select pg_advisory_lock($1)', [BARRIER]);
    const waitingAtBarrier = async () =>
      (
        await barrier.query<{ n: number }>(
          `select count(*)::int as n from pg_locks where locktype = 'advisory' and objid = $1 and not granted`,
          [BARRIER],
        )
      ).rows[0]!.n;

    const doomed = spawnEntry(
      'src/worker.ts',
      workerProcessEnv(ctx.config.temporal.taskQueue, {
        ...kaspiUrlsEnv(sandbox.urls),
        KASPI_TIMEOUT_MS: '3000',
        ...HEARTBEAT_SETTINGS,
      }),
    );
    const subscriptionId = subscriptionWorkflowId(user.id);
    const syncId = catalogSyncWorkflowId(store.id);
    try {
      await waitFor(
        'the worker process to poll',
        () => doomed.output().includes('worker polling') || doomed.exitCode !== null,
        90_000,
      );
      expect(doomed.exitCode, doomed.output()).toBeNull();
      // Started as the billing and catalog routes start them.
      await ctx.db.transaction(async (tx) => {
        const periodEnd = await extendSubscription(tx, {
          userId: user.id,
          plan: 'start',
          periodEnd: new Date(Date.now() + 3_600_000),
          periodDays: 30,
        });
        await startOrRenewSubscription(ctx.temporal, ctx.config, { userId: user.id, plan: 'start', periodEnd });
      });
      await ctx.temporal.workflow.start(catalogSyncWorkflow, {
        workflowId: syncId,
        taskQueue: ctx.config.temporal.taskQueue,
        args: [
          { storeId: store.id, userId: user.id, heartbeatTimeoutSeconds: ctx.config.catalog.heartbeatTimeoutSeconds },
        ],
      });
      await waitFor(
        'the allocation and the page import at the barrier',
        async () => (await waitingAtBarrier()) === 2,
        60_000,
      );
      doomed.kill('SIGKILL');
      await exited(doomed);
      expect(doomed.signalCode).toBe('SIGKILL');
    } finally {
      if (doomed.exitCode === null && doomed.signalCode === null) doomed.kill('SIGKILL');
      await barrier.query('select pg_advisory_unlock($1)', [BARRIER]);
      await ctx.db.execute(
        sql.raw(`drop trigger ${triggers}_proxies on proxies; drop function ${triggers}_proxies();
          drop trigger ${triggers}_products on products; drop function ${triggers}_products();`),
      );
    }
    // Before the kill the demper proxies were taken and the first page imported; the rest was in flight.
    const heldBy = async () =>
      Object.fromEntries(
        (
          await ctx.db.execute<{ module: string; n: number }>(sql`
            select module, count(*)::int as n from proxies where user_id = ${user.id} and status = 'allocated' group by module`)
        ).rows.map((r) => [r.module, r.n]),
      );

    replacement = await startTestWorker(ctx);
    const subscription = ctx.temporal.workflow.getHandle<typeof subscriptionWorkflow>(subscriptionId);
    // Queries go to the dead worker's sticky queue until Temporal gives up on it: ask again until one answers.
    await waitFor(
      'the subscription to be active',
      async () => (await subscription.query(subscriptionStatusQuery).catch(() => null))?.state === 'active',
      60_000,
    );
    const progress = await ctx.temporal.workflow.getHandle<typeof catalogSyncWorkflow>(syncId).result();

    // Both activities the kill interrupted ran again because their heartbeats stopped.
    const retriedAllocations = await retriedActivities(ctx.temporal, subscriptionId);
    expect(retriedAllocations.map((r) => r.type)).toEqual(['allocateModuleProxies']);
    expect(retriedAllocations[0]!.lastFailure).toMatch(/heartbeat/i);
    const retriedPages = await retriedActivities(ctx.temporal, syncId);
    expect(retriedPages.map((r) => r.type)).toEqual(['syncCatalogPage']);
    expect(retriedPages[0]!.lastFailure).toMatch(/heartbeat/i);

    // No duplicate side effect: the plan's split once, every offer one product row.
    expect(await heldBy()).toEqual(split);
    expect(progress).toMatchObject({
      state: 'done',
      pagesDone: 3,
      offersSeen: OFFERS.length,
      vanished: 0,
      error: null,
    });
    const rows = await ctx.db
      .select({ sku: products.sku, vanishedAt: products.vanishedAt })
      .from(products)
      .where(eq(products.storeId, store.id));
    expect(rows).toHaveLength(OFFERS.length);
    expect(new Set(rows.map((r) => r.sku))).toEqual(new Set(OFFERS.map((o) => o.sku)));
    expect(rows.every((r) => r.vanishedAt === null)).toBe(true);

    // No leaked proxy, and no stuck workflow: the sync is over, the subscription waits on its period's timer.
    expect(await leakedProxies(ctx.db, pool)).toEqual([]);
    expect(await stuckWorkflows(ctx.temporal, [subscriptionId, syncId])).toEqual([]);
    expect((await subscription.describe()).status.name).toBe('RUNNING');

    // Cancelled, the subscription gives every proxy back.
    await subscription.signal(cancelSignal);
    expect(await subscription.result()).toMatchObject({ endedBy: 'cancelled' });
    expect(await heldBy()).toEqual({});
    expect(await leakedProxies(ctx.db, pool)).toEqual([]);
    const back = await ctx.db
      .select({ id: proxies.id })
      .from(proxies)
      .where(and(inArray(proxies.id, pool), eq(proxies.status, 'available')));
    expect(back).toHaveLength(pool.length);
    expect(await stuckWorkflows(ctx.temporal, [subscriptionId, syncId])).toEqual([]);
  }, 110_000);
});
