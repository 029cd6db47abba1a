import fs from 'node:fs';
import path from 'node:path';
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities';
import { createDb } from './db';
import { createPool } from './db/pool';
import { directReadChannel } from './demper/read-channel';
import { getConfig, requireSetting, type Config } from './lib/config';
import { createKeyring } from './lib/crypto';
import { dataConverter } from './lib/data-converter';
import { createLogger, type Logger } from './lib/logger';
import { createTemporalClient, temporalLogger } from './lib/temporal';

/** `npm run build` writes a prebuilt bundle here; without one the worker bundles from source at start. */
const PREBUILT_BUNDLE = path.join(__dirname, 'workflow-bundle.js');

/** The workflows entry file: `.ts` under tsx and vitest, `.js` in the compiled build. */
export const WORKFLOWS_PATH = ['index.ts', 'index.js']
  .map((file) => path.join(__dirname, 'workflows', file))
  .find((file) => fs.existsSync(file))!;

export function workflowSource(): Pick<WorkerOptions, 'workflowsPath' | 'workflowBundle'> {
  return fs.existsSync(PREBUILT_BUNDLE) ? { workflowBundle: { codePath: PREBUILT_BUNDLE } } : { workflowsPath: WORKFLOWS_PATH };
}

export async function createWorker(options: {
  config: Config;
  connection: NativeConnection;
  deps: ActivityDeps;
  taskQueue?: string;
  workflows?: Pick<WorkerOptions, 'workflowsPath' | 'workflowBundle'>;
}): Promise<Worker> {
  const { config, connection, deps } = options;
  return Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: options.taskQueue ?? config.temporal.taskQueue,
    ...(options.workflows ?? workflowSource()),
    activities: createActivities(deps),
    dataConverter: dataConverter(deps.keyring),
    shutdownGraceTime: `${config.temporal.shutdownGraceSeconds}s`,
  });
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
      ? { telemetryOptions: { metrics: { prometheus: { bindAddress: `0.0.0.0:${config.temporal.workerMetricsPort}` } } } }
      : {}),
  });

  const pool = createPool({ ...config.database, url: databaseUrl }, logger, 'kaspi-demper-worker');
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const temporal = createTemporalClient(config.temporal, keyring);
  const worker = await createWorker({
    config,
    connection,
    deps: { db: createDb(pool), config, logger, keyring, temporal, readChannel: directReadChannel(config.demper) },
  });

  logger.info(
    { taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace, address: config.temporal.address },
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
  let config: Config;
  try {
    config = getConfig();
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
  const logger = createLogger(config, 'worker');
  main(config, logger).catch((err: unknown) => {
    logger.fatal({ err }, 'worker failed');
    process.exit(1);
  });
}
