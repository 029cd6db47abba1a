import { sql } from 'drizzle-orm';
import { ALMATY, ASTANA } from '../src/kaspi/cities';
import { startSandbox, type SandboxHandle } from '../sandbox';
import os from 'node:os';
import { sampleProcess, watchCpu } from './lib/process-stats';
import { mb, options, range, table, writeResults } from './lib/report';
import { startOurSystem, type OurStore, type OurSystem } from './lib/system';
import { contenderSetup } from './lib/twins';
import { percentile } from './lib/metrics';
import { PROXY_LIMIT_PROFILES } from '../src/domain/proxy-budget';
import { DEFAULT_CHANGE_BUDGET } from '../src/domain/write-budget';

/**
 * `npm run bench:scale`: one worker, more and more stores. Stores join in steps (1, then 10, then 50
 * by default: 500, 5 000 and 25 000 products), each of `--products` products with one proxy of its
 * own; after each step the loops run for `--seconds` and the step's throughput, staleness, writes and
 * costs are measured — staleness against the proxies' physical sweep bound, writes and CPU per
 * product check. A step that repeats the one before adds no stores: it measures the same stores past
 * their first sweep, the steady state, where most checks find nothing to reprice.
 */
const opts = options({
  stores: '1,10,50,50',
  products: '500',
  rivals: '2-4',
  seconds: '110',
  intervalSeconds: '120',
  hotIntervalSeconds: '60',
  botIntervalSeconds: '120',
  latency: '50-150',
  budgetWindowSeconds: '',
  seed: '11',
});

const CITIES = [ALMATY, ASTANA].length;

/**
 * The change budget at its own rate (240 per 30 minutes), over a window of `--budgetWindowSeconds`
 * (a step's `--seconds` unless given): a store spends its first window's budget at once, so with
 * Kaspi's 30 minutes no step would see the budget's steady pace, only that first spending and the
 * pushes it queues; and a step one window long sees that pace whatever the window's phase.
 */
const budgetWindowSeconds = Number(opts.budgetWindowSeconds || opts.seconds);
const budget = {
  limit: Math.max(
    1,
    Math.round((DEFAULT_CHANGE_BUDGET.limit * budgetWindowSeconds) / DEFAULT_CHANGE_BUDGET.windowSeconds),
  ),
  windowSeconds: budgetWindowSeconds,
};
const SAMPLE_EVERY_MS = 5_000;
/** What one proxy may safely read per second (`measured` profile of the read budget, src/domain/proxy-budget.ts). */
const SAFE_READS_PER_SECOND =
  PROXY_LIMIT_PROFILES.measured.budgetRequests / PROXY_LIMIT_PROFILES.measured.budgetWindowSeconds;

interface Step {
  stores: number;
  /** No stores joined: the step measures the stores already running, past their first sweep. */
  steady: boolean;
  products: number;
  seconds: number;
  checksPerSecond: number;
  stalenessP95Seconds: number;
  /**
   * The fastest every product can be read again: products × cities ÷ (proxies × safe reads per
   * second per proxy), with one proxy per store. Staleness p95 cannot go below it for long.
   */
  sweepBoundSeconds: number;
  /** Staleness p95 ÷ the sweep bound (1 = as fresh as the proxies allow). */
  stalenessOfBound: number;
  overdueP95Seconds: number;
  /** Active products not checked yet when the step ended (the new stores' first sweep still going). */
  uncheckedAtEnd: number;
  priceWritesPerSecond: number;
  rowWritesPerSecond: number;
  /** The same, by table, busiest first. */
  rowWritesPerSecondByTable: Record<string, number>;
  /** PostgreSQL row writes (all tables) per product check. */
  rowWritesPerCheck: number | null;
  readBans: number;
  /**
   * CPU in use, in cores (of the machine's), by the worker, PostgreSQL (the postmaster and every server
   * process), the Temporal dev server, this process (the Kaspi sandbox) and the whole machine.
   */
  cores: { worker: number; postgres: number; temporal: number; sandbox: number; machine: number };
  /** CPU core-seconds of the system (worker + PostgreSQL + Temporal, not the sandbox) per product check. */
  cpuSecondsPerCheck: number | null;
  workerPeakRssBytes: number;
  databaseBytes: number;
  temporalEventsPerMinute: number;
}

