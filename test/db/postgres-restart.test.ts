import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/stack/embedded-postgres';
import { waitForPort } from '../../src/stack/temporal-dev-server';
import { freePort } from '../../src/stack/ports';
import { runMigrations } from '../../src/db/migrate';
import { registerMerchant } from '../support/http';
import { exited, spawnEntry } from '../support/processes';

const CONNECT_TIMEOUT_MS = 1_000;

/**
 * The API process keeps running while its PostgreSQL crashes and comes back: requests fail fast with
 * 503 meanwhile and succeed again afterwards, without a restart of the API. Under load on an
 * authenticated route, no request waits longer than the pool's connect timeout and a second.
 */
describe('PostgreSQL restarting under a running API', () => {
  let dataDir: string;
  let pgPort: number;
  let postgres: EmbeddedPostgres;
  let api: ReturnType<typeof spawnEntry>;
  let apiUrl: string;

  const start = () => startEmbeddedPostgres({ dataDir, port: pgPort, database: 'restart_test' });
  const dbHealth = async () => {
    const started = Date.now();
    const res = await fetch(`${apiUrl}/health/db`);
    return { status: res.status, ms: Date.now() - started };
  };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaspi-demper-pg-'));
    fs.chmodSync(dataDir, 0o755);
    pgPort = await freePort();
    postgres = await start();
    await runMigrations(postgres.url);
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    api = spawnEntry('src/api/server.ts', {
      PORT: String(port),
      DATABASE_URL: postgres.url,
      DATABASE_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      DATABASE_POOL_MAX: '5',
      TEMPORAL_ADDRESS: inject('temporalAddress'),
    });
    await waitForPort('127.0.0.1', port, 60_000, () => api.exitCode === null);
  });

  afterAll(async () => {
    if (api.exitCode === null) api.kill('SIGTERM');
    await exited(api);
    await postgres.stop('immediate');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 fast while PostgreSQL is down and recovers by itself', async () => {
    // Warm the pool so idle clients exist to be severed by the crash.
    for (let i = 0; i < 5; i++) expect((await dbHealth()).status).toBe(200);

    await postgres.stop('immediate');
    const during = await Promise.all([dbHealth(), dbHealth(), dbHealth()]);
    for (const r of during) {
      expect(r.status).toBe(503);
      expect(r.ms).toBeLessThan(4000);
    }
    expect(api.exitCode).toBeNull();

    postgres = await start();
    let recovered = false;
    for (let i = 0; i < 50 && !recovered; i++) {
      recovered = (await dbHealth()).status === 200;
      if (!recovered) await new Promise((r) => setTimeout(r, 200));
    }
    expect(recovered).toBe(true);
    expect(api.exitCode).toBeNull();
    expect(api.output()).not.toMatch(/Unhandled 'error' event|uncaught/i);
  });

  it('keeps every request of a loaded authenticated route within the connect timeout and a second, and serves again soon after', async () => {
    const merchant = await registerMerchant(apiUrl, 'pg-crash');
    const replies: { startedAt: number; ms: number; status: number }[] = [];
    let loading = true;
    // Twenty clients in a closed loop, four times the pool: requests wait for a connection too.
    const clients = Array.from({ length: 20 }, async () => {
      while (loading) {
        const startedAt = Date.now();
        const status = await fetch(`${apiUrl}/api/v1/stores`, {
          headers: { authorization: `Bearer ${merchant.token}` },
          signal: AbortSignal.timeout(30_000),
        }).then(
          async (res) => (await res.arrayBuffer(), res.status),
          () => 0,
        );
        replies.push({ startedAt, ms: Date.now() - startedAt, status });
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await postgres.stop('immediate');
    const downAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    postgres = await start();
    const upAt = Date.now();
    const served = () => replies.find((r) => r.startedAt >= upAt && r.status === 200);
    while (!served() && Date.now() - upAt < 10_000) await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => setTimeout(resolve, 500));
    loading = false;
    await Promise.all(clients);

    const during = replies.filter((r) => r.startedAt >= downAt && r.startedAt < upAt);
    expect(during.length).toBeGreaterThan(10);
    // Refused as unavailable, fast, while it is down (the tail of the window may already be served again).
    expect(during.filter((r) => r.status === 503).length).toBeGreaterThan(10);
    expect(
      during.every((r) => r.status === 503 || r.status === 200),
      during.map((r) => r.status).join(','),
    ).toBe(true);
    // Before the crash the route serves; a request may fail fast waiting for one of the five connections,
    // the more often the busier the machine, and that is the 503 the pool promises, never a hang.
    const before = replies.filter((r) => r.startedAt < downAt - 500);
    expect(before.filter((r) => r.status === 200).length).toBeGreaterThan(0);
    expect(
      before.every((r) => r.status === 200 || r.status === 503),
      before.map((r) => r.status).join(','),
    ).toBe(true);
    const slowest = Math.max(...replies.map((r) => r.ms));
    expect(slowest, `slowest request ${slowest} ms`).toBeLessThanOrEqual(CONNECT_TIMEOUT_MS + 1_000);
    expect(replies.every((r) => r.status !== 0)).toBe(true);
    const resumedMs = served()!.startedAt + served()!.ms - upAt;
    expect(resumedMs).toBeLessThan(5_000);
    expect(api.exitCode).toBeNull();
    expect(api.output()).not.toMatch(/Unhandled 'error' event|uncaught/i);
  });
});
