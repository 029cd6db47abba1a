import { ALMATY, ASTANA } from '../src/kaspi/cities';
import { DEFAULT_DEMPER_CONFIG, DEMPER_CONFIG_LIMITS } from '../src/domain/demper-config';
import { PROXY_LIMIT_PROFILES } from '../src/domain/proxy-budget';
import { DEFAULT_CHANGE_BUDGET, DEFAULT_WRITE_PACE, type ChangeBudget } from '../src/domain/write-budget';
import { SETTINGS } from '../src/lib/settings';
import type { LimitProfile, SandboxHandle, SandboxProxy } from '../sandbox';
import { LIMIT_PROFILES, scaleProfile } from '../sandbox/limits';
import { startBaseline } from './lib/baseline';
import { CARD_KINDS, cardKinds, figuresByKind, REGAIN_DELAY_BOUNDS_MS, type KindFigures } from './lib/card-kinds';
import { byCard, cardFigures, combine, type DemperFigures } from './lib/metrics';
import { ORACLE_INSIGHTS, startOracle, type OracleInsight } from './lib/oracle';
import { sampleProcess, watchCpu } from './lib/process-stats';
import { mb, options, pct, range, secs, table, writeResults } from './lib/report';
import { startOurSystem, type OurSystem } from './lib/system';
import {
  priceIn,
  retireTwin,
  startMarketSandbox,
  startTwin,
  twinIn,
  type MarketSettings,
  type Twin,
} from './lib/twins';

/**
 * `npm run bench:market`: our system, the seeds' algorithm and a perfect-information bound, each on
 * its own twin of one generated market under the `measured` limits, run side by side in a steady
 * state and scored from each market's ground truth. Two scenarios, one after the other: a catalog the
 * change budget binds, and a small one whose few rivals keep contesting first place.
 *
 * Time is compressed by `--timeScale`: the change budget's window (ours, Kaspi's and the oracle's),
 * Kaspi's push bans, the rivals' intervals and every contender's intervals (ours: its quiet and hot
 * intervals and how often it may read one product) are multiplied by it;
 * rates (reads and pushes per second) are physical and stay as they are, and so do the budget's counts.
 */
const opts = options({
  scenario: 'both',
  timeScale: '0.1',
  windows: '1',
  warmup: '0.25',
  products: '500',
  rivals: '2-8',
  proxies: '5',
  botIntervalSeconds: '120',
  smallProducts: '20',
  smallRivals: '2-4',
  smallProxies: '1',
  smallBotIntervalSeconds: '300',
  intervalSeconds: String(DEFAULT_DEMPER_CONFIG.intervalSeconds),
  hotIntervalSeconds: String(DEFAULT_DEMPER_CONFIG.hotIntervalSeconds),
  seed: '7',
  latency: '50-150',
  floor: '0.85',
  ceiling: '1.2',
  priceWarGuardPercent: '100',
  readAheadSeconds: SETTINGS.DEMPER_READ_AHEAD_SECONDS.default,
  oracles: 'money',
});

/**
 * The oracles run beside ours (`OracleInsight`): the one that ranks by money is the bound every ratio is
 * taken to; those that also know the rivals' bots show what such knowledge would be worth.
 */
const oracleInsights = opts.oracles.split(',').map((s) => s.trim()) as OracleInsight[];
if (oracleInsights[0] !== 'money' || !oracleInsights.every((i) => ORACLE_INSIGHTS.includes(i)))
  throw new Error(`--oracles is money, then any of ${ORACLE_INSIGHTS.slice(1).join(', ')}, comma-separated`);
const oracleName = (insight: OracleInsight) => (insight === 'money' ? 'oracle bound' : `oracle + bots' ${insight}`);

const CITIES = [ALMATY, ASTANA].length;
/** What one proxy may safely read per second (`measured` profile of the read budget, src/domain/proxy-budget.ts). */
const SAFE_READS_PER_SECOND =
  PROXY_LIMIT_PROFILES.measured.budgetRequests / PROXY_LIMIT_PROFILES.measured.budgetWindowSeconds;