/** Successful offer reads so far, and 403s; a product check reads one card per city. */
function readsOf(sandbox: SandboxHandle) {
  return { ok: sandbox.tally.get('offers:200') ?? 0, banned: sandbox.tally.get('offers:403') ?? 0 };
}

/**
 * Over the active products checked at least once: how long ago each was last checked, and how far
 * past its due time it is (the 95th percentile of each); and how many active products were never checked.
 */
async function staleness(system: OurSystem) {
  const result = await system.db.execute<{ age: number | null; overdue: number | null; unchecked: string }>(sql`
    select percentile_cont(0.95) within group (order by extract(epoch from now() - last_check_at))
             filter (where last_check_at is not null) as age,
           percentile_cont(0.95) within group (order by greatest(0, extract(epoch from now() - next_check_at)))
             filter (where last_check_at is not null) as overdue,
           count(*) filter (where last_check_at is null)::text as unchecked
    from products where active`);
  const row = result.rows[0]!;
  return { age: Number(row.age ?? 0), overdue: Number(row.overdue ?? 0), unchecked: Number(row.unchecked) };
}

async function sentPriceChanges(system: OurSystem): Promise<number> {
  const result = await system.db.execute<{ n: string }>(
    sql`select count(*)::text as n from price_changes where status = 'sent'`,
  );
  return Number(result.rows[0]!.n);
}

/** Row writes per second over a span, in all and by table (busiest first), from two `rowsWritten` readings. */
function rowWrites(before: Map<string, number>, after: Map<string, number>, seconds: number) {
  const byTable = [...after]
    .map(([table, rows]) => [table, (rows - (before.get(table) ?? 0)) / seconds] as const)
    .filter(([, perSecond]) => perSecond > 0)
    .sort((a, b) => b[1] - a[1]);
  return {
    rowWritesPerSecond: byTable.reduce((sum, [, perSecond]) => sum + perSecond, 0),
    rowWritesPerSecondByTable: Object.fromEntries(
      byTable.map(([table, perSecond]) => [table, Math.round(perSecond * 10) / 10]),
    ),
  };
}

/** A step's stores, marked when it measures them past their first sweep. */
const label = (step: Step) => `${step.stores}${step.steady ? ' (steady)' : ''}`;

const percentile95 = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    95,
  ) ?? 0;

