import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { createUser } from '../../src/accounts/users';
import { createDb, type Db } from '../../src/db';
import { createPool } from '../../src/db/pool';
import { kaspiStores, products, users } from '../../src/db/schema';
import { DEFAULT_DEMPER_CONFIG, type DemperConfig } from '../../src/domain/demper-config';
import { PRODUCT_SETTINGS_DEFAULTS } from '../../src/domain/product-settings';
import { loadConfig } from '../../src/lib/config';
import { createKeyring, newKeySpec } from '../../src/lib/crypto';
import { createLogger } from '../../src/lib/logger';
import { createTemporalClient } from '../../src/lib/temporal';
import { allocateProxies } from '../../src/proxies/pool';
import { upsertProxy } from '../../src/proxies/import';
import { kaspiUrlsEnv, type SandboxHandle, type SandboxProxy } from '../../sandbox';
import { startStack, type Stack } from '../../src/stack/launcher';
import { startDemper, stopDemper } from '../../src/stores/demper-control';
import { writeStoreSession } from '../../src/stores/session';
import { catalogSyncWorkflow } from '../../src/workflows/catalog-sync';
import { catalogSyncWorkflowId, PROXY_POOL_SCHEDULE_ID } from '../../src/workflows/messages';
import { demperWorkflow } from '../../src/workflows/demper';
import type { ContenderSetup } from './contender';
import { freePort } from '../../src/stack/ports';
import { parentPid } from './process-stats';

export interface OurStore {
  storeId: string;
  userId: string;
  setup: ContenderSetup;
}

export interface OurSystem {
  stack: Stack;
  /** Reads the operators' routes (`/metrics`, detailed health). */
  operatorToken: string;
  db: Db;
  /** Connects a store of a new merchant to a sandbox merchant, with its products switched on and proxies given. */
  addStore(
    setup: ContenderSetup,
    options: {
      proxies: SandboxProxy[];
      loop?: Partial<DemperConfig>;
      /** How far below a price war's start the products follow the rival (the products' default when absent). */
      priceWarGuardPercent?: number;
    },
  ): Promise<OurStore>;
  startLoops(stores: OurStore[]): Promise<void>;
  stopLoops(stores: OurStore[]): Promise<void>;
  /** Temporal history events of every demper loop so far (continue-as-new chains included), running runs read live. */
  demperHistoryEvents(): Promise<number>;
  databaseBytes(): Promise<number>;
  /** Rows PostgreSQL has inserted, updated and deleted in each of our tables since it started. */
  rowsWritten(): Promise<Map<string, number>>;
  /** The embedded PostgreSQL's postmaster, the parent of every server process (measure it with `treeCpuSeconds`). */
  postgresPid(): Promise<number | undefined>;
  stop(): Promise<void>;
}

/**
 * The system under test, the way `npm start` runs it — Temporal dev server, embedded PostgreSQL, worker
 * and API as child processes — in a temporary data folder on free ports, pointed at one Kaspi sandbox.
 * The bench seeds merchants straight into PostgreSQL (as the connect and catalog flows would leave
 * them) and starts their demper loops. `env` adds settings (`src/lib/settings.ts`) for the worker and the API.
 */
