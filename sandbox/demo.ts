import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { and, asc, eq, gt, ne } from 'drizzle-orm';
import { createDb, type Db } from '../src/db';
import { createPool } from '../src/db/pool';
import { kaspiStores, priceChanges, products } from '../src/db/schema';
import { ALMATY, ASTANA, cityName } from '../src/kaspi/cities';
import { configOrExit, loadConfig, type Config } from '../src/lib/config';
import { createKeyring } from '../src/lib/crypto';
import { createLogger } from '../src/lib/logger';
import { createTemporalClient } from '../src/lib/temporal';
import { startStack } from '../src/stack/launcher';
import { startDemper } from '../src/stores/demper-control';
import { writeStoreSession } from '../src/stores/session';
import { kaspiUrlsEnv, startSandbox, type SandboxHandle } from '.';

/**
 * `npm run demo`: the whole system on embedded defaults, selling into a Kaspi sandbox with a lively
 * market. It starts the sandbox, the stack pointed at it, a merchant with a connected store whose
 * catalog it syncs and switches on with floors, starts the store's demper loop with short intervals,
 * and prints every decision as it happens. Ctrl-C stops everything. The demo keeps its data under
 * DATA_DIR/demo and starts afresh each time (the sandbox it talked to is gone).
 */
const PRODUCTS = 12;
const LOOP = { intervalSeconds: 15, hotIntervalSeconds: 5, maxPushesPerSecond: 1.5, workingHours: null, dryRun: false };

async function main(base: Config) {
  const logger = createLogger(base, 'demo');
  const sandbox = await startSandbox({
    seed: 7,
    profile: 'measured',
    latency: { baseMs: 20, jitterMs: 40 },
    pushApplyDelayMs: 300,
    generate: {
      products: PRODUCTS,
      rivalsPerProduct: [2, 4],
      seed: 7,
      botIntervalMs: 6_000,
      cityIds: [ALMATY, ASTANA],
    },
  });
  const dataDir = path.resolve(base.embedded.dataDir, 'demo');
  fs.rmSync(dataDir, { recursive: true, force: true });
  const env = { DATA_DIR: dataDir, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ...kaspiUrlsEnv(sandbox.urls) };
  const config = loadConfig({ ...process.env, ...env });

  logger.info('starting the stack (the first start builds the Temporal CLI and takes a while)');
  const stack = await startStack(config, logger, { env });
  const pool = createPool({ ...config.database, url: stack.env.DATABASE_URL! }, logger, 'kaspi-demper-demo');
  const db = createDb(pool);
  const keyring = createKeyring(stack.env.ENCRYPTION_KEYS!);
  const temporal = createTemporalClient(
    { address: stack.env.TEMPORAL_ADDRESS!, namespace: config.temporal.namespace },
    keyring,
  );

  let stopping = false;
  let poller: NodeJS.Timeout | undefined;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    clearInterval(poller);
    console.log('\nstopping…');
    await temporal.connection.close().catch(() => undefined);
    await pool.end().catch(() => undefined);
    await stack.stop();
    await sandbox.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  void stack.exited.then((name) => {
    if (stopping) return;
    console.error(`${name} exited unexpectedly`);
    void shutdown(1);
  });

  try {
    poller = await seedAndStart({ stack, sandbox, db, keyring, temporal, config });
  } catch (error) {
    console.error(error instanceof Error ? error.stack : error);
    await shutdown(1);
  }
}

