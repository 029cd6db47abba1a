import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CheckResult } from '../../src/demper/check';
import type { PushResult } from '../../src/demper/push';
import { DEFAULT_DEMPER_CONFIG, type DemperConfig } from '../../src/domain/demper-config';
import { FULL_WRITE_BUCKET } from '../../src/domain/write-budget';
import { dataConverter } from '../../src/lib/data-converter';
import { demperWorkflow, subscriptionWorkflow } from '../../src/workflows';
import { demperStatusQuery, pauseSignal, wakeSignal, type DemperStatus } from '../../src/workflows/messages';
import { useTestContext } from '../support/env';
import { waitFor } from '../support/wait';

/**
 * The demper loop's rules and the subscription saga's compensations, on the real dev server but with a
 * worker given fakes for activities: no Kaspi, no PostgreSQL, each case in seconds. What the fakes are
 * asked (and in what order) is what the workflow decided.
 */
interface Call {
  name: string;
  input: any;
  at: number;
}

const CONFIG: DemperConfig = { ...DEFAULT_DEMPER_CONFIG, intervalSeconds: 60, hotIntervalSeconds: 30 };

function checkResult(overrides: Partial<CheckResult> = {}): CheckResult {
  return {
    checked: 1,
    changed: 0,
    heldAtFloor: 0,
    errors: 0,
    moreDue: false,
    readsBlockedUntil: null,
    nextDueAt: null,
    ...overrides,
  };
}

function pushResult(overrides: Partial<PushResult> = {}): PushResult {
  return {
    sent: 1,
    withoutAvailabilities: 0,
    deferred: 0,
    failed: 0,
    writesBlockedUntil: null,
    writesBlockedReason: null,
    merchantThrottled: false,
    sessionExpired: false,
    bucket: FULL_WRITE_BUCKET,
    nextDueAt: null,
    ...overrides,
  };
}