/** The seeds' demper looks at every product this often in real time. */
const BASELINE_INTERVAL_MS = 30_000;

const timeScale = Number(opts.timeScale);
if (!(timeScale > 0 && timeScale <= 1)) throw new Error('--timeScale must be above 0 and at most 1');
const windows = Number(opts.windows);
if (!(windows >= 1)) throw new Error('--windows must be at least 1: the figures are meant over whole budget windows');
const warmupWindows = Number(opts.warmup);
/**
 * How far below a price war's start our products follow the rival. The score counts first place as
 * possible down to the floor, and the oracle follows every rival there; at the products' default (0)
 * the demper stops following a rival that answered three cuts, on purpose, and gives that card up.
 */
const priceWarGuardPercent = Number(opts.priceWarGuardPercent);
if (!(priceWarGuardPercent >= 0 && priceWarGuardPercent <= 100)) throw new Error('--priceWarGuardPercent is 0 to 100');
const warsFollowed = () =>
  priceWarGuardPercent === 100
    ? 'following price wars down to the floor'
    : priceWarGuardPercent === 0
      ? 'not following a price war below where it began'
      : `following price wars down to ${priceWarGuardPercent} % below where they began`;

/** Our change budget, its window compressed; the count stays, so it binds as it does in real time. */
const budget: ChangeBudget = {
  limit: DEFAULT_CHANGE_BUDGET.limit,
  windowSeconds: Math.max(1, Math.round(DEFAULT_CHANGE_BUDGET.windowSeconds * timeScale)),
};

/**
 * How often ours reads one product at most (`DEMPER_READ_AHEAD_SECONDS`), compressed like its intervals,
 * in whole milliseconds.
 */
const readAheadSeconds = Math.round(Number(opts.readAheadSeconds) * timeScale * 1000) / 1000;

/**
 * Kaspi's `measured` limits in compressed time: the change budget's window and every ban of the
 * writes (`banScale`). Storefront reads keep their per-second window and their 10-s ban, as reads
 * are not compressed.
 */
function scaledLimits(): LimitProfile {
  const measured: LimitProfile = {
    name: LIMIT_PROFILES.measured.name,
    publicReads: LIMIT_PROFILES.measured.publicReads.map((r) => ({ ...r })),
    pushes: LIMIT_PROFILES.measured.pushes.map((r) => ({ ...r })),
    changes: LIMIT_PROFILES.measured.changes.map((r) => ({ ...r })),
  };
  const scaled = scaleProfile(measured, timeScale);
  return { ...scaled, name: `measured ×${timeScale}`, publicReads: measured.publicReads };
}

/** A store's loop interval in compressed time: whole seconds, never under the configurable minimum. */
const scaledInterval = (seconds: number) =>
  Math.max(DEMPER_CONFIG_LIMITS.minIntervalSeconds, Math.round(seconds * timeScale));

interface Scenario {
  key: 'budget' | 'small';
  title: string;
  settings: MarketSettings;
}

function scenarios(): Scenario[] {
  const common = {
    latencyMs: range(opts.latency),
    floorFraction: Number(opts.floor),
    ceilingFraction: Number(opts.ceiling),
    limits: scaledLimits(),
  };
  const all: Scenario[] = [
    {
      key: 'budget',
      title: 'budget-bound catalog',
      settings: {
        ...common,
        products: Number(opts.products),
        rivals: range(opts.rivals),
        botMix: { static: 0.5, undercut: 0.2, raise: 0.1, enter_leave: 0.2 },
        botIntervalMs: Number(opts.botIntervalSeconds) * 1000 * timeScale,
        seed: Number(opts.seed),
        proxies: Number(opts.proxies),
      },
    },
    {
      key: 'small',
      title: 'small contested',
      settings: {
        ...common,
        products: Number(opts.smallProducts),
        rivals: range(opts.smallRivals),
        // Every rival reprices: most undercut whoever is first, the rest creep up.
        botMix: { undercut: 0.7, raise: 0.3 },
        botIntervalMs: Number(opts.smallBotIntervalSeconds) * 1000 * timeScale,
        // Its own seed: both markets of ours live in one sandbox, and a merchant may not be generated twice.
        seed: Number(opts.seed) + 1,
        proxies: Number(opts.smallProxies),
      },
    },
  ];
  const wanted = opts.scenario === 'both' ? ['budget', 'small'] : [opts.scenario];
  const chosen = all.filter((s) => wanted.includes(s.key));
  if (chosen.length !== wanted.length) throw new Error('--scenario is budget, small or both');
  return chosen;
}

