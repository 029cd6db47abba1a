import { randomUUID } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import { kaspiStores, priceChanges, products } from '../../src/db/schema';
import type { DemperConfig } from '../../src/domain/demper-config';
import { kaspiUrlsEnv, type SandboxHandle, type SandboxOptions } from '../../sandbox';
import { demperStatus, startDemper, type DemperControlDeps } from '../../src/stores/demper-control';
import { writeStoreSession } from '../../src/stores/session';
import { testConfig, useTestContext, useTestWorker, type TestContext } from './env';
import { useSandbox } from './sandbox';
import { seedProduct, seedStore, seedUser } from './seed';

/** Settings that point the service at a sandbox and keep the demper's waits short. */
export function demperTestConfig(sandbox: SandboxHandle, overrides: Record<string, string> = {}) {
  return testConfig({
    ...kaspiUrlsEnv(sandbox.urls),
    KASPI_TIMEOUT_MS: '3000',
    DIRECT_READS_PER_SECOND: '12',
    DIRECT_READ_BAN_PAUSE_SECONDS: '2',
    DEMPER_HEARTBEAT_TIMEOUT_SECONDS: '5',
    ...overrides,
  });
}

/** The suite's sandbox, a context on it with `demperTestConfig` (and `env` over it), and a worker. */
export function useDemperStack({ env, ...options }: SandboxOptions & { env?: Record<string, string> }) {
  const sandbox = useSandbox(options);
  const ctx = useTestContext(() => demperTestConfig(sandbox, env));
  useTestWorker(ctx);
  return { sandbox, ctx };
}

/** Loop settings for tests: every product checked every 5 s. */
export const FAST_LOOP: Partial<DemperConfig> = { intervalSeconds: 5, hotIntervalSeconds: 5, maxPushesPerSecond: 2 };

export function control(ctx: TestContext): DemperControlDeps {
  return { temporal: ctx.temporal, db: ctx.db, config: ctx.config };
}

/** A merchant with a store connected to a sandbox merchant: a live cabinet session, sealed as the connect flow stores it. */
export async function connectStore(
  ctx: TestContext,
  sandbox: SandboxHandle,
  merchantUid: string,
  options: { userId?: string; points?: { code: string; cityId: string }[]; demperConfig?: Partial<DemperConfig> } = {},
) {
  const user = options.userId ? { id: options.userId } : await seedUser(ctx.db);
  const merchant = sandbox.market.merchants.get(merchantUid);
  const points = options.points ?? merchant?.points.map((p) => ({ code: p.code, cityId: p.cityId })) ?? [];
  const store = await seedStore(ctx.db, user.id, {
    merchantUid,
    name: `Store ${randomUUID().slice(0, 6)}`,
    points: points.map((p) => ({ ...p, enabled: true })),
    demperConfig: options.demperConfig ?? FAST_LOOP,
  });
  const session = await giveLiveSession(ctx, sandbox, store.id, merchantUid);
  return { user, store, session };
}

/** A fresh cabinet session for the sandbox merchant, sealed into the store as the connect flow stores it. */
export async function giveLiveSession(ctx: TestContext, sandbox: SandboxHandle, storeId: string, merchantUid: string) {
  const session = sandbox.auth.createSession([merchantUid]);
  await writeStoreSession(ctx.db, ctx.keyring, storeId, {
    cookies: { 'mc-session': session.mcSession, 'mc-sid': session.mcSid },
  });
  return session;
}

/** A product of the store as the catalog sync would have imported it, switched on with the given settings. */
export function demperProduct(
  ctx: TestContext,
  storeId: string,
  values: { kaspiProductId: string; sku: string; price: number; cityPrices?: Record<string, number> } & Partial<
    typeof products.$inferInsert
  >,
) {
  return seedProduct(ctx.db, storeId, { name: `Product ${values.sku}`, active: true, ...values });
}

export async function startLoop(ctx: TestContext, store: { id: string; userId: string }) {
  await startDemper(control(ctx), store);
}

export function loopStatus(ctx: TestContext, storeId: string) {
  return demperStatus(control(ctx), storeId);
}

export async function changesOf(ctx: TestContext, productId: string) {
  return ctx.db.select().from(priceChanges).where(eq(priceChanges.productId, productId)).orderBy(priceChanges.seq);
}

export async function storeRow(ctx: TestContext, storeId: string) {
  const [row] = await ctx.db.select().from(kaspiStores).where(eq(kaspiStores.id, storeId));
  return row!;
}

/**
 * One product's pushes as the database records them sent (in order, with the changes themselves) and
 * as Kaspi accepted them, for tests to hold against each other after a fault.
 */
export async function sentAndPushed(
  ctx: TestContext,
  sandbox: SandboxHandle,
  of: { storeId: string; sku: string; merchantUid: string },
) {
  const [product] = await ctx.db
    .select()
    .from(products)
    .where(and(eq(products.storeId, of.storeId), eq(products.sku, of.sku)));
  const sent = await ctx.db
    .select()
    .from(priceChanges)
    .where(and(eq(priceChanges.productId, product!.id), eq(priceChanges.status, 'sent')))
    .orderBy(asc(priceChanges.seq));
  const recorded = sent.map((c) => (c.detail as { cityPrices: { value: number }[] }).cityPrices[0]!.value);
  const pushes = sandbox.market.pushLog({ merchantUid: of.merchantUid, sku: of.sku }).filter((p) => p.status === 200);
  return { sent, recorded, pushes, pushed: pushes.map((p) => p.cityPrices![0]!.value) };
}