describe('workflow logic with stub activities', () => {
  const ctx = useTestContext();
  let connection: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = `stubs-${randomUUID()}`;
  /** Per workflow id: how its fakes behave, and what they were asked. */
  const scripts = new Map<string, Partial<Record<string, (input: any, calls: Call[]) => unknown>>>();
  const calls = new Map<string, Call[]>();

  const fake = (name: string, fallback: (input: any) => unknown) => async (input: any) => {
    // Calls are filed by store or user; an admin alert names its user in the message.
    const key: string = input?.storeId ?? input?.userId ?? /[0-9a-f-]{36}/.exec(input?.message ?? '')?.[0] ?? 'none';
    const log = calls.get(key) ?? [];
    calls.set(key, log);
    log.push({ name, input, at: Date.now() });
    const behaviour = scripts.get(key)?.[name];
    return behaviour ? behaviour(input, log) : fallback(input);
  };
  const asked = (key: string, name?: string) =>
    (calls.get(key) ?? []).filter((c) => name === undefined || c.name === name);

  beforeAll(async () => {
    connection = await NativeConnection.connect({ address: ctx.config.temporal.address });
    worker = await Worker.create({
      connection,
      taskQueue,
      workflowBundle: { codePath: inject('workflowBundlePath') },
      dataConverter: dataConverter(ctx.keyring),
      activities: {
        loadDemperLoop: fake('loadDemperLoop', () => ({
          store: { userId: 'u', pausedReason: null, config: CONFIG },
          settings: { heartbeatTimeoutSeconds: 30, historyLimitEvents: 10_000 },
        })),
        checkProducts: fake('checkProducts', () => checkResult()),
        pushPriceChanges: fake('pushPriceChanges', () => pushResult()),
        checkStoreSession: fake('checkStoreSession', () => ({ state: 'active' })),
        allocateModuleProxies: fake('allocateModuleProxies', (input: { count: number }) => ({ held: input.count })),
        releaseModuleProxies: fake('releaseModuleProxies', () => ({ released: 1 })),
        activatePlan: fake('activatePlan', () => undefined),
        closeSubscription: fake('closeSubscription', () => ({ renewedUntil: null })),
        downgradeToFree: fake('downgradeToFree', () => undefined),
        alertAdmins: fake('alertAdmins', () => undefined),
      },
    });
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await connection?.close();
  });

  const startLoop = async (storeId: string, script: Parameters<typeof scripts.set>[1] = {}) => {
    scripts.set(storeId, script);
    return ctx.temporal.workflow.start(demperWorkflow, {
      taskQueue,
      workflowId: `demper:${storeId}`,
      args: [{ storeId, userId: 'u' }],
    });
  };
  const status = (storeId: string) =>
    ctx.temporal.workflow.getHandle(`demper:${storeId}`).query(demperStatusQuery) as Promise<DemperStatus>;

  describe('the demper loop', () => {
    it('backs off after an activity failed for good: 5 s, then 10 s, doubling per failure in a row', async () => {
      const storeId = randomUUID();
      const handle = await startLoop(storeId, {
        checkProducts: () => {
          throw ApplicationFailure.nonRetryable('Kaspi is down', 'KaspiUnavailable');
        },
      });
      const afterSecond = await waitFor(
        'two failed cycles',
        async () => {
          const now = await status(storeId);
          return (now.lastCycle?.cycle ?? 0) >= 2 && now;
        },
        20_000,
      );
      const [first, second] = asked(storeId, 'checkProducts');
      expect(second!.at - first!.at).toBeGreaterThanOrEqual(4_500);
      expect(afterSecond.lastCycle?.errors).toBe(1);
      // The second failure in a row waits twice as long.
      const wait = Date.parse(afterSecond.nextCheckAt!) - Date.parse(afterSecond.lastCycle!.finishedAt!);
      expect(wait).toBeGreaterThanOrEqual(9_000);
      expect(wait).toBeLessThanOrEqual(11_000);
      await handle.cancel();
    });

    it('trips the writes breaker on a ban: checks go on with writes blocked, nothing is pushed until it ends', async () => {
      const storeId = randomUUID();
      const handle = await startLoop(storeId, {
        // Four cycles 400 ms apart, then a rest.
        checkProducts: (_input, log) =>
          checkResult({
            changed: 1,
            nextDueAt:
              log.filter((c) => c.name === 'checkProducts').length < 4
                ? new Date(Date.now() + 400).toISOString()
                : null,
          }),
        pushPriceChanges: () =>
          pushResult({
            sent: 0,
            writesBlockedUntil: new Date(Date.now() + 3_600_000).toISOString(),
            writesBlockedReason: 'Kaspi 429',
            merchantThrottled: true,
          }),
      });
      await waitFor('four checks', () => asked(storeId, 'checkProducts').length >= 4, 20_000);
      expect(asked(storeId, 'pushPriceChanges')).toHaveLength(1);
      // Pushes run beside the checks: the checks after the ban came back know writes are shut.
      const pushedAt = asked(storeId, 'pushPriceChanges')[0]!.at;
      const later = asked(storeId, 'checkProducts').filter((c) => c.at > pushedAt + 300);
      expect(later.length).toBeGreaterThan(0);
      expect(later.map((c) => c.input.writesBlocked)).toEqual(later.map(() => true));
      const { breakers } = await status(storeId);
      expect(breakers).toMatchObject([{ surface: 'writes', reason: 'Kaspi 429' }]);
      await handle.cancel();
    });

    it('pushes again once a ban met in the middle of a cycle has ended, though a later batch asked while it lasted', async () => {
      const storeId = randomUUID();
      const handle = await startLoop(storeId, {
        // The first batch finds a change and more due; the second, done after the ban came back, asks
        // for a push while writes are shut; the cycles after the ban ask again.
        checkProducts: async (_input, log) => {
          const n = log.filter((c) => c.name === 'checkProducts').length;
          if (n === 2) await new Promise((resolve) => setTimeout(resolve, 500));
          return checkResult({ changed: 1, moreDue: n === 1, nextDueAt: new Date(Date.now() + 400).toISOString() });
        },
        pushPriceChanges: (_input, log) =>
          log.filter((c) => c.name === 'pushPriceChanges').length === 1
            ? pushResult({
                sent: 0,
                writesBlockedUntil: new Date(Date.now() + 2_000).toISOString(),
                writesBlockedReason: 'Kaspi 429',
                merchantThrottled: true,
              })
            : pushResult(),
      });
      await waitFor('a push after the ban', () => asked(storeId, 'pushPriceChanges').length >= 2, 20_000);
      const [ban, after] = asked(storeId, 'pushPriceChanges');
      expect(after!.at - ban!.at).toBeGreaterThanOrEqual(1_900);
      await handle.cancel();
    });

    it('paused with a manual price pending: pushes only that, checks nothing', async () => {
      const storeId = randomUUID();
      const handle = await startLoop(storeId);
      await waitFor('the first check', () => asked(storeId, 'checkProducts').length >= 1, 20_000);
      await handle.signal(pauseSignal, { reason: 'paused_by_merchant' });
      await waitFor('paused', async () => (await status(storeId)).state === 'paused', 10_000);
      const checks = asked(storeId, 'checkProducts').length;
      const pushes = asked(storeId, 'pushPriceChanges').length;
      await handle.signal(wakeSignal, { reason: 'manual_price' });
      await waitFor('the manual push', () => asked(storeId, 'pushPriceChanges').length > pushes, 10_000);
      expect(asked(storeId, 'pushPriceChanges').at(-1)!.input.manualOnly).toBe(true);
      expect(asked(storeId, 'checkProducts')).toHaveLength(checks);
      expect((await status(storeId)).nextCheckAt).toBeNull();
      await handle.cancel();
    });

    it('carries its state through continue-as-new: cycle, configuration and breakers', async () => {
      const storeId = randomUUID();
      const handle = await startLoop(storeId, {
        loadDemperLoop: () => ({
          store: { userId: 'u', pausedReason: null, config: CONFIG },
          settings: { heartbeatTimeoutSeconds: 30, historyLimitEvents: 40 },
        }),
        // Always more to do at once: the history grows fast. Both steps say so, as a push finishing
        // after a check sets the loop's next due time too.
        checkProducts: () => checkResult({ changed: 1, nextDueAt: new Date().toISOString() }),
        pushPriceChanges: (_input, log) =>
          log.filter((c) => c.name === 'pushPriceChanges').length === 1
            ? pushResult({
                writesBlockedUntil: new Date(Date.now() + 3_600_000).toISOString(),
                writesBlockedReason: 'pricefeed failing',
                nextDueAt: new Date().toISOString(),
              })
            : pushResult({ nextDueAt: new Date().toISOString() }),
      });
      const firstRun = handle.firstExecutionRunId;
      await waitFor(
        'a new run',
        async () => (await ctx.temporal.workflow.getHandle(`demper:${storeId}`).describe()).runId !== firstRun,
        30_000,
      );
      const carried = await status(storeId);
      expect(carried.cycle).toBeGreaterThan(3);
      expect(carried.config).toEqual(CONFIG);
      expect(carried.breakers).toMatchObject([{ surface: 'writes', reason: 'pricefeed failing' }]);
      // The new run does not start over: its first check continues the cycle count.
      const cycles = asked(storeId, 'checkProducts').map((c) => c.input.cycle as number);
      expect(cycles).toEqual([...cycles].sort((a, b) => a - b));
      expect(new Set(cycles).size).toBe(cycles.length);
      await ctx.temporal.workflow.getHandle(`demper:${storeId}`).cancel();
    });
  });

  describe('the subscription saga', () => {
    const run = (userId: string, script: Parameters<typeof scripts.set>[1]) => {
      scripts.set(userId, script);
      return ctx.temporal.workflow.execute(subscriptionWorkflow, {
        taskQueue,
        workflowId: `subscription:${userId}`,
        args: [
          {
            userId,
            plan: 'start',
            periodEnd: new Date(Date.now() + 3_600_000).toISOString(),
            shortageRetrySeconds: 600,
          },
        ],
      });
    };
    const broken = () => {
      throw ApplicationFailure.nonRetryable('allocation broken', 'Broken');
    };

    for (const failing of ['demper', 'orders', 'catalog', 'activatePlan'] as const) {
      it(`undoes every step taken when ${failing === 'activatePlan' ? 'activating the plan' : `allocating the ${failing} proxies`} fails`, async () => {
        const userId = randomUUID();
        const script =
          failing === 'activatePlan'
            ? { activatePlan: broken }
            : {
                allocateModuleProxies: (input: { module: string; count: number }) =>
                  input.module === failing ? broken() : { held: input.count },
              };
        await expect(run(userId, script)).rejects.toThrow(/workflow execution failed/i);
        const allocated = asked(userId, 'allocateModuleProxies').map((c) => c.input.module);
        const released = asked(userId, 'releaseModuleProxies').map((c) => c.input.module);
        // Each allocation registered its release before it ran, so the failed one is released too; newest first.
        expect(released).toEqual([...allocated].reverse());
        expect(asked(userId, 'closeSubscription').map((c) => c.input.endedBy)).toEqual(['cancelled']);
        expect(asked(userId, 'downgradeToFree')).toHaveLength(1);
        expect(asked(userId, 'alertAdmins').map((c) => c.input.kind)).toEqual(['subscription_activation_failed']);
        const names = asked(userId).map((c) => c.name);
        expect(names.indexOf('downgradeToFree')).toBeGreaterThan(names.lastIndexOf('releaseModuleProxies'));
      });
    }
  });
});
