import { randomUUID } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import type { Db } from '../../src/db';
import { proxies } from '../../src/db/schema';
import type { ProxyModule } from '../../src/domain/plans';
import type { Keyring } from '../../src/lib/crypto';
import { sealFor } from '../../src/db/sealed-columns';
import { upsertProxy } from '../../src/proxies/import';

let nextHost = Math.floor(Math.random() * 200);

/**
 * Settings for reads through the sandbox's proxies (on loopback addresses): three reads to a lease, and a
 * refused address benched for `benchMs`, short enough for a test to watch it sit out and come back.
 */
export function benchedProxiesEnv(benchMs: number): Record<string, string> {
  return {
    PROXY_ALLOW_PRIVATE_ADDRESSES: 'true',
    PROXY_BUDGET_REQUESTS: '3',
    PROXY_BAN_BENCH_SECONDS: String(benchMs / 1000),
  };
}

/**
 * Proxies with made-up benchmark-network addresses (198.18.0.0/15), added to the free pool, or given
 * straight to `owner` when set (then the free pool is never touched). Written as an admin import
 * writes them (password sealed), many to a statement.
 */
export async function seedProxies(
  db: Db,
  keyring: Keyring,
  count: number,
  owner?: { userId: string; module: ProxyModule },
): Promise<string[]> {
  const rows = Array.from({ length: count }, () => {
    nextHost++;
    const id = randomUUID();
    return {
      id,
      protocol: 'http' as const,
      host: `198.${18 + ((nextHost >> 16) & 1)}.${(nextHost >> 8) & 255}.${nextHost & 255}`,
      port: 3128,
      username: `u${randomUUID().slice(0, 8)}`,
      passwordEnc: sealFor(keyring, 'proxyPassword', id, `pw-${randomUUID()}`),
      ...(owner
        ? { userId: owner.userId, module: owner.module, status: 'allocated' as const, allocatedAt: new Date() }
        : { status: 'available' as const }),
    };
  });
  for (let at = 0; at < rows.length; at += 500) await db.insert(proxies).values(rows.slice(at, at + 500));
  return rows.map((r) => r.id);
}

/** Sandbox proxies (real CONNECT proxies on 127.0.0.x) put in the pool and given to `owner`. */
export async function giveSandboxProxies(
  db: Db,
  keyring: Keyring,
  sandboxProxies: { port: number; username: string; password: string }[],
  owner: { userId: string; module: ProxyModule },
): Promise<string[]> {
  const ids: string[] = [];
  for (const p of sandboxProxies) {
    await upsertProxy(db, keyring, {
      protocol: 'http',
      host: '127.0.0.1',
      port: p.port,
      username: p.username,
      password: p.password,
    });
    const [row] = await db
      .select({ id: proxies.id })
      .from(proxies)
      .where(and(eq(proxies.host, '127.0.0.1'), eq(proxies.port, p.port)));
    ids.push(row!.id);
  }
  await db
    .update(proxies)
    .set({ userId: owner.userId, module: owner.module, status: 'allocated', allocatedAt: new Date() })
    .where(inArray(proxies.id, ids));
  return ids;
}

/**
 * RELIABILITY.md §2.3(3), the leak query, over `among` (proxy ids): allocated proxies whose user has no
 * active subscription. Proxies of other test files (given straight to users, with no subscription, as
 * fixtures) are left out by naming the proxies a test owns.
 */
export async function leakedProxies(db: Db, among: string[]): Promise<string[]> {
  const rows = await db.execute<{ id: string }>(sql`
    select p.id from proxies p
    where p.id = any(${`{${among.join(',')}}`}::uuid[]) and p.status = 'allocated'
      and not exists (select 1 from subscriptions s where s.user_id = p.user_id and s.status = 'active')`);
  return rows.rows.map((r) => r.id);
}

/** The advisory lock of the shared free pool (an arbitrary constant of this project's tests). */
const FREE_POOL_LOCK = 7_000_001;

/**
 * Takes the shared free pool for a test file until the returned function is called: files whose
 * tests take from it or empty it hold it, so they run one after another even when vitest runs files
 * side by side. On a connection of its own, without the pool's statement timeout, as it may wait long.
 */
export async function holdFreePool(): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
  await client.query('select pg_advisory_lock($1)', [FREE_POOL_LOCK]);
  return () => client.end();
}

/** Holds the shared free pool (see `holdFreePool`) for the enclosing suite: call it before the suite starts anything. */
export function holdFreePoolForSuite(): void {
  let release: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    release = await holdFreePool();
  });
  afterAll(() => release?.());
}