interface Traffic {
  reads: number;
  readBans: number;
  pushRequests: number;
  pushBans: number;
}

function trafficOf(tally: Map<string, number>): Traffic {
  const traffic: Traffic = { reads: 0, readBans: 0, pushRequests: 0, pushBans: 0 };
  for (const [key, count] of tally) {
    const [endpoint, status] = key.split(':');
    if (endpoint === 'offers') {
      traffic.reads += count;
      if (status === '403') traffic.readBans += count;
    }
    if (endpoint === 'pricefeed' || endpoint === 'pricefeed_batch') {
      traffic.pushRequests += count;
      if (status === '429') traffic.pushBans += count;
    }
  }
  return traffic;
}

function trafficBetween(before: Map<string, number>, after: Map<string, number>): Traffic {
  const a = trafficOf(after);
  const b = trafficOf(before);
  return {
    reads: a.reads - b.reads,
    readBans: a.readBans - b.readBans,
    pushRequests: a.pushRequests - b.pushRequests,
    pushBans: a.pushBans - b.pushBans,
  };
}

/** Offer changes Kaspi accepted from the twin's merchant in the span (a batch push counts each offer). */
function acceptedChanges(twin: Twin, fromMs: number, toMs: number): number {
  return twin.sandbox.market
    .pushLog({ merchantUid: twin.setup.merchantUid, sinceMs: fromMs })
    .filter((p) => p.atMs < toMs && p.status === 200).length;
}

function ourCards(twin: Twin) {
  const byProduct = new Map(twin.setup.products.map((p) => [p.productId, p]));
  const cards = [...byCard(twin.sandbox.market.timeline)].filter(([key]) => byProduct.has(key.split(':')[0]!));
  return { byProduct, cards };
}

function score(twin: Twin, fromMs: number, toMs: number): DemperFigures {
  const { byProduct, cards } = ourCards(twin);
  return combine(
    cards.map(([key, events]) => {
      const product = byProduct.get(key.split(':')[0]!)!;
      return cardFigures(events, {
        ourMerchantUid: twin.setup.merchantUid,
        floorTenge: product.floorTenge,
        ceilingTenge: product.ceilingTenge,
        fromMs,
        toMs,
        // The floor is a fixed share of the product's price.
        weight: product.floorTenge,
      });
    }),
  );
}

