import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import pg from 'pg';
import type { TestProject } from 'vitest/node' with { 'resolution-mode': 'import' };
import { runMigrations } from '../../src/db/migrate';
import { startEmbeddedPostgres } from '../../src/stack/embedded-postgres';
import { resolveTemporalCli, startTemporalDevServer } from '../../src/stack/temporal-dev-server';
import { FAILURE_CONVERTER_PATH } from '../../src/lib/data-converter';
import { WORKFLOWS_PATH } from '../../src/worker';
import { freePort } from '../../src/stack/ports';
import { ensureWebBuild } from '../../src/stack/web-build';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    databaseUrl: string;
    adminDatabaseUrl: string;
    workflowBundlePath: string;
  }
}

/**
 * One Temporal dev server and one fresh PostgreSQL database for the whole run, and the workflow code
 * bundled once; test files reach them through `inject()` (see `test/support/env.ts`).
 */
export default async function setup(project: TestProject) {
  const { adminUrl, stopPostgres } = await postgresForTests();
  const database = `kaspi_demper_test_${Date.now()}_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database "${database}"`);
  await admin.end();
  const databaseUrl = adminUrl.replace(/\/[^/?]*(\?|$)/, `/${database}$1`);
  await runMigrations(databaseUrl);

  // The API serves the built web cabinet, and the browser tests drive it.
  await ensureWebBuild((line) => console.error(line));

  const cliPath = await resolveTemporalCli(process.env.TEMPORAL_CLI_PATH);
  const temporal = await startTemporalWithRetry(cliPath);

  const bundleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaspi-demper-bundle-'));
  const workflowBundlePath = path.join(bundleDir, 'workflows.js');
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: quietLogger,
  });
  fs.writeFileSync(workflowBundlePath, code);

  project.provide('temporalAddress', temporal.address);
  project.provide('databaseUrl', databaseUrl);
  project.provide('adminDatabaseUrl', adminUrl);
  project.provide('workflowBundlePath', workflowBundlePath);

  return async () => {
    await temporal.stop();
    fs.rmSync(bundleDir, { recursive: true, force: true });
    const cleanup = new pg.Client({ connectionString: adminUrl });
    await cleanup.connect();
    await cleanup.query(`drop database if exists "${database}" with (force)`);
    await cleanup.end();
    await stopPostgres();
  };
}

/**
 * The port `freePort()` found can be taken by another process before the server binds it (other test
 * runs share this machine), so a failed start is retried on a new port.
 */
async function startTemporalWithRetry(cliPath: string, attempts = 3) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startTemporalDevServer({ cliPath, port: await freePort(), namespace: 'default' });
    } catch (err) {
      if (attempt >= attempts) throw err;
      console.error(`Temporal dev server did not start (attempt ${attempt}): ${(err as Error).message}`);
    }
  }
}

/**
 * TEST_DATABASE_ADMIN_URL, else the machine's PostgreSQL on 5432, else an embedded one started for
 * this run, so `npm test` needs no database set up by hand.
 */
async function postgresForTests(): Promise<{ adminUrl: string; stopPostgres: () => Promise<void> }> {
  const configured = process.env.TEST_DATABASE_ADMIN_URL;
  const local = 'postgres://postgres@127.0.0.1:5432/postgres';
  if (configured) return { adminUrl: configured, stopPostgres: async () => undefined };
  const probe = new pg.Client({ connectionString: local, connectionTimeoutMillis: 2000 });
  try {
    await probe.connect();
    await probe.end();
    return { adminUrl: local, stopPostgres: async () => undefined };
  } catch {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaspi-demper-test-pg-'));
    fs.chmodSync(dataDir, 0o755);
    const embedded = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'postgres' });
    return {
      adminUrl: embedded.url,
      stopPostgres: async () => {
        await embedded.stop();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
}

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: console.error };
