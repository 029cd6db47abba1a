import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { createUser } from '../../src/accounts/users';
import { createDb, type Db } from '../../src/db';
import { createPool } from '../../src/db/pool';
import { kaspiStores, products, users } from '../../src/db/schema';
import { DEFAULT_DEMPER_CONFIG, type DemperConfig } from '../../src/domain/demper-config';
import { loadConfig, type Config } from '../../src/lib/config';
import { createKeyring, newKeySpec } from '../../src/lib/crypto';
import { createLogger } from '../../src/lib/logger';
import { createTemporalClient } from '../../src/lib/temporal';
import { allocateProxies } from '../../src/proxies/pool';
import { upsertProxy } from '../../src/proxies/import';
import type { SandboxHandle } from '../../src/sandbox';
import { startStack, type Stack } from '../../src/stack/launcher';
import { demperWorkflowId, startDemper, stopDemper } from '../../src/stores/demper-control';
import { writeStoreSession } from '../../src/stores/session';
import { catalogSyncWorkflow } from '../../src/workflows/catalog-sync';
import type { ContenderSetup } from './contender';
import { freePort } from '../../src/stack/ports';

export interface OurStore {
  storeId: string;
  userId: string;
  setup: ContenderSetup;
  sandbox: SandboxHandle;
}

export interface OurSystem {
  stack: Stack;
  db: Db;
  config: Config;
  temporal: ReturnType<typeof createTemporalClient>;
  /** Connects a store of a new merchant to a sandbox merchant, with its products switched on and proxies given. */
  addStore(sandbox: SandboxHandle, setup: ContenderSetup, options: { proxies: number; loop?: Partial<DemperConfig> }): Promise<OurStore>;
  startLoops(stores: OurStore[]): Promise<void>;
  stopLoops(stores: OurStore[]): Promise<void>;
  /** Temporal history events of every run of a store's loop (continue-as-new chains included). */
  historyEvents(storeId: string): Promise<number>;
  databaseBytes(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * The system under test, the way `npm start` runs it — Temporal dev server, embedded PostgreSQL, worker
 * and API as child processes — in a temporary data folder on free ports, pointed at one Kaspi sandbox.
 * The bench seeds merchants straight into PostgreSQL (as the connect and catalog flows would leave
 * them) and starts their demper loops.
 */
export async function startOurSystem(kaspi: SandboxHandle['urls'], extraEnv: Record<string, string> = {}): Promise<OurSystem> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaspi-demper-bench-'));
  fs.chmodSync(dataDir, 0o755);
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    PORT: String(await freePort()),
    TEMPORAL_DEV_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    EMBEDDED_PG_PORT: String(await freePort()),
    ENCRYPTION_KEYS: newKeySpec('bench'),
    KASPI_PUBLIC_URL: kaspi.publicUrl,
    KASPI_MC_URL: kaspi.mcUrl,
    KASPI_IDMC_URL: kaspi.idmcUrl,
    KASPI_SHOP_API_URL: kaspi.shopApiUrl,
    PROXY_ALLOW_PRIVATE_ADDRESSES: 'true',
    ...extraEnv,
  };
  const config = loadConfig({ ...process.env, DATABASE_URL: '', TEMPORAL_ADDRESS: '', ...env });
  const logger = createLogger(config, 'bench');
  const stack = await startStack(config, logger, { env });
  const pool = createPool({ ...config.database, url: stack.env.DATABASE_URL!, poolMax: 4 }, logger, 'kaspi-demper-bench');
  const db = createDb(pool);
  const keyring = createKeyring(env.ENCRYPTION_KEYS!);
  const temporal = createTemporalClient({ address: stack.env.TEMPORAL_ADDRESS!, namespace: config.temporal.namespace }, keyring);
  const control = { temporal, db, config: { ...config, temporal: { ...config.temporal, address: stack.env.TEMPORAL_ADDRESS! } } };

  return {
    stack,
    db,
    config,
    temporal,
    async addStore(sandbox, setup, options) {
      const user = await createUser(db, { email: `bench-${setup.merchantUid}-${Date.now()}@bench.kz`, password: 'bench password 123' });
      await db.update(users).set({ plan: 'pro' }).where(sql`${users.id} = ${user.id}`);
      const [store] = await db
        .insert(kaspiStores)
        .values({
          userId: user.id,
          merchantUid: setup.merchantUid,
          name: `Bench ${setup.merchantUid}`,
          points: setup.points.map((p, i) => ({ code: `PP${i + 1}`, cityId: p.cityId, enabled: true })),
          demperConfig: { ...DEFAULT_DEMPER_CONFIG, ...options.loop },
        })
        .returning();
      await writeStoreSession(db, keyring, store!.id, { cookies: setup.cookies });
      // The catalog comes in as it would in production, through the cabinet's offer list.
      const synced = await temporal.workflow.execute(catalogSyncWorkflow, {
        workflowId: `catalog-sync:${store!.id}`,
        taskQueue: config.temporal.taskQueue,
        args: [{ storeId: store!.id, userId: user.id }],
      });
      if (synced.state !== 'done') throw new Error(`catalog sync of the bench store failed: ${synced.error}`);
      for (const p of setup.products) {
        await db
          .update(products)
          .set({ active: true, minPrice: p.floorTenge, maxPrice: p.ceilingTenge })
          .where(and(eq(products.storeId, store!.id), eq(products.sku, p.sku)));
      }
      for (const proxy of sandbox.proxies.slice(0, options.proxies)) {
        await upsertProxy(db, keyring, { protocol: 'http', host: '127.0.0.1', port: proxy.port, username: proxy.username, password: proxy.password });
      }
      if (options.proxies > 0) await allocateProxies(db, { userId: user.id, module: 'demper', count: options.proxies });
      return { storeId: store!.id, userId: user.id, setup, sandbox };
    },
    async startLoops(stores) {
      for (const store of stores) await startDemper(control, { id: store.storeId, userId: store.userId });
    },
    async stopLoops(stores) {
      for (const store of stores) await stopDemper(control, store.storeId);
    },
    async historyEvents(storeId) {
      let events = 0;
      for await (const run of temporal.workflow.list({ query: `WorkflowId = "${demperWorkflowId(storeId)}"` })) {
        events += run.historyLength;
      }
      return events;
    },
    async databaseBytes() {
      const result = await db.execute<{ size: string }>(sql`select pg_database_size(current_database())::text as size`);
      return Number(result.rows[0]!.size);
    },
    async stop() {
      await temporal.connection.close();
      await pool.end();
      await stack.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