async function seedAndStart(parts: {
  stack: Awaited<ReturnType<typeof startStack>>;
  sandbox: SandboxHandle;
  db: Db;
  keyring: ReturnType<typeof createKeyring>;
  temporal: ReturnType<typeof createTemporalClient>;
  config: Config;
}): Promise<NodeJS.Timeout> {
  const { stack, sandbox, db, keyring, temporal, config } = parts;
  const merchant = { email: 'demo@kaspi-demper.kz', password: `demo-${randomBytes(6).toString('hex')}` };
  const api = apiClient(stack.apiUrl);
  const { user, token } = await api('POST', '/api/v1/auth/register', merchant);
  const store = await connectDemoStore(db, keyring, sandbox, user.id);
  const kaspi = sandbox.generated!.merchant;
  const as = api.with(token);

  await as('POST', `/api/v1/stores/${store.id}/sync`);
  // The worker may still be loading its workflows: a sync that does not answer yet is asked again.
  const startedAt = Date.now();
  for (;;) {
    const progress = await as('GET', `/api/v1/stores/${store.id}/sync`).catch((error: unknown) => {
      if (error instanceof ApiCallError && error.status === 503 && Date.now() - startedAt < 120_000)
        return { state: 'running' };
      throw error;
    });
    if (progress.state === 'done') break;
    if (progress.state === 'failed') throw new Error(`catalog sync failed: ${progress.error}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  const { items } = await as('GET', `/api/v1/stores/${store.id}/products?limit=200`);
  for (const product of items as { id: string; price: number }[]) {
    await as('PATCH', `/api/v1/products/${product.id}`, {
      active: true,
      minPrice: Math.round(product.price * 0.9),
      maxPrice: Math.round(product.price * 1.15),
    });
  }
  await startDemper({ temporal, db, config }, store);

  console.log(
    [
      '',
      'Kaspi Demper demo is running',
      `  Web cabinet   ${stack.apiUrl}  — sign in as ${merchant.email} / ${merchant.password}`,
      `  API           ${stack.apiUrl}/api/v1  (the same sign-in; bearer tokens from POST /api/v1/auth/login)`,
      `  API docs      ${stack.apiUrl}/docs`,
      `  Temporal UI   ${stack.temporalUiUrl}  (workflow demper:${store.id})`,
      `  Kaspi sandbox ${sandbox.controlUrl}  (merchant ${store.merchantUid}, ${items.length} products, rivals repricing every few seconds)`,
      `  Kaspi login   ${kaspi.email} / ${kaspi.password}, or by SMS to ${kaspi.phone} (codes at ${sandbox.controlUrl}/sms)` +
        ' — to try connecting a store from a new account',
      `  Store         ${store.id}: GET ${stack.apiUrl}/api/v1/stores/${store.id}/demper`,
      'Price decisions as they happen (Ctrl-C stops everything):',
      '',
    ].join('\n'),
  );
  return printDecisions(db, sandbox, store.id);
}

class ApiCallError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function apiClient(baseUrl: string) {
  const call = (token?: string) => async (method: string, route: string, body?: unknown) => {
    const res = await fetch(baseUrl + route, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new ApiCallError(res.status, `${method} ${route} answered ${res.status}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return Object.assign(call(), { with: (token: string) => call(token) });
}

/** What the store-connection flow does after a login: the store row, its points, and the sealed cabinet session. */
async function connectDemoStore(
  db: Db,
  keyring: ReturnType<typeof createKeyring>,
  sandbox: SandboxHandle,
  userId: string,
) {
  const merchant = sandbox.generated!.merchant;
  const [store] = await db
    .insert(kaspiStores)
    .values({
      userId,
      merchantUid: merchant.uid,
      name: merchant.name,
      points: merchant.points.map((p) => ({ code: p.code, cityId: p.cityId, enabled: true })),
      demperConfig: LOOP,
    })
    .returning();
  const session = sandbox.auth.createSession([merchant.uid]);
  await writeStoreSession(db, keyring, store!.id, {
    cookies: { 'mc-session': session.mcSession, 'mc-sid': session.mcSid },
  });
  return store!;
}

/** Polls the price history and prints each decision once it settled: product, rival, old → new, why. */
function printDecisions(db: Db, sandbox: SandboxHandle, storeId: string): NodeJS.Timeout {
  let lastSeq = 0;
  const tenge = (n: number | null) => (n === null ? '—' : `${n.toLocaleString('ru-RU')} ₸`);
  let busy = false;
  return setInterval(() => {
    if (busy) return;
    busy = true;
    db.select({ change: priceChanges, name: products.name })
      .from(priceChanges)
      .innerJoin(products, eq(products.id, priceChanges.productId))
      .where(and(eq(priceChanges.storeId, storeId), gt(priceChanges.seq, lastSeq), ne(priceChanges.status, 'pending')))
      .orderBy(asc(priceChanges.seq))
      .then((rows) => {
        for (const { change, name } of rows) {
          lastSeq = change.seq;
          const at = change.createdAt.toTimeString().slice(0, 8);
          const status =
            change.status === 'sent' ? '' : ` (${change.status}${change.error ? `: ${change.error}` : ''})`;
          const decisions = change.detail.changes;
          if (decisions.length === 0) {
            console.log(
              `${at}  ${name.padEnd(24).slice(0, 24)}  ${tenge(change.oldPrice)} → ${tenge(change.newPrice)}  ${change.reason}${status}`,
            );
          }
          for (const d of decisions) {
            const rival = d.rival
              ? `${sandbox.market.merchants.get(d.rival.merchantId)?.name ?? d.rival.merchantId} at ${tenge(d.rival.priceTenge)}`
              : 'no rival';
            console.log(
              `${at}  ${name.padEnd(24).slice(0, 24)}  ${(cityName(d.cityId) ?? d.cityId).padEnd(7)}  ${rival.padEnd(30)}  ` +
                `${tenge(d.livePriceTenge)} → ${tenge(d.targetPriceTenge)}  ${d.reason}${status}`,
            );
          }
        }
      })
      .catch((error: unknown) => console.error(error instanceof Error ? error.message : error))
      .finally(() => {
        busy = false;
      });
  }, 1_000);
}

main(configOrExit()).catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