async function main() {
  const steps = opts.stores.split(',').map(Number);
  const productsPerStore = Number(opts.products);
  const seconds = Number(opts.seconds);
  const rivals = range(opts.rivals);
  const [minLatency, maxLatency] = range(opts.latency);
  const loop = { intervalSeconds: Number(opts.intervalSeconds), hotIntervalSeconds: Number(opts.hotIntervalSeconds) };
  const maxStores = Math.max(...steps);
  console.log(
    `bench:scale — steps of ${opts.stores} stores × ${productsPerStore} products, ${seconds} s each, ` +
      `intervals ${loop.intervalSeconds} s / ${loop.hotIntervalSeconds} s hot, one proxy per store, ` +
      `change budget ${budget.limit} per ${budget.windowSeconds} s`,
  );

  // One Kaspi for every store; the rival bots are looked at once a second, which is plenty at a 2-minute pace.
  const sandbox = await startSandbox({
    seed: Number(opts.seed),
    profile: 'measured',
    latency: { baseMs: minLatency, jitterMs: maxLatency - minLatency },
    proxies: { count: maxStores },
    botTickMs: 1000,
  });
  console.log('starting our system (Temporal, PostgreSQL, worker, API)...');
  const system = await startOurSystem(sandbox.urls, {
    env: {
      DEMPER_CHANGE_BUDGET: String(budget.limit),
      DEMPER_CHANGE_BUDGET_WINDOW_SECONDS: String(budget.windowSeconds),
    },
  });
  const postgresPid = await system.postgresPid();
  const stores: OurStore[] = [];
  const results: Step[] = [];

  for (const target of steps) {
    const added: OurStore[] = [];
    process.stdout.write(
      target > stores.length ? `  adding stores ${stores.length + 1}..${target}` : `  ${target} stores, steady state`,
    );
    while (stores.length + added.length < target) {
      const n = stores.length + added.length;
      const generated = sandbox.seedMarket({
        products: productsPerStore,
        rivalsPerProduct: rivals,
        botMix: { static: 0.6, undercut: 0.2, raise: 0.1, enter_leave: 0.1 },
        botIntervalMs: Number(opts.botIntervalSeconds) * 1000,
        seed: Number(opts.seed) * 1000 + n,
      });
      const setup = contenderSetup(sandbox, generated, { floorFraction: 0.85, ceilingFraction: 1.2 });
      added.push(await system.addStore(setup, { proxies: [sandbox.proxies[n]!], loop }));
    }
    console.log(' — starting their loops');
    await system.startLoops(added);
    stores.push(...added);

    const reads = readsOf(sandbox);
    const sent = await sentPriceChanges(system);
    const rows = await system.rowsWritten();
    const events = await system.demperHistoryEvents();
    const cpu = watchCpu(
      { worker: system.stack.pids.worker, temporal: system.stack.pids.temporal },
      { postgres: postgresPid },
    );
    const from = Date.now();
    const ages: number[] = [];
    const overdue: number[] = [];
    let unchecked = 0;
    while (Date.now() - from < seconds * 1000) {
      await new Promise((r) => setTimeout(r, SAMPLE_EVERY_MS));
      const sample = await staleness(system);
      ages.push(sample.age);
      overdue.push(sample.overdue);
      unchecked = sample.unchecked;
    }
    const elapsed = (Date.now() - from) / 1000;
    const spent = cpu.stop();
    const readsAfter = readsOf(sandbox);
    const checks = (readsAfter.ok - reads.ok) / CITIES;
    const products = stores.length * productsPerStore;
    const sweepBoundSeconds = (products * CITIES) / (stores.length * SAFE_READS_PER_SECOND);
    const stalenessP95Seconds = percentile95(ages);
    const writes = rowWrites(rows, await system.rowsWritten(), elapsed);
    const step: Step = {
      stores: stores.length,
      steady: added.length === 0,
      products,
      seconds: Math.round(elapsed),
      checksPerSecond: checks / elapsed,
      stalenessP95Seconds,
      sweepBoundSeconds,
      stalenessOfBound: stalenessP95Seconds / sweepBoundSeconds,
      overdueP95Seconds: percentile95(overdue),
      uncheckedAtEnd: unchecked,
      priceWritesPerSecond: ((await sentPriceChanges(system)) - sent) / elapsed,
      ...writes,
      rowWritesPerCheck: checks > 0 ? (writes.rowWritesPerSecond * elapsed) / checks : null,
      readBans: readsAfter.banned - reads.banned,
      cores: {
        worker: spent.worker! / elapsed,
        postgres: spent.postgres! / elapsed,
        temporal: spent.temporal! / elapsed,
        sandbox: spent.self! / elapsed,
        machine: spent.machine! / elapsed,
      },
      cpuSecondsPerCheck: checks > 0 ? (spent.worker! + spent.postgres! + spent.temporal!) / checks : null,
      workerPeakRssBytes: sampleProcess(system.stack.pids.worker!)?.peakRssBytes ?? 0,
      databaseBytes: await system.databaseBytes(),
      temporalEventsPerMinute: ((await system.demperHistoryEvents()) - events) / (elapsed / 60),
    };
    results.push(step);
    console.log(
      `  ${label(step)} stores: ${step.checksPerSecond.toFixed(1)} checks/s, staleness p95 ${step.stalenessP95Seconds.toFixed(0)} s ` +
        `(sweep bound ${step.sweepBoundSeconds.toFixed(0)} s), ${step.uncheckedAtEnd} not checked yet; ` +
        `cores: worker ${step.cores.worker.toFixed(2)}, PostgreSQL ${step.cores.postgres.toFixed(2)}, ` +
        `Temporal ${step.cores.temporal.toFixed(2)}, sandbox ${step.cores.sandbox.toFixed(2)}, ` +
        `machine ${step.cores.machine.toFixed(2)} of ${os.cpus().length}`,
    );
    const busiest = Object.entries(step.rowWritesPerSecondByTable).slice(0, 4);
    console.log(
      `    row writes/s by table: ${busiest.map(([table, perSecond]) => `${table} ${perSecond}`).join(', ')}`,
    );
  }

  const first = results[0]!;
  const perCheck = (x: number | null, digits: number) => (x === null ? '—' : x.toFixed(digits));
  console.log();
  console.log(
    `freshness (sweep bound: products × ${CITIES} cities ÷ (proxies × ${SAFE_READS_PER_SECOND} reads/s), one proxy per store)`,
  );
  console.log(
    table([
      [
        'stores',
        'products',
        'checks/s',
        'needed/s',
        'staleness p95',
        'sweep bound',
        '÷ bound',
        'overdue p95',
        'unchecked',
        '403s',
      ],
      ...results.map((r) => [
        label(r),
        r.products,
        r.checksPerSecond.toFixed(1),
        (r.products / loop.intervalSeconds).toFixed(1),
        `${r.stalenessP95Seconds.toFixed(0)} s`,
        `${r.sweepBoundSeconds.toFixed(0)} s`,
        r.stalenessOfBound.toFixed(2),
        `${r.overdueP95Seconds.toFixed(0)} s`,
        r.uncheckedAtEnd,
        r.readBans,
      ]),
    ]),
  );
  console.log();
  console.log('cost (CPU s/check: core-seconds of worker + PostgreSQL + Temporal per product check)');
  console.log(
    table([
      [
        'stores',
        'price writes/s',
        'row writes/s',
        'row writes/check',
        'worker cores',
        'PostgreSQL cores',
        'Temporal cores',
        'CPU s/check',
        'machine cores',
        'worker peak RSS',
        'PostgreSQL',
        'Temporal events/min',
      ],
      ...results.map((r) => [
        label(r),
        r.priceWritesPerSecond.toFixed(2),
        r.rowWritesPerSecond.toFixed(0),
        perCheck(r.rowWritesPerCheck, 2),
        r.cores.worker.toFixed(2),
        r.cores.postgres.toFixed(2),
        r.cores.temporal.toFixed(2),
        perCheck(r.cpuSecondsPerCheck, 4),
        r.cores.machine.toFixed(2),
        mb(r.workerPeakRssBytes),
        mb(r.databaseBytes),
        r.temporalEventsPerMinute.toFixed(0),
      ]),
    ]),
  );
  console.log();
  console.log('growth against the first step (×stores → ×figure):');
  for (const r of results.slice(1).filter((r) => !r.steady)) {
    const x = (a: number, b: number) => (b > 0 ? `×${(a / b).toFixed(1)}` : '—');
    console.log(
      `  ×${r.stores / first.stores} stores: checks/s ${x(r.checksPerSecond, first.checksPerSecond)}, ` +
        `worker CPU ${x(r.cores.worker, first.cores.worker)}, RSS ${x(r.workerPeakRssBytes, first.workerPeakRssBytes)}, ` +
        `PostgreSQL ${x(r.databaseBytes, first.databaseBytes)}, Temporal events/min ${x(r.temporalEventsPerMinute, first.temporalEventsPerMinute)}`,
    );
  }
  const file = writeResults('scale', { settings: opts, results });
  console.log(`results written to ${file}`);

  await system.stopLoops(stores);
  await system.stop();
  await sandbox.stop();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
