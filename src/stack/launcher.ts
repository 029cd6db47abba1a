import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import { runMigrations } from '../db/migrate';
import { devSecrets } from './dev-secrets';
import { ensureWebBuild, webBuildIsStale } from './web-build';
import { startEmbeddedPostgres } from './embedded-postgres';
import { resolveTemporalCli, startTemporalDevServer, stopChild, waitForPort } from './temporal-dev-server';

const SRC = path.resolve(__dirname, '..');

/** Something the launcher started and must stop, in reverse order of starting. */
interface Part {
  name: string;
  stop(): Promise<void>;
}

export interface Stack {
  apiUrl: string;
  temporalUiUrl: string;
  env: NodeJS.ProcessEnv;
  /** Resolves when any child exits on its own (a crash), with its name. */
  exited: Promise<string>;
  /** Process ids of the children by name (`temporal`, `worker`, `api`, ...), for measuring them. */
  pids: Record<string, number | undefined>;
  stop(): Promise<void>;
}

/**
 * Runs a TypeScript entry point of ours as a child process that shares our terminal. Node loads tsx
 * itself (`--import tsx`), so the child is the service: stopping it stops the service, not a wrapper.
 */
export function spawnService(entry: string, env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.join(SRC, entry)], {
    env,
    stdio: 'inherit',
    // Own process group: a terminal's Ctrl-C reaches only the launcher, which stops children in order.
    detached: true,
  });
}

/**
 * Brings up everything on one machine: Temporal (dev server unless TEMPORAL_ADDRESS is set),
 * PostgreSQL (embedded unless DATABASE_URL is set), migrations, the worker and the API. Data lives
 * under DATA_DIR, so a second start finds it again.
 */
export async function startStack(
  config: Config,
  logger: Logger,
  extra: { env?: NodeJS.ProcessEnv; services?: { name: string; entry: string }[] } = {},
): Promise<Stack> {
  const parts: Part[] = [];
  const children: { name: string; child: ChildProcess }[] = [];
  const stop = async () => {
    for (const part of [...parts].reverse()) {
      logger.info(`stopping ${part.name}`);
      await part.stop().catch((err: unknown) => logger.warn({ err }, `stopping ${part.name} failed`));
    }
  };
  // If the launcher itself dies, take the detached children with it.
  process.once('exit', () => {
    for (const { child } of children) if (child.exitCode === null) child.kill('SIGKILL');
  });

  try {
    const dataDir = path.resolve(config.embedded.dataDir);
    fs.mkdirSync(dataDir, { recursive: true });
    const secrets = devSecrets(dataDir, process.env);
    const codecToken = config.secrets.codecToken ?? secrets.CODEC_TOKEN;

    let temporalAddress = config.temporal.address;
    let temporalUiUrl = config.temporal.uiUrl;
    if (config.temporal.embedded) {
      const cliPath = await resolveTemporalCli(config.temporal.cliPath);
      logger.info({ cliPath }, 'starting the Temporal dev server');
      const server = await startTemporalDevServer({
        cliPath,
        port: config.embedded.temporalPort,
        uiPort: config.embedded.temporalUiPort,
        namespace: config.temporal.namespace,
        dbFile: path.join(dataDir, 'temporal.db'),
        uiCodecEndpoint: codecToken ? `http://localhost:${config.api.port}/codec/${codecToken}` : undefined,
        detached: true,
      });
      children.push({ name: 'temporal', child: server.process });
      parts.push({ name: 'Temporal dev server', stop: server.stop });
      temporalAddress = server.address;
      temporalUiUrl = server.uiUrl ?? temporalUiUrl;
    }

    let databaseUrl = config.database.url;
    if (!databaseUrl) {
      logger.info('starting embedded PostgreSQL');
      const pg = await startEmbeddedPostgres({
        dataDir: path.join(dataDir, 'postgres'),
        port: config.embedded.postgresPort,
        database: 'kaspi_demper',
      });
      parts.push({ name: 'PostgreSQL', stop: pg.stop });
      databaseUrl = pg.url;
    }

    await runMigrations(databaseUrl);
    logger.info('database migrated');

    if (webBuildIsStale()) {
      logger.info('building the web cabinet (its sources changed since the last build)');
      await ensureWebBuild((line) => logger.debug(line));
    }

    const env: NodeJS.ProcessEnv = {
      ...secrets,
      ...process.env,
      ...extra.env,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_UI_URL: temporalUiUrl,
    };
    const services = [
      { name: 'worker', entry: 'worker.ts' },
      { name: 'api', entry: 'api/server.ts' },
      ...(extra.services ?? []),
    ];
    for (const service of services) {
      const child = spawnService(service.entry, env);
      children.push({ name: service.name, child });
      parts.push({
        name: service.name,
        stop: () => stopChild(child, (config.temporal.shutdownGraceSeconds + 5) * 1000),
      });
    }
    const exited = Promise.race(
      children.map(({ name, child }) => new Promise<string>((resolve) => child.once('exit', () => resolve(name)))),
    );
    await waitForPort('127.0.0.1', config.api.port, 60_000);
    const pids = Object.fromEntries(children.map(({ name, child }) => [name, child.pid]));
    return { apiUrl: `http://localhost:${config.api.port}`, temporalUiUrl, env, exited, pids, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
