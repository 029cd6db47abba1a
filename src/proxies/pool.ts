import { sql } from 'drizzle-orm';
import type { Db } from '../db';
import { PROXY_MODULES, type ProxyModule } from '../domain/plans';
import { describeEndpoint } from './addresses';

/**
 * The free pool and per-user allocations, in SQL that many workers may run at once: picks lock their
 * rows with `FOR UPDATE SKIP LOCKED`, so two allocations never take the same proxy, and one user's
 * module is topped up under an advisory lock, so a retried allocation never takes more than asked.
 */

/** Free proxies fit to hand out: not dead, not expired at the provider; rested ones first. */
const freePick = (limit: number) => sql`
  select id from proxies
  where user_id is null and status = 'available' and (expires_at is null or expires_at > now())
  order by (rest_until is not null and rest_until > now()), created_at, id
  limit ${limit}
  for update skip locked`;

export interface Allocation {
  module: ProxyModule;
  wanted: number;
  /** Proxies the user holds for the module now; fewer than `wanted` when the pool ran short. */
  held: number;
}

/**
 * Tops the user's proxies for `module` up to `count`. Idempotent: run again (a retry), it takes only
 * what is still missing. Takes what the free pool has when it has too few.
 */
export async function allocateProxies(
  db: Db,
  input: { userId: string; module: ProxyModule; count: number },
): Promise<Allocation> {
  return db.transaction(async (tx) => {
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtextextended(${`proxies:${input.userId}:${input.module}`}, 0))`,
    );
    const held = await tx.execute<{ n: number }>(sql`
      select count(*)::int as n from proxies
      where user_id = ${input.userId} and module = ${input.module} and status = 'allocated'`);
    const already = held.rows[0]!.n;
    const missing = input.count - already;
    if (missing <= 0) return { module: input.module, wanted: input.count, held: already };
    const taken = await tx.execute(sql`
      update proxies set user_id = ${input.userId}, module = ${input.module}, status = 'allocated', allocated_at = now(), updated_at = now()
      where id in (${freePick(missing)})
      returning id`);
    return { module: input.module, wanted: input.count, held: already + taken.rows.length };
  });
}

/**
 * Gives the user's proxies (of one module, or all) back to the free pool. Releasing what is not
 * allocated does nothing, so it is safe to repeat. `allocatedBefore` spares proxies taken after that
 * moment (a reconciliation must not release what a new subscription just allocated).
 */
export async function releaseProxies(
  db: Db,
  input: { userId: string; module?: ProxyModule; allocatedBefore?: Date },
): Promise<number> {
  const released = await db.execute(sql`
    update proxies set user_id = null, module = null, status = 'available', allocated_at = null, updated_at = now()
    where user_id = ${input.userId} and status = 'allocated'
      ${input.module ? sql`and module = ${input.module}` : sql``}
      ${input.allocatedBefore ? sql`and allocated_at < ${input.allocatedBefore.toISOString()}` : sql``}
    returning id`);
  return released.rows.length;
}

export interface DeadProxy {
  proxyId: string;
  endpoint: string;
  /** Who held it, and whether a free proxy took its place. */
  owner?: { userId: string; module: ProxyModule; replaced: boolean };
}

/**
 * Takes a proxy out of service for good and, if someone held it, gives them a free one in its place.
 * Returns undefined when it was dead already (a second report of the same failure).
 */
export async function markProxyDead(db: Db, proxyId: string, reason: string): Promise<DeadProxy | undefined> {
  return db.transaction(async (tx) => {
    const killed = await tx.execute<{
      user_id: string | null;
      module: ProxyModule | null;
      protocol: 'http' | 'https' | 'socks5';
      host: string;
      port: number;
      username: string | null;
    }>(sql`
      with old as (select id, user_id, module from proxies where id = ${proxyId} and status <> 'dead' for update)
      update proxies p set status = 'dead', user_id = null, module = null, allocated_at = null,
        last_error = ${reason.slice(0, 500)}, updated_at = now()
      from old where p.id = old.id
      returning old.user_id, old.module, p.protocol, p.host, p.port, p.username`);
    const row = killed.rows[0];
    if (!row) return undefined;
    const dead: DeadProxy = {
      proxyId,
      endpoint: describeEndpoint({ ...row, protocol: row.protocol === 'socks5' ? 'socks5' : 'http' }),
    };
    if (row.user_id && row.module) {
      const replacement = await tx.execute(sql`
        update proxies set user_id = ${row.user_id}, module = ${row.module}, status = 'allocated', allocated_at = now(), updated_at = now()
        where id in (${freePick(1)})
        returning id`);
      dead.owner = { userId: row.user_id, module: row.module, replaced: replacement.rows.length > 0 };
    }
    return dead;
  });
}

export interface PoolCounts {
  total: number;
  /** Free for allocation (not dead, not expired). */
  available: number;
  allocated: number;
  dead: number;
  /** Not dead and resting after a spent budget or benched after a ban, right now. */
  resting: number;
  allocatedByModule: Record<ProxyModule, number>;
  usersWithProxies: number;
}

export async function poolCounts(db: Db): Promise<PoolCounts> {
  const [totals, modules] = await Promise.all([
    db.execute<{
      total: number;
      available: number;
      allocated: number;
      dead: number;
      resting: number;
      users: number;
    }>(sql`
      select count(*)::int as total,
        count(*) filter (where status = 'available' and (expires_at is null or expires_at > now()))::int as available,
        count(*) filter (where status = 'allocated')::int as allocated,
        count(*) filter (where status = 'dead')::int as dead,
        count(*) filter (where status <> 'dead' and rest_until > now())::int as resting,
        count(distinct user_id)::int as users
      from proxies`),
    db.execute<{ module: ProxyModule; n: number }>(sql`
      select module, count(*)::int as n from proxies where status = 'allocated' group by module`),
  ]);
  const t = totals.rows[0]!;
  const allocatedByModule = Object.fromEntries(PROXY_MODULES.map((m) => [m, 0])) as Record<ProxyModule, number>;
  for (const row of modules.rows) allocatedByModule[row.module] = row.n;
  return {
    total: t.total,
    available: t.available,
    allocated: t.allocated,
    dead: t.dead,
    resting: t.resting,
    allocatedByModule,
    usersWithProxies: t.users,
  };
}

/** Users who hold proxies, and how many. */
export async function proxyHolders(db: Db): Promise<{ userId: string; proxies: number }[]> {
  const rows = await db.execute<{ user_id: string; n: number }>(sql`
    select user_id, count(*)::int as n from proxies where user_id is not null and status = 'allocated' group by user_id`);
  return rows.rows.map((r) => ({ userId: r.user_id, proxies: r.n }));
}
