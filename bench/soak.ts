import autocannon from 'autocannon';
import { sql } from 'drizzle-orm';
import { startSandbox } from '../sandbox';
import { sampleProcess } from './lib/process-stats';
import { mb, options, pct, table, writeResults } from './lib/report';
import { startOurSystem } from './lib/system';
import { contenderSetup } from './lib/twins';

/**
 * `npm run bench:soak`: the API under a fixed rate of requests for a long stretch while the demper runs.
 * First the highest rate the main read and write routes sustain is measured (closed loop, `--calibrate`
 * seconds); then they are driven at `--load` of it (60 %) for `--minutes` (15), minute by minute. It
 * prints per minute the rate, errors and p99 latency, and at the end checks the soak's criteria: error
 * rate < 0.1 %, p99 of every minute ≤ 2× the first minute's, resident memory of the API and of the
 * worker grown < 20 % (each minute's lowest reading, from minute 5, or the first minute of a shorter run), and the
 * API's PostgreSQL pool with nobody waiting once the load stops. Exits non-zero when one fails.
 * `--minutes 1 --calibrate 10` checks the bench itself briefly.
 */
const opts = options({
  minutes: '15',
  calibrate: '20',
  load: '0.6',
  connections: '20',
  stores: '1',
  products: '40',
  seed: '5',
});

const SAMPLE_EVERY_MS = 5_000;

interface Minute {
  minute: number;
  requests: number;
  ratePerSecond: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  apiRssBytes: number;
  workerRssBytes: number;
}

type Request = { method: 'GET' | 'PATCH'; path: string; body?: string; headers?: Record<string, string> };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the API's JSON, read loosely by a benchmark
type Json = any;

async function call(url: string, method: string, body?: unknown, token?: string): Promise<Json> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

function run(
  url: string,
  token: string,
  requests: Request[],
  extra: { duration: number; overallRate?: number; connections: number },
) {
  return autocannon({
    url,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    requests,
    duration: extra.duration,
    connections: extra.connections,
    ...(extra.overallRate ? { overallRate: extra.overallRate } : {}),
    timeout: 10,
  });
}

/**
 * The lowest memory a process held during a minute (samples every few seconds): one reading at an
 * instant mostly says where the garbage collector happened to be, while a leak lifts the floor.
 */
function floorSince(samples: number[], from: number): number {
  const minute = samples.slice(from).filter((b) => b > 0);
  return minute.length > 0 ? Math.min(...minute) : 0;
}

async function poolWaiting(apiUrl: string, operatorToken: string): Promise<number> {
  const text = await (
    await fetch(`${apiUrl}/metrics`, { headers: { authorization: `Bearer ${operatorToken}` } })
  ).text();
  return Number(/^pg_pool_requests_waiting(?:\{[^}]*\})? (\d+(?:\.\d+)?)/m.exec(text)?.[1] ?? NaN);
}

