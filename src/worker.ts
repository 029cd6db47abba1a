import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NativeConnection, Runtime, Worker, type State, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities';
import { createDb } from './db';
import { createPool } from './db/pool';
import { createReadChannel } from './proxies/read-channel';
import { configOrExit, requireSetting, type Config } from './lib/config';
import { createKeyring } from './lib/crypto';
import { dataConverter } from './lib/data-converter';
import { createLogger, type Logger } from './lib/logger';
import { createTemporalClient, temporalLogger } from './lib/temporal';
import { createLoginBrowser } from './logins/browser';
import { OpenLoginPages } from './logins/open-pages';
import { ensureTelegramBot } from './notify/telegram-bot-control';
import { workerErrorAlerts } from './notify/worker-errors';
import { ensureProxyPoolSchedule } from './proxies/schedule';

/** `npm run build` writes a prebuilt bundle here; without one the worker bundles from source at start. */
const PREBUILT_BUNDLE = path.join(__dirname, 'workflow-bundle.js');

/** The workflows entry file: `.ts` under tsx and vitest, `.js` in the compiled build. */
export const WORKFLOWS_PATH = ['index.ts', 'index.js']
  .map((file) => path.join(__dirname, 'workflows', file))
  .find((file) => fs.existsSync(file))!;

export function workflowSource(): Pick<WorkerOptions, 'workflowsPath' | 'workflowBundle'> {
  return fs.existsSync(PREBUILT_BUNDLE)
    ? { workflowBundle: { codePath: PREBUILT_BUNDLE } }
    : { workflowsPath: WORKFLOWS_PATH };
}

/** A task queue no other process polls: `<taskQueue>-<hostname>-<pid>-<random>`. */
export function workerTaskQueue(taskQueue: string): string {
  return `${taskQueue}-${os.hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** The worker of one process: runs, stops and reports state as one. */
export interface ServiceWorker {
  taskQueue: string;
  /** This process's own queue (see `createWorker`). */
  localTaskQueue: string;
  run(): Promise<void>;
  shutdown(): void;
  getState(): State;
}

export async function createWorker(options: {
  config: Config;
  connection: NativeConnection;
  deps: ActivityDeps;
  taskQueue?: string;
  workflows?: Pick<WorkerOptions, 'workflowsPath' | 'workflowBundle'>;
}): Promise<ServiceWorker> {
  const { config, connection, deps } = options;
  const taskQueue = options.taskQueue ?? config.temporal.taskQueue;
  // Besides the shared task queue, each process polls a queue of its own, for activities only. An SMS
  // login keeps its browser page in this process's memory between "send the code" and "submit the code",
  // so the workflow sends both steps here (Temporal's worker-specific task queue pattern). Both workers
  // share the connection and one set of activities, so they share the browser and the open pages.
  const local = {
    taskQueue: workerTaskQueue(taskQueue),
    browser: createLoginBrowser({ ...config.browser, logger: deps.logger }),
    pages: new OpenLoginPages(),
  };
  const activities = createActivities(deps, local);
  const common = {
    connection,
    namespace: config.temporal.namespace,
    activities,
    dataConverter: dataConverter(deps.keyring),
    shutdownGraceTime: `${config.temporal.shutdownGraceSeconds}s`,
    interceptors: { activity: [workerErrorAlerts(deps)] },
  };
  const main = await Worker.create({ ...common, taskQueue, ...(options.workflows ?? workflowSource()) });
  const own = await Worker.create({ ...common, taskQueue: local.taskQueue });
  const workers = [main, own];
  const shutdown = () => {
    for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
  };

  return {
    taskQueue,
    localTaskQueue: local.taskQueue,
    async run() {
      try {
        // One worker stopping (shutdown or failure) stops the other.
        const results = await Promise.allSettled(workers.map((worker) => worker.run().finally(shutdown)));
        const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed) throw failed.reason;
      } finally {
        await local.pages.closeAll();
        await local.browser.close();
      }
    },
    shutdown,
    getState: () => main.getState(),
  };
}

async function main(config: Config, logger: Logger) {
  const databaseUrl = requireSetting(config.database.url, 'DATABASE_URL');
  const keyring = createKeyring(requireSetting(config.secrets.encryptionKeys, 'ENCRYPTION_KEYS'));
  // SIGINT/SIGTERM make the runtime stop polling, let in-flight activities finish within the grace
  // time, and then `worker.run()` resolves.
  Runtime.install({
    logger: temporalLogger(logger),
    shutdownSignals: ['SIGINT', 'SIGTERM'],
    ...(config.temporal.workerMetricsPort
      ? {
          telemetryOptions: {
            metrics: { prometheus: { bindAddress: `0.0.0.0:${config.temporal.workerMetricsPort}` } },
          },
        }
      : {}),
  });

  const pool = createPool({ ...config.database, url: databaseUrl }, logger, 'kaspi-demper-worker');
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const temporal = createTemporalClient(config.temporal, keyring);
  const db = createDb(pool);
  const worker = await createWorker({
    config,
    connection,
    deps: { db, config, logger, keyring, temporal, readChannel: createReadChannel({ db, keyring, logger, config }) },
  });
  const schedule = await ensureProxyPoolSchedule(temporal, { taskQueue: config.temporal.taskQueue });
  logger.info({ schedule }, 'proxy pool schedule ready');
  if (await ensureTelegramBot(temporal, config)) logger.info('Telegram bot workflow running');

  logger.info(
    {
      taskQueue: worker.taskQueue,
      localTaskQueue: worker.localTaskQueue,
      namespace: config.temporal.namespace,
      address: config.temporal.address,
    },
    'worker polling',
  );
  try {
    await worker.run();
  } finally {
    await temporal.connection.close();
    await connection.close();
    await pool.end();
    logger.info('worker stopped');
  }
}

if (require.main === module) {
  const config = configOrExit();
  const logger = createLogger(config, 'worker');
  main(config, logger).catch((err: unknown) => {
    logger.fatal({ err }, 'worker failed');
    process.exit(1);
  });
}