function scoreByKind(twin: Twin, fromMs: number, toMs: number): KindFigures[] {
  const { byProduct, cards } = ourCards(twin);
  const { market } = twin.sandbox;
  const kinds = cardKinds(market.bots, (bot) => market.offer(bot.merchantUid, bot.sku)?.productId);
  return figuresByKind(new Map(cards), kinds, {
    ourMerchantUid: twin.setup.merchantUid,
    bounds: (productId) => byProduct.get(productId)!,
    fromMs,
    toMs,
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits `ms`, saying how far it has got every half minute. */
async function waitTelling(ms: number, what: string) {
  const started = Date.now();
  const total = Math.round(ms / 1000);
  while (Date.now() - started < ms) {
    await sleep(Math.min(30_000, ms - (Date.now() - started)));
    console.log(`  ${what} ${Math.round((Date.now() - started) / 1000)}/${total} s`);
  }
}

const ratio = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? null : a / b);
const fixed = (x: number | null, digits = 2) => (x === null ? '—' : x.toFixed(digits));

async function runScenario(scenario: Scenario, system: OurSystem, oursSandbox: SandboxHandle, proxies: SandboxProxy[]) {
  const { settings } = scenario;
  const loop = {
    intervalSeconds: scaledInterval(Number(opts.intervalSeconds)),
    hotIntervalSeconds: scaledInterval(Number(opts.hotIntervalSeconds)),
  };
  loop.hotIntervalSeconds = Math.min(loop.hotIntervalSeconds, loop.intervalSeconds);
  const baselineIntervalMs = BASELINE_INTERVAL_MS * timeScale;
  const warmupMs = warmupWindows * budget.windowSeconds * 1000;
  const measureMs = windows * budget.windowSeconds * 1000;
  const bounds = {
    /** Product checks (every city's card) per product per minute the proxies may safely read. */
    checksPerProductMinute: (settings.proxies * SAFE_READS_PER_SECOND * 60) / CITIES / settings.products,
    /** Offer changes the budget allows over the measured span. */
    changes: budget.limit * windows,
  };
  const botSeconds = settings.botIntervalMs / 1000;
  console.log();
  console.log(
    `${scenario.title} — ${settings.products} products, ${settings.rivals.join('-')} rivals each, ` +
      `${settings.proxies} ${settings.proxies === 1 ? 'proxy' : 'proxies'}, seed ${settings.seed}`,
  );
  console.log(
    `  time ×${timeScale}: change budget ${budget.limit} per ${budget.windowSeconds} s; rivals move every ` +
      `${(botSeconds / 2).toFixed(0)}–${(botSeconds * 1.5).toFixed(0)} s; ours checks every ${loop.intervalSeconds} s ` +
      `(${loop.hotIntervalSeconds} s hot, each at most every ${readAheadSeconds} s), ${warsFollowed()}; ` +
      `the baseline every ${(baselineIntervalMs / 1000).toFixed(1)} s`,
  );
  console.log(
    `  warm-up ${(warmupMs / 1000).toFixed(0)} s from a priced-in market, then ${windows} budget ` +
      `${windows === 1 ? 'window' : 'windows'} measured (${(measureMs / 1000).toFixed(0)} s)`,
  );

  const ours = twinIn(oursSandbox, settings, proxies);
  const baseline = await startTwin(settings);
  const oracles = await Promise.all(
    oracleInsights.map(async (insight) => ({ insight, twin: await startTwin(settings) })),
  );
  const contenders = [
    { name: 'ours', twin: ours, citiesPerCheck: CITIES },
    // The seeds read only the first city's card.
    { name: 'seed baseline', twin: baseline, citiesPerCheck: 1 },
    // The money-first oracle comes first of them: every ratio is taken to it.
    ...oracles.map((o) => ({ name: oracleName(o.insight), twin: o.twin, citiesPerCheck: CITIES })),
  ];
  const twins = contenders.map((c) => c.twin);

  twins.forEach(priceIn);
  const store = await system.addStore(ours.setup, { proxies, loop, priceWarGuardPercent });
  // Once more just before the start, so every twin starts from the same priced-in cards.
  const moved = twins.map(priceIn);
  console.log(`  priced in (${moved.join(' / ')} city prices set again after the catalog import); starting`);

  await system.startLoops([store]);
  const baselineRun = startBaseline(baseline.setup, { intervalMs: baselineIntervalMs });
  const oracleRuns = oracles.map((o) =>
    startOracle(o.twin.setup, o.twin.sandbox.market, { budget, tickMs: 20, insight: o.insight }),
  );
  await waitTelling(warmupMs, 'warm-up');

  const postgresPid = await system.postgresPid();
  const tallies = twins.map((t) => new Map(t.sandbox.tally));
  const eventsBefore = await system.demperHistoryEvents();
  const cpu = watchCpu(
    { worker: system.stack.pids.worker, temporal: system.stack.pids.temporal },
    { postgres: postgresPid },
  );
  const fromMs = Date.now();
  await waitTelling(measureMs, 'measuring');
  const toMs = Date.now();
  const spent = cpu.stop();
  const talliesAfter = twins.map((t) => new Map(t.sandbox.tally));

  await system.stopLoops([store]);
  await Promise.all([baselineRun.stop(), ...oracleRuns.map((r) => r.stop())]);
  const historyEvents = (await system.demperHistoryEvents()) - eventsBefore;

  const minutes = (toMs - fromMs) / 60_000;
  const raw = contenders.map((c, i) => {
    const traffic = trafficBetween(tallies[i]!, talliesAfter[i]!);
    const checks = traffic.reads / c.citiesPerCheck;
    return {
      contender: c.name,
      ...score(c.twin, fromMs, toMs),
      byKind: scoreByKind(c.twin, fromMs, toMs),
      ...traffic,
      changes: acceptedChanges(c.twin, fromMs, toMs),
      readsPerProductMinute: traffic.reads / settings.products / minutes,
      checksPerProductMinute: checks / settings.products / minutes,
    };
  });
  const oracleBound = raw[2]!;
  const results = raw.map((r) => ({
    ...r,
    firstShareOfOracle: ratio(r.firstShare, oracleBound.firstShare),
    firstShareByMoneyOfOracle: ratio(r.firstShareByMoney, oracleBound.firstShareByMoney),
    marginKeptOfOracle: ratio(r.marginKept, oracleBound.marginKept),
    reactionP50OfOracle: ratio(r.reactionP50Ms, oracleBound.reactionP50Ms),
    reactionP95OfOracle: ratio(r.reactionP95Ms, oracleBound.reactionP95Ms),
    checksOfReadBound: ratio(r.checksPerProductMinute, bounds.checksPerProductMinute),
    changesOfBudget: ratio(r.changes, bounds.changes),
  }));
  const productChecks = results[0]!.reads / CITIES;
  const system_ = {
    historyEventsPerProductCheck: productChecks > 0 ? historyEvents / productChecks : null,
    historyEvents,
    productChecks,
    cpuSeconds: { worker: spent.worker!, postgres: spent.postgres!, temporal: spent.temporal! },
    workerPeakRssBytes: sampleProcess(system.stack.pids.worker!)?.peakRssBytes ?? 0,
  };

  console.log();
  console.log(
    `${scenario.title}: how well (÷ oracle: the share of the bound reached; reaction × oracle: how much slower)`,
  );
  console.log(
    table([
      [
        'contender',
        'first share',
        '÷ oracle',
        'by money',
        '÷ oracle',
        'margin kept',
        '÷ oracle',
        'reaction p50',
        '× oracle',
        'reaction p95',
        '× oracle',
        'unanswered',
      ],
      ...results.map((r) => [
        r.contender,
        pct(r.firstShare),
        fixed(r.firstShareOfOracle),
        pct(r.firstShareByMoney),
        fixed(r.firstShareByMoneyOfOracle),
        r.marginKept.toFixed(3),
        fixed(r.marginKeptOfOracle),
        secs(r.reactionP50Ms),
        fixed(r.reactionP50OfOracle, 1),
        secs(r.reactionP95Ms),
        fixed(r.reactionP95OfOracle, 1),
        r.unanswered,
      ]),
    ]),
  );
  console.log();
  console.log(
    `${scenario.title}: at what cost (read bound ${bounds.checksPerProductMinute.toFixed(2)} checks/product/min = ` +
      `${settings.proxies} × ${SAFE_READS_PER_SECOND} reads/s ÷ ${CITIES} cities ÷ ${settings.products} products; ` +
      `budget ${bounds.changes} changes = ${budget.limit} × ${windows} ${windows === 1 ? 'window' : 'windows'})`,
  );
  console.log(
    table([
      [
        'contender',
        '403s',
        '429s',
        'reads/product/min',
        'checks/product/min',
        '÷ read bound',
        'pushes (changes)',
        '÷ budget',
      ],
      ...results.map((r) => [
        r.contender,
        r.readBans,
        r.pushBans,
        r.readsPerProductMinute.toFixed(2),
        r.checksPerProductMinute.toFixed(2),
        fixed(r.checksOfReadBound),
        r.changes,
        fixed(r.changesOfBudget),
      ]),
    ]),
  );
  console.log();
  console.log(
    `${scenario.title}: by card kind (its most contesting rival) — first share; our moves down / up; ` +
      `first place taken back × how long it held on average`,
  );
  console.log(
    table([
      ['card kind', 'cards', ...results.map((r) => r.contender)],
      ...CARD_KINDS.map((kind, k) => [
        kind,
        results[0]!.byKind[k]!.cards,
        ...results.map((r) => {
          const f = r.byKind[k]!;
          return `${pct(f.firstShare)}  ${f.lowered} / ${f.raised}  ${f.regains} × ${secs(f.regainHoldMs)}`;
        }),
      ]),
    ]),
  );
  const undercut = CARD_KINDS.indexOf('undercut');
  const spanLabels = [0, ...REGAIN_DELAY_BOUNDS_MS].map((low, i) => {
    const high = REGAIN_DELAY_BOUNDS_MS[i];
    return high === undefined ? `≥ ${low / 1000} s` : `${low / 1000}–${high / 1000} s`;
  });
  console.log();
  console.log(
    `${scenario.title}: undercut cards — first place taken back, by how long after it was lost ` +
      `(regains × how long they held); our moves down that took none`,
  );
  console.log(
    table([
      ['contender', ...spanLabels, 'missed'],
      ...results.map((r) => {
        const f = r.byKind[undercut]!;
        return [r.contender, ...f.regainsByDelay.map((s) => `${s.regains} × ${secs(s.holdMs)}`), f.missed];
      }),
    ]),
  );
  console.log(
    `ours: ${fixed(system_.historyEventsPerProductCheck)} Temporal history events per product check ` +
      `(${historyEvents} events, ${productChecks} checks); CPU s: worker ${spent.worker!.toFixed(1)}, ` +
      `PostgreSQL ${spent.postgres!.toFixed(1)}, Temporal ${spent.temporal!.toFixed(1)}; ` +
      `worker peak RSS ${mb(system_.workerPeakRssBytes)}`,
  );
  const file = writeResults(`market-${scenario.key}`, {
    scenario: scenario.key,
    settings: {
      ...settings,
      timeScale,
      windows,
      warmupWindows,
      budget,
      loop,
      baselineIntervalMs,
      pace: DEFAULT_WRITE_PACE,
    },
    bounds,
    fromMs,
    toMs,
    results,
    system: system_,
  });
  console.log(`results written to ${file}`);

  await Promise.all([baseline, ...oracles.map((o) => o.twin)].map((t) => t.sandbox.stop()));
  retireTwin(ours);
}

async function main() {
  const chosen = scenarios();
  const started = Date.now();
  console.log(
    `bench:market — ${chosen.map((s) => s.title).join(', then ')}; time ×${timeScale}, ` +
      `${windows} budget ${windows === 1 ? 'window' : 'windows'} measured after ${warmupWindows} of warm-up`,
  );
  // Our system reads one Kaspi: every scenario's market of ours lives in this sandbox, each with its own proxies.
  const first = chosen[0]!.settings;
  const oursSandbox = await startMarketSandbox(
    first,
    chosen.reduce((sum, s) => sum + s.settings.proxies, 0),
  );
  console.log('starting our system (Temporal, PostgreSQL, worker, API)...');
  const system = await startOurSystem(oursSandbox.urls, {
    env: {
      DEMPER_CHANGE_BUDGET: String(budget.limit),
      DEMPER_CHANGE_BUDGET_WINDOW_SECONDS: String(budget.windowSeconds),
      DEMPER_READ_AHEAD_SECONDS: String(readAheadSeconds),
    },
  });
  try {
    let nextProxy = 0;
    for (const scenario of chosen) {
      const proxies = oursSandbox.proxies.slice(nextProxy, nextProxy + scenario.settings.proxies);
      nextProxy += scenario.settings.proxies;
      await runScenario(scenario, system, oursSandbox, proxies);
    }
  } finally {
    await system.stop();
    await oursSandbox.stop();
  }
  console.log(`\nbench:market took ${((Date.now() - started) / 60_000).toFixed(1)} min`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