async function main() {
  const minutes = Number(opts.minutes);
  const load = Number(opts.load);
  const connections = Number(opts.connections);
  console.log(
    `bench:soak — ${minutes} min at ${pct(load)} of the measured maximum, ${connections} connections, demper on ${opts.stores} stores`,
  );

  const sandbox = await startSandbox({
    seed: Number(opts.seed),
    profile: 'measured',
    latency: { baseMs: 20, jitterMs: 40 },
    proxies: { count: Number(opts.stores) },
    generate: {
      products: Number(opts.products),
      rivalsPerProduct: [2, 3],
      seed: Number(opts.seed),
      botIntervalMs: 5_000,
    },
  });
  console.log('starting our system (Temporal, PostgreSQL, worker, API)...');
  const system = await startOurSystem(sandbox.urls);
  try {
    // The demper runs throughout: stores of the generated merchant, each with a proxy, loops every 30 s.
    const setup = contenderSetup(sandbox, sandbox.generated!, { floorFraction: 0.85, ceilingFraction: 1.2 });
    const stores = [];
    for (let i = 0; i < Number(opts.stores); i++) {
      stores.push(
        await system.addStore(setup, {
          proxies: [sandbox.proxies[i]!],
          loop: { intervalSeconds: 30, hotIntervalSeconds: 10 },
        }),
      );
    }
    await system.startLoops(stores);

    // The merchant under load: signed in through the API, reading and changing the first store's products.
    const apiUrl = system.stack.apiUrl;
    const email = `soak-${Date.now()}@bench.kz`;
    const { token, user } = await call(`${apiUrl}/api/v1/auth/register`, 'POST', {
      email,
      password: 'soak password 123',
    });
    const storeId = stores[0]!.storeId;
    await system.db.execute(sql`update kaspi_stores set user_id = ${user.id} where id = ${storeId}`);
    const productIds = (
      await call(`${apiUrl}/api/v1/stores/${storeId}/products?limit=50`, 'GET', undefined, token)
    ).items.map((p: { id: string }) => p.id);
    const requests: Request[] = [
      { method: 'GET', path: `/api/v1/stores/${storeId}/products?limit=20` },
      ...productIds.slice(0, 5).map((id: string) => ({ method: 'GET' as const, path: `/api/v1/products/${id}` })),
      ...productIds.slice(0, 5).map((id: string, i: number) => ({
        method: 'PATCH' as const,
        path: `/api/v1/products/${id}`,
        body: JSON.stringify({ cost: 100 + i }),
      })),
      { method: 'GET', path: `/api/v1/stores/${storeId}/demper` },
    ];

    console.log(`calibrating for ${opts.calibrate} s (closed loop)...`);
    const max = await run(apiUrl, token, requests, { duration: Number(opts.calibrate), connections });
    const maxRate = max.requests.average;
    const rate = Math.max(1, Math.round(maxRate * load));
    console.log(
      `  maximum ≈ ${maxRate.toFixed(0)} req/s (p99 ${max.latency.p99} ms, ${max.non2xx + max.errors} errors); soaking at ${rate} req/s`,
    );

    const pids = system.stack.pids;
    const rss = { api: [] as number[], worker: [] as number[] };
    const sampler = setInterval(() => {
      rss.api.push(sampleProcess(pids.api!)?.rssBytes ?? 0);
      rss.worker.push(sampleProcess(pids.worker!)?.rssBytes ?? 0);
    }, SAMPLE_EVERY_MS);
    const rows: Minute[] = [];
    try {
      for (let minute = 1; minute <= minutes; minute++) {
        const sampledBefore = { api: rss.api.length, worker: rss.worker.length };
        const r = await run(apiUrl, token, requests, { duration: 60, overallRate: rate, connections });
        const row: Minute = {
          minute,
          requests: r.requests.total,
          ratePerSecond: r.requests.average,
          errors: r.non2xx + r.errors + r.timeouts,
          p50Ms: r.latency.p50,
          p99Ms: r.latency.p99,
          apiRssBytes: floorSince(rss.api, sampledBefore.api),
          workerRssBytes: floorSince(rss.worker, sampledBefore.worker),
        };
        rows.push(row);
        console.log(
          `  minute ${minute}: ${row.ratePerSecond.toFixed(0)} req/s, ${row.errors} errors, p50 ${row.p50Ms} ms, p99 ${row.p99Ms} ms, api ${mb(row.apiRssBytes)}, worker ${mb(row.workerRssBytes)}`,
        );
      }
    } finally {
      clearInterval(sampler);
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const waitingAfter = await poolWaiting(apiUrl, system.operatorToken);

    const total = rows.reduce((n, r) => n + r.requests, 0);
    const errors = rows.reduce((n, r) => n + r.errors, 0);
    const errorRate = total === 0 ? 1 : errors / total;
    const baselineP99 = rows[0]!.p99Ms;
    const worstP99 = Math.max(...rows.map((r) => r.p99Ms));
    // Memory growth from the end of minute 5 (warm), or from the first minute of a shorter run.
    const from = minutes > 5 ? rows[4]! : rows[0]!;
    const last = rows.at(-1)!;
    const growth = (a: number, b: number) => (a === 0 ? 0 : (b - a) / a);
    const criteria = [
      ['error rate < 0.1 %', pct(errorRate), errorRate < 0.001],
      ['p99 ≤ 2× first minute', `${worstP99} ms vs ${baselineP99} ms`, worstP99 <= 2 * Math.max(baselineP99, 1)],
      [
        'API RSS growth < 20 %',
        pct(growth(from.apiRssBytes, last.apiRssBytes)),
        growth(from.apiRssBytes, last.apiRssBytes) < 0.2,
      ],
      [
        'worker RSS growth < 20 %',
        pct(growth(from.workerRssBytes, last.workerRssBytes)),
        growth(from.workerRssBytes, last.workerRssBytes) < 0.2,
      ],
      ['pool waiting after the load = 0', String(waitingAfter), waitingAfter === 0],
    ] as const;

    console.log('');
    console.log(
      table([
        ['minute', 'req/s', 'errors', 'p50 ms', 'p99 ms', 'api RSS', 'worker RSS'],
        ...rows.map((r) => [
          r.minute,
          r.ratePerSecond.toFixed(0),
          r.errors,
          r.p50Ms,
          r.p99Ms,
          mb(r.apiRssBytes),
          mb(r.workerRssBytes),
        ]),
      ]),
    );
    console.log('');
    console.log(
      table([
        ['criterion', 'measured', 'pass'],
        ...criteria.map(([name, value, ok]) => [name, value, ok ? 'yes' : 'NO']),
      ]),
    );
    const file = writeResults('soak', {
      options: opts,
      maxRatePerSecond: maxRate,
      soakRatePerSecond: rate,
      minutes: rows,
      rssSamples: rss,
      poolWaitingAfter: waitingAfter,
      criteria: criteria.map(([name, value, ok]) => ({ name, value, ok })),
    });
    console.log(`\nresults: ${file}`);
    if (criteria.some(([, , ok]) => !ok)) process.exitCode = 1;
  } finally {
    await system.stop();
    await sandbox.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