export async function startOurSystem(
  kaspi: SandboxHandle['urls'],
  options: { env?: Record<string, string> } = {},
): Promise<OurSystem> {
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
    ...kaspiUrlsEnv(kaspi),
    PROXY_ALLOW_PRIVATE_ADDRESSES: 'true',
    OPERATOR_TOKEN: randomBytes(24).toString('base64url'),
    ...options.env,
  };
  const config = loadConfig({ ...process.env, DATABASE_URL: '', TEMPORAL_ADDRESS: '', ...env });
  const logger = createLogger(config, 'bench');
  const stack = await startStack(config, logger, { env });
  const pool = createPool(
    { ...config.database, url: stack.env.DATABASE_URL!, poolMax: 4 },
    logger,
    'kaspi-demper-bench',
  );
  const db = createDb(pool);
  const keyring = createKeyring(env.ENCRYPTION_KEYS!);
  const temporal = createTemporalClient(
    { address: stack.env.TEMPORAL_ADDRESS!, namespace: config.temporal.namespace },
    keyring,
  );
  const control = {
    temporal,
    db,
    config: { ...config, temporal: { ...config.temporal, address: stack.env.TEMPORAL_ADDRESS! } },
  };

  // Bench merchants hold proxies without a subscription, which the proxy-pool sweep (every 6 hours,
  // `proxyPoolWorkflow`) takes for a leak: a run that crossed its hour would lose its proxies midway.
  const holdProxyPoolSweep = () =>
    temporal.schedule.getHandle(PROXY_POOL_SCHEDULE_ID).pause('bench merchants hold proxies without a subscription');

  return {
    stack,
    operatorToken: env.OPERATOR_TOKEN!,
    db,
    async addStore(setup, options) {
      const user = await createUser(db, {
        email: `bench-${setup.merchantUid}-${Date.now()}@bench.kz`,
        password: 'bench password 123',
      });
      await db
        .update(users)
        .set({ plan: 'pro' })
        .where(sql`${users.id} = ${user.id}`);
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
        workflowId: catalogSyncWorkflowId(store!.id),
        taskQueue: config.temporal.taskQueue,
        args: [{ storeId: store!.id, userId: user.id }],
      });
      if (synced.state !== 'done') throw new Error(`catalog sync of the bench store failed: ${synced.error}`);
      // Every product switched on with its floor, ceiling and price-war guard, in one statement per store.
      const guardPercent = options.priceWarGuardPercent ?? PRODUCT_SETTINGS_DEFAULTS.priceWarGuardPercent;
      const bounds = sql.join(
        setup.products.map((p) => sql`(${p.sku}, ${p.floorTenge}::int, ${p.ceilingTenge}::int)`),
        sql`, `,
      );
      await db.execute(sql`
        update ${products} set ${sql.identifier(products.active.name)} = true,
          ${sql.identifier(products.minPrice.name)} = bounds.floor,
          ${sql.identifier(products.maxPrice.name)} = bounds.ceiling,
          ${sql.identifier(products.priceWarGuardPercent.name)} = ${guardPercent}
        from (values ${bounds}) as bounds(sku, floor, ceiling)
        where ${products.storeId} = ${store!.id} and ${products.sku} = bounds.sku`);
      for (const proxy of options.proxies) {
        await upsertProxy(db, keyring, {
          protocol: 'http',
          host: '127.0.0.1',
          port: proxy.port,
          username: proxy.username,
          password: proxy.password,
        });
      }
      if (options.proxies.length > 0) {
        await holdProxyPoolSweep();
        await allocateProxies(db, { userId: user.id, module: 'demper', count: options.proxies.length });
      }
      return { storeId: store!.id, userId: user.id, setup };
    },
    async startLoops(stores) {
      for (const store of stores) await startDemper(control, { id: store.storeId, userId: store.userId });
    },
    async stopLoops(stores) {
      for (const store of stores) await stopDemper(control, store.storeId);
    },
    async demperHistoryEvents() {
      let events = 0;
      for await (const run of temporal.workflow.list({ query: `WorkflowType = "${demperWorkflow.name}"` })) {
        events +=
          run.status.name === 'RUNNING'
            ? (await temporal.workflow.getHandle(run.workflowId, run.runId).describe()).historyLength
            : run.historyLength;
      }
      return events;
    },
    async rowsWritten() {
      const result = await db.execute<{ name: string; rows: string }>(
        sql`select relname as name, (n_tup_ins + n_tup_upd + n_tup_del)::text as rows from pg_stat_user_tables`,
      );
      return new Map(result.rows.map((r) => [r.name, Number(r.rows)]));
    },
    async postgresPid() {
      // This connection's server process is a child of the postmaster.
      const result = await db.execute<{ pid: number }>(sql`select pg_backend_pid() as pid`);
      return parentPid(Number(result.rows[0]!.pid));
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
