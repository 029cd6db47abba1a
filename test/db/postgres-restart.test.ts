import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/stack/embedded-postgres';
import { waitForPort } from '../../src/stack/temporal-dev-server';
import { freePort } from '../../src/stack/ports';
import { exited, spawnEntry } from '../support/processes';

/**
 * The API process keeps running while its PostgreSQL crashes and comes back: requests fail fast with
 * 503 meanwhile and succeed again afterwards, without a restart of the API.
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
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    api = spawnEntry('src/api/server.ts', {
      PORT: String(port),
      DATABASE_URL: postgres.url,
      DATABASE_CONNECT_TIMEOUT_MS: '1000',
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
});
