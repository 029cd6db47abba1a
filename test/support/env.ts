import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import type { AddressInfo } from 'node:net';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { inject } from 'vitest';
import { apiServices, createApp } from '../../src/api/app';
import { createDb, type Db } from '../../src/db';
import { createPool } from '../../src/db/pool';
import type { ActivityDeps } from '../../src/activities';
import { createReadChannel } from '../../src/proxies/read-channel';
import { loadConfig, type Config } from '../../src/lib/config';
import { createKeyring, type Keyring } from '../../src/lib/crypto';
import { TEST_SECRETS_ENV } from './secrets';
import { suiteResource } from './suite-resource';
import { createLogger, type Logger } from '../../src/lib/logger';
import { createTemporalClient, temporalLogger } from '../../src/lib/temporal';
import { createWorker, type ServiceWorker } from '../../src/worker';
import type pg from 'pg';
import type { Client } from '@temporalio/client';

/**
 * Every test connects from 127.0.0.1, and the counters behind these limits live in the shared database:
 * left at their defaults, the suite's own sign-ups and connects would use them up. Per-address limits
 * get their own tests with their own addresses. API processes a test spawns take these too.
 */
export const SHARED_ADDRESS_LIMITS_ENV = {
  LOGIN_MAX_ATTEMPTS_PER_IP: '1000000',
  REGISTER_MAX_PER_IP: '1000000',
  CONNECT_MAX_PER_IP: '1000000',
  CONNECT_MAX_PER_USER: '1000000',
  CONNECT_MAX_PER_MINUTE: '1000000',
  BROWSER_LOGINS_MAX_OPEN: '1000000',
};

/** Configuration pointing at the run's shared Temporal server and database, plus any overrides. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: inject('databaseUrl'),
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    // Every test file gets its own task queue so workers of different files never steal each other's tasks.
    TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
    WORKER_SHUTDOWN_GRACE_SECONDS: '5',
    ...TEST_SECRETS_ENV,
    ...SHARED_ADDRESS_LIMITS_ENV,
    ...(process.env.CHROMIUM_PATH ? { CHROMIUM_PATH: process.env.CHROMIUM_PATH } : {}),
    LOGIN_SCREENSHOT_DIR: path.join(os.tmpdir(), 'kaspi-demper-test-screenshots'),
    ...overrides,
  });
}

export interface TestContext {
  config: Config;
  keyring: Keyring;
  logger: Logger;
  pool: pg.Pool;
  db: Db;
  temporal: Client;
  close(): Promise<void>;
}

/** A database pool and Temporal client on the configuration; `close` ends both. */
export function testContext(config = testConfig(), logger: Logger = createLogger(config, 'test')): TestContext {
  const pool = createPool({ ...config.database, url: config.database.url! }, logger, 'kaspi-demper-test');
  const keyring = createKeyring(config.secrets.encryptionKeys!);
  const temporal = createTemporalClient(config.temporal, keyring);
  return {
    config,
    keyring,
    logger,
    pool,
    db: createDb(pool),
    temporal,
    async close() {
      await temporal.connection.close();
      await pool.end();
    },
  };
}

/** The suite's context: settings overriding `testConfig`'s, or a function making them once the suite starts. */
export function useTestContext(
  config: Record<string, string> | (() => Config) = {},
  logger?: (config: Config) => Logger,
): TestContext {
  return suiteResource(
    'the test context',
    () => {
      const resolved = typeof config === 'function' ? config() : testConfig(config);
      return testContext(resolved, logger?.(resolved));
    },
    (ctx) => ctx.close(),
  );
}

export interface RunningWorker {
  worker: ServiceWorker;
  stop(): Promise<void>;
}

let runtimeInstalled = false;

/** A real worker on the context's task queue, running the workflow bundle built in global setup. */
export async function startTestWorker(ctx: TestContext, deps: Partial<ActivityDeps> = {}): Promise<RunningWorker> {
  if (!runtimeInstalled) {
    // The SDK logs through the test logger (silent unless TEST_LOG_LEVEL is set), once per test file.
    // The core's own logs too (a worker retrying an absent server warns many times a second).
    Runtime.install({
      logger: temporalLogger(ctx.logger),
      shutdownSignals: [],
      telemetryOptions: { logging: { forward: {} } },
    });
    runtimeInstalled = true;
  }
  const connection = await NativeConnection.connect({ address: ctx.config.temporal.address });
  const worker = await createWorker({
    config: ctx.config,
    connection,
    deps: {
      db: ctx.db,
      config: ctx.config,
      logger: ctx.logger,
      keyring: ctx.keyring,
      temporal: ctx.temporal,
      readChannel: createReadChannel(ctx),
      ...deps,
    },
    workflows: { workflowBundle: { codePath: inject('workflowBundlePath') } },
  });
  const running = worker.run();
  let stopped: Promise<void> | undefined;
  return {
    worker,
    stop() {
      stopped ??= (async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
        await connection.close();
      })();
      return stopped;
    },
  };
}

/** The suite's worker (see `startTestWorker`). */
export function useTestWorker(ctx: TestContext): RunningWorker {
  return suiteResource(
    'the test worker',
    () => startTestWorker(ctx),
    (worker) => worker.stop(),
  );
}

export interface TestApi {
  url: string;
  app: Express;
  close(): Promise<void>;
}

/** The Express app on an ephemeral loopback port, wired to the context's database and Temporal. */
export async function startTestApi(ctx: TestContext): Promise<TestApi> {
  const services = apiServices(ctx);
  const app = createApp({
    config: ctx.config,
    logger: ctx.logger,
    pool: ctx.pool,
    db: ctx.db,
    temporal: ctx.temporal,
    keyring: ctx.keyring,
    ...services,
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await services.events.close();
    },
  };
}

/** The suite's API (see `startTestApi`). */
export function useTestApi(ctx: TestContext): TestApi {
  return suiteResource(
    'the test API',
    () => startTestApi(ctx),
    (api) => api.close(),
  );
}
