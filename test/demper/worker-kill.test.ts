import { eq, max } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { priceChanges } from '../../src/db/schema';
import { ALMATY } from '../../src/kaspi/cities';
import { kaspiUrlsEnv } from '../../sandbox';
import { startTestWorker, useTestContext, type RunningWorker } from '../support/env';
import { connectStore, demperProduct, demperTestConfig, loopStatus, sentAndPushed, startLoop } from '../support/demper';
import { waitFor } from '../support/wait';
import { exited, spawnEntry, workerProcessEnv } from '../support/processes';
import { headToHead, useSandbox } from '../support/sandbox';

const OURS = '31300001';
const RIVAL = '31400001';
const SKUS = [1, 2, 3, 4, 5, 6].map((n) => ({ sku: `K-${n}`, productId: `92000000${n}` }));

/**
 * A worker killed (SIGKILL) in the middle of a cycle, and another started: the loop carries on, and
 * Kaspi sees exactly the pushes the database records as sent, in the same order — none twice, none
 * stale — ending on the newest decision for every product.
 */
describe('a worker killed mid-cycle', () => {
  const sandbox = useSandbox({
    // Every Kaspi answer takes a while, so the kill lands with requests in flight.
    latency: { baseMs: 150, jitterMs: 100 },
    market: {
      ...headToHead(OURS, RIVAL, SKUS, 9_000),
      // Rivals that keep raising: every cycle has a push to make for every product.
      bots: SKUS.map(({ sku }) => ({
        merchantUid: RIVAL,
        sku: `R-${sku}`,
        kind: 'raise' as const,
        intervalMs: 500,
        stepTenge: 10,
        ceilingPrice: 50_000,
      })),
    },
  });
  const ctx = useTestContext(() => demperTestConfig(sandbox, { DEMPER_HEARTBEAT_TIMEOUT_SECONDS: '3' }));
  let replacement: RunningWorker | undefined;
  let store: { id: string; userId: string };
  let storeId: string;

  beforeAll(async () => {
    ({ store } = await connectStore(ctx, sandbox, OURS));
    storeId = store.id;
    for (const { sku, productId } of SKUS) {
      await demperProduct(ctx, store.id, { kaspiProductId: productId, sku, price: 10_000, minPrice: 5_000 });
    }
  });
  afterAll(async () => {
    await replacement?.stop();
  });

  const accepted = () => sandbox.market.pushLog({ merchantUid: OURS }).filter((p) => p.status === 200);

  it('carries on under another worker with no duplicate and no stale push', { timeout: 180_000 }, async () => {
    const env = workerProcessEnv(ctx.config.temporal.taskQueue, {
      ...kaspiUrlsEnv(sandbox.urls),
      KASPI_TIMEOUT_MS: '3000',
      DIRECT_READS_PER_SECOND: '12',
      DEMPER_HEARTBEAT_TIMEOUT_SECONDS: '3',
    });
    const doomed = spawnEntry('src/worker.ts', env);
    try {
      await waitFor(
        'the first worker',
        () => doomed.output().includes('worker polling') || doomed.exitCode !== null,
        60_000,
      );
      expect(doomed.exitCode).toBeNull();
      // The barrier: the moment Kaspi accepts the first push after the first cycle's six, before it answers, the worker dies.
      const record = sandbox.market.recordPush.bind(sandbox.market);
      sandbox.market.recordPush = (push) => {
        const recorded = record(push);
        if (push.merchantUid === OURS && push.status === 200 && accepted().length === SKUS.length + 2)
          doomed.kill('SIGKILL');
        return recorded;
      };
      await startLoop(ctx, store);
      await exited(doomed);
      sandbox.market.recordPush = record;
      expect(doomed.signalCode).toBe('SIGKILL');
    } finally {
      if (doomed.exitCode === null && doomed.signalCode === null) doomed.kill('SIGKILL');
    }
    const killedAt = Date.now();
    const [{ cycleAtKill }] = (await ctx.db
      .select({ cycleAtKill: max(priceChanges.cycle) })
      .from(priceChanges)
      .where(eq(priceChanges.storeId, storeId))) as [{ cycleAtKill: number }];

    replacement = await startTestWorker(ctx);
    // Queries go to the dead worker's sticky queue until Temporal gives up on it: ask again until one answers.
    const cycle = async () => (await loopStatus(ctx, storeId).catch(() => null))?.cycle ?? 0;
    await waitFor('two more cycles under the new worker', async () => (await cycle()) >= cycleAtKill + 2, 60_000);
    expect(accepted().filter((p) => p.atMs > killedAt).length).toBeGreaterThan(0);

    // Let the market settle: the rivals stop, the loop catches up and has nothing left to push.
    sandbox.market.stopBots();
    await waitFor(
      'every product just under its rival',
      () =>
        SKUS.every(({ productId }) => {
          const card = sandbox.market.card(productId, ALMATY);
          const ours = card.find((e) => e.offer.merchantUid === OURS);
          const rival = card.find((e) => e.offer.merchantUid === RIVAL);
          return ours && rival && ours.price === Math.floor(rival.price) - 1;
        }),
      30_000,
    );
    const settled = await cycle();
    await waitFor('a cycle after settling', async () => (await cycle()) > settled + 1, 20_000);

    let confirmed = 0;
    for (const { sku, productId } of SKUS) {
      const { sent, recorded, pushed } = await sentAndPushed(ctx, sandbox, { storeId, sku, merchantUid: OURS });
      // Kaspi saw exactly what the database says was sent, in order: nothing twice, nothing out of turn.
      expect(pushed, sku).toEqual(recorded);
      for (let i = 1; i < pushed.length; i++) expect(pushed[i], `${sku} push ${i}`).not.toBe(pushed[i - 1]);
      confirmed += sent.filter((c) => c.kaspiJobId === null).length;
      // And the card ends on the newest decision.
      const live = sandbox.market.card(productId, ALMATY).find((e) => e.offer.merchantUid === OURS)!.price;
      expect(live).toBe(recorded.at(-1));
    }
    // The push the dead worker never heard back about was found live and recorded, not sent again.
    expect(confirmed).toBe(1);
  });
});
