import { ALMATY, ASTANA } from '../src/kaspi/cities';
import type { SandboxHandle } from '../sandbox';
import { startBaseline } from './lib/baseline';
import { byCard, cardFigures, combine, type DemperFigures } from './lib/metrics';
import { startOracle } from './lib/oracle';
import { sampleProcess, watchCpu } from './lib/process-stats';
import { mb, options, pct, range, secs, table, writeResults } from './lib/report';
import { startOurSystem } from './lib/system';
import { startTwin, type MarketSettings, type Twin } from './lib/twins';

/**
 * `npm run bench:market`: our system, the seeds' algorithm and a perfect-information bound, each on
 * its own twin of one generated market under the `measured` limits, run side by side and scored from
 * each market's ground truth.
 */
const opts = options({
  products: '500',
  rivals: '2-8',
  minutes: '6',
  proxies: '5',
  seed: '7',
  latency: '50-150',
  botIntervalSeconds: '120',
  floor: '0.85',
  ceiling: '1.2',
});

interface Contender {
  name: string;
  twin: Twin;
}

function trafficOf(sandbox: SandboxHandle) {
  let reads = 0;
  let readBans = 0;
  let pushes = 0;
  let pushBans = 0;
  for (const [key, count] of sandbox.tally) {
    const [endpoint, status] = key.split(':');
    if (endpoint === 'offers') {
      reads += count;
      if (status === '403') readBans += count;
    }
    if (endpoint === 'pricefeed' || endpoint === 'pricefeed_batch') {
      pushes += count;
      if (status === '429') pushBans += count;
    }
  }
  return { reads, readBans, pushes, pushBans };
}

function score(twin: Twin, fromMs: number, toMs: number): DemperFigures {
  const byProduct = new Map(twin.setup.products.map((p) => [p.productId, p]));
  const cards = [...byCard(twin.sandbox.market.timeline)].filter(([key]) => byProduct.has(key.split(':')[0]!));
  return combine(
    cards.map(([key, events]) => {
      const product = byProduct.get(key.split(':')[0]!)!;
      return cardFigures(events, {
        ourMerchantUid: twin.setup.merchantUid,
        floorTenge: product.floorTenge,
        ceilingTenge: product.ceilingTenge,
        fromMs,
        toMs,
      });
    }),
  );
}

async function main() {
  const settings: MarketSettings = {
    products: Number(opts.products),
    rivals: range(opts.rivals),
    botMix: { static: 0.5, undercut: 0.2, raise: 0.1, enter_leave: 0.2 },
    botIntervalMs: Number(opts.botIntervalSeconds) * 1000,
    seed: Number(opts.seed),
    proxies: Number(opts.proxies),
    latencyMs: range(opts.latency),
    floorFraction: Number(opts.floor),
    ceilingFraction: Number(opts.ceiling),
  };
  const minutes = Number(opts.minutes);
  console.log(
    `bench:market — ${settings.products} products, ${opts.rivals} rivals each, ${minutes} min, ${settings.proxies} proxies, seed ${settings.seed}`,
  );

  const ours: Contender = { name: 'ours', twin: await startTwin(settings) };
  const baseline: Contender = { name: 'seed baseline', twin: await startTwin(settings) };
  const oracle: Contender = { name: 'oracle bound', twin: await startTwin(settings) };
  const contenders = [ours, baseline, oracle];

  console.log('starting our system (Temporal, PostgreSQL, worker, API)...');
  const system = await startOurSystem(ours.twin.sandbox.urls);
  const store = await system.addStore(ours.twin.setup, {
    proxies: ours.twin.sandbox.proxies.slice(0, settings.proxies),
  });
  const workerPid = system.stack.pids.worker!;
  const cpu = watchCpu({ worker: workerPid });

  const fromMs = Date.now();
  await system.startLoops([store]);
  const baselineRun = startBaseline(baseline.twin.setup);
  const oracleRun = startOracle(oracle.twin.setup, oracle.twin.sandbox.market);
  for (let m = 1; m <= minutes; m++) {
    await new Promise((r) => setTimeout(r, 60_000));
    console.log(`  ${m}/${minutes} min`);
  }
  const toMs = Date.now();
  await system.stopLoops([store]);
  await Promise.all([baselineRun.stop(), oracleRun.stop()]);
  const workerFigures = { cpuSeconds: cpu.stop().worker!, peakRssBytes: sampleProcess(workerPid)?.peakRssBytes ?? 0 };
  const historyEvents = await system.demperHistoryEvents();

  const results = contenders.map((c) => {
    const figures = score(c.twin, fromMs, toMs);
    const traffic = trafficOf(c.twin.sandbox);
    return {
      contender: c.name,
      ...figures,
      ...traffic,
      readsPerProductMinute: traffic.reads / settings.products / ((toMs - fromMs) / 60_000),
    };
  });
  const cities = [ALMATY, ASTANA].length;
  const productChecks = results[0]!.reads / cities;
  const system_ = {
    historyEventsPerProductCheck: productChecks > 0 ? historyEvents / productChecks : null,
    historyEvents,
    productChecks,
    workerCpuSeconds: workerFigures.cpuSeconds,
    workerPeakRssBytes: workerFigures.peakRssBytes,
  };

  console.log();
  console.log(
    table([
      [
        'contender',
        'first share',
        'margin kept',
        'reaction p50',
        'reaction p95',
        'unanswered',
        '403s',
        '429s',
        'reads/product/min',
        'pushes',
      ],
      ...results.map((r) => [
        r.contender,
        pct(r.firstShare),
        r.marginKept.toFixed(3),
        secs(r.reactionP50Ms),
        secs(r.reactionP95Ms),
        r.unanswered,
        r.readBans,
        r.pushBans,
        r.readsPerProductMinute.toFixed(2),
        r.pushes,
      ]),
    ]),
  );
  console.log();
  console.log(
    `ours: ${system_.historyEventsPerProductCheck?.toFixed(2) ?? '—'} Temporal history events per product check ` +
      `(${historyEvents} events, ${productChecks} checks); worker ${workerFigures.cpuSeconds.toFixed(1)} CPU s, peak RSS ${mb(workerFigures.peakRssBytes)}`,
  );
  const file = writeResults('market', { settings: { ...settings, minutes }, fromMs, toMs, results, system: system_ });
  console.log(`results written to ${file}`);

  await system.stop();
  await Promise.all(contenders.map((c) => c.twin.sandbox.stop()));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
