import { randomUUID } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../src/db';
import { proxies } from '../../src/db/schema';
import type { ProxyModule } from '../../src/domain/plans';
import type { Keyring } from '../../src/lib/crypto';
import { upsertProxy } from '../../src/proxies/import';

let nextHost = Math.floor(Math.random() * 200);

/**
 * Proxies with made-up benchmark-network addresses (198.18.0.0/15), added to the free pool, or given
 * straight to `owner` when set (then the free pool is never touched).
 */
export async function seedProxies(
  db: Db,
  keyring: Keyring,
  count: number,
  owner?: { userId: string; module: ProxyModule },
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    nextHost++;
    const host = `198.${18 + ((nextHost >> 16) & 1)}.${(nextHost >> 8) & 255}.${nextHost & 255}`;
    await upsertProxy(db, keyring, { protocol: 'http', host, port: 3128, username: `u${randomUUID().slice(0, 8)}`, password: `pw-${randomUUID()}` });
    const [row] = await db.select({ id: proxies.id }).from(proxies).where(inArray(proxies.host, [host]));
    ids.push(row!.id);
  }
  if (owner) {
    await db
      .update(proxies)
      .set({ userId: owner.userId, module: owner.module, status: 'allocated', allocatedAt: new Date() })
      .where(inArray(proxies.id, ids));
  }
  return ids;
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
    await upsertProxy(db, keyring, { protocol: 'http', host: '127.0.0.1', port: p.port, username: p.username, password: p.password });
    const [row] = await db.select({ id: proxies.id }).from(proxies).where(and(eq(proxies.host, '127.0.0.1'), eq(proxies.port, p.port)));
    ids.push(row!.id);
  }
  await db
    .update(proxies)
    .set({ userId: owner.userId, module: owner.module, status: 'allocated', allocatedAt: new Date() })
    .where(inArray(proxies.id, ids));
  return ids;
}
