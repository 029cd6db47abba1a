import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALMATY } from '../../src/kaspi/cities';
import type { SandboxHandle } from '../../sandbox';
import { freePort } from '../../src/stack/ports';
import {
  resolveTemporalCli,
  startTemporalDevServer,
  type TemporalDevServer,
} from '../../src/stack/temporal-dev-server';
import { connectStore, demperProduct, demperTestConfig, sentAndPushed, startLoop } from '../support/demper';
import { startTestWorker, testContext, type RunningWorker, type TestContext } from '../support/env';
import { startTestSandbox } from '../support/sandbox';
import { waitFor } from '../support/wait';

const STORES = 50;
const RIVAL = '31990001';
const ours = (i: number) => `3198${String(i).padStart(4, '0')}`;
const productOf = (i: number) => ({ sku: `TR-${i}`, productId: String(940_000_000 + i) });

/**
 * The Temporal server stops and starts again on the same database file while fifty store loops run:
 * the worker reconnects by itself, no loop is lost, every loop goes on past the cycle it was in, and
 * Kaspi saw exactly the pushes the database records as sent — none twice — ending on the newest one.
 */
describe('a Temporal server restart under fifty store loops', () => {
  let dataDir: string;
  let cliPath: string;
  let port: number;
  let server: TemporalDevServer;
  let sandbox: SandboxHandle;
  let ctx: TestContext;
  let worker: RunningWorker;
  const stores: { id: string; userId: string; sku: string; productId: string; merchantUid: string }[] = [];

  const startServer = () =>
    startTemporalDevServer({ cliPath, port, namespace: 'default', dbFile: path.join(dataDir, 'temporal.db') });
  /** Each loop's newest cycle that decided a change (with rivals that keep moving, nearly every cycle does). */
  const cycles = async () => {
    const { rows } = await ctx.db.execute<{ store_id: string; cycle: number }>(sql`
      select store_id, max(cycle)::int as cycle from price_changes
      where store_id in (${sql.join(
        stores.map((s) => sql`${s.id}`),
        sql`, `,
      )}) and cycle > 0 group by store_id`);
    const byStore = new Map(rows.map((r) => [r.store_id, r.cycle]));
    return stores.map((s) => byStore.get(s.id) ?? 0);
  };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaspi-demper-temporal-restart-'));
    cliPath = await resolveTemporalCli(process.env.TEMPORAL_CLI_PATH);
    port = await freePort();
    server = await startServer();
    sandbox = await startTestSandbox({
      market: {
        merchants: [...Array.from({ length: STORES }, (_, i) => ours(i)), RIVAL].map((uid) => ({
          uid,
          name: uid,
          points: [{ code: 'PP1', cityId: ALMATY }],
        })),
        offers: Array.from({ length: STORES }, (_, i) => [
          { merchantUid: ours(i), sku: productOf(i).sku, productId: productOf(i).productId, price: 10_000 },
          { merchantUid: RIVAL, sku: `R-${i}`, productId: productOf(i).productId, price: 9_000 },
        ]).flat(),
        // Rivals that keep raising: every cycle of every loop has a push to make.
        bots: Array.from({ length: STORES }, (_, i) => ({
          merchantUid: RIVAL,
          sku: `R-${i}`,
          kind: 'raise' as const,
          intervalMs: 2_000,
          stepTenge: 10,
          ceilingPrice: 50_000,
        })),
      },
    });
    ctx = testContext(demperTestConfig(sandbox, { TEMPORAL_ADDRESS: server.address, DIRECT_READS_PER_SECOND: '15' }));
    worker = await startTestWorker(ctx);
    for (let i = 0; i < STORES; i++) {
      const { store } = await connectStore(ctx, sandbox, ours(i));
      await demperProduct(ctx, store.id, {
        kaspiProductId: productOf(i).productId,
        sku: productOf(i).sku,
        price: 10_000,
        minPrice: 5_000,
      });
      stores.push({ ...store, ...productOf(i), merchantUid: ours(i) });
    }
    for (const store of stores) await startLoop(ctx, store);
  });
  afterAll(async () => {
    await worker?.stop();
    await ctx?.close();
    await server?.stop();
    await sandbox?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'loses no loop and no push, and every loop carries on past its cycle',
    { timeout: 300_000 },
    async ({ annotate }) => {
      const before = await waitFor(
        'every loop deciding',
        async () => {
          const now = await cycles();
          return now.every((c) => c >= 1) && now;
        },
        120_000,
      );

      await server.stop();
      const downAt = Date.now();
      // The worker keeps polling a server that is not there.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(worker.worker.getState()).toBe('RUNNING');
      server = await startServer();
      const upAt = Date.now();

      // Past its cycle, and its new decision on Kaspi: a decision is pushed by the activity after it.
      const pushedSinceUp = (s: (typeof stores)[number]) =>
        sandbox.market
          .pushLog({ merchantUid: s.merchantUid, sku: s.sku })
          .some((p) => p.status === 200 && p.atMs > upAt);
      const after = await waitFor(
        'every loop past its cycle at the restart, and pushing again',
        async () => {
          const now = await cycles();
          return now.every((c, i) => c > before[i]!) && stores.every(pushedSinceUp) && now;
        },
        120_000,
      );

      const running: string[] = [];
      for await (const wf of ctx.temporal.workflow.list({
        query: `WorkflowType = "demperWorkflow" AND ExecutionStatus = "Running"`,
      }))
        running.push(wf.workflowId);
      expect(running.sort()).toEqual(stores.map((s) => `demper:${s.id}`).sort());

      // The worker stops, letting its activities finish: then Kaspi's record and ours must agree.
      await worker.stop();
      let pushedAfterRestart = 0;
      for (const store of stores) {
        const { recorded, pushes, pushed } = await sentAndPushed(ctx, sandbox, {
          storeId: store.id,
          sku: store.sku,
          merchantUid: store.merchantUid,
        });
        expect(pushed, store.sku).toEqual(recorded);
        const live = sandbox.market
          .card(store.productId, ALMATY)
          .find((e) => e.offer.merchantUid === store.merchantUid)!.price;
        expect(live, store.sku).toBe(recorded.at(-1) ?? 10_000);
        pushedAfterRestart += pushes.filter((p) => p.atMs > downAt).length;
      }
      expect(pushedAfterRestart).toBeGreaterThanOrEqual(STORES);
      await annotate(
        `temporal restart: ${STORES} loops, cycles at the restart ${Math.min(...before)}–${Math.max(...before)}, after ${Math.min(...after)}–${Math.max(...after)}; ${pushedAfterRestart} pushes after it`,
      );
    },
  );
});
