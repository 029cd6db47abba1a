/**
 * Read capacity against Kaspi's per-IP limits, leased from the user's own proxies for one module.
 *
 * Contract (the demper's, orders' and catalog's read activities call exactly this):
 *
 * `acquire({ userId, module, wanted })` answers one of
 * - `proxy`: read through `proxyUrl` (credentials included — keep it out of logs and workflow
 *   payloads) at most `permits` times (1 ≤ permits ≤ wanted), starting every read within
 *   `useWithinMs` — and no faster than `readsPerSecond` when it is set (a lease of several budget
 *   windows, `leaseToGrant`), the first not before `startsInMs` when that is set (a lease carrying on
 *   its proxy's pace); then call `report` once with how they went. Permits left unused are dropped:
 *   once reported, a lease counts only the reads it made.
 * - `direct`: the user has no proxies for this module (free plan, or an allocation not done yet):
 *   read from the process's own address (the direct read channel paces those).
 * - `wait`: every proxy of the user for this module is resting, benched or spent; ask again after
 *   `retryAfterMs` (when the next one frees up).
 *
 * `report(lease, outcome)` after a `proxy` grant, once its reads are over (all of them started):
 * - `succeeded`: reads Kaspi answered (any answer that is not a ban, 407 or transport failure);
 * - `failed`: reads that failed through the proxy (refused tunnel, reset, timeout, 5xx, HTML page):
 *   they count toward the proxy's health; more than half of 10+ requests failing kills it;
 * - `banned`: Kaspi answered 403 (its per-IP ban): the proxy is benched for the ban duration;
 * - `proxyAuthFailed`: the proxy answered 407: it is dead at once.
 * A dead proxy is replaced from the free pool and administrators are alerted. Reporting a lease
 * twice changes nothing.
 *
 * Build it with `readCapacityFor(activityDeps)`. Readers do not call it directly: `poolReadChannel`
 * (read-channel.ts) puts it behind the read channel every module reads through.
 *
 * The budget is kept in PostgreSQL (see `domain/proxy-budget.ts`), so any number of workers leasing
 * together never exceed a proxy's budget: a grant is computed while holding the proxy's row lock,
 * from every committed lease of that proxy.
 */
import { and, count, eq, isNull, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../db';
import { proxies, proxyUsageLog } from '../db/schema';
import { openFrom } from '../db/sealed-columns';
import type { ProxyModule } from '../domain/plans';
import {
  carriesPace,
  carryOnDelayMs,
  isFailing,
  leaseToGrant,
  paceOf,
  restSecondsAfterGrant,
  type BudgetRules,
} from '../domain/proxy-budget';
import type { Config } from '../lib/config';
import type { Keyring } from '../lib/crypto';
import type { Logger } from '../lib/logger';
import { recordAlert } from '../notify/alerts';
import { markProxyDead } from './pool';

/** What `acquire` answers (see the contract above). */
export type LeaseGrant =
  | {
      kind: 'proxy';
      leaseId: string;
      proxyId: string;
      proxyUrl: string;
      permits: number;
      useWithinMs: number;
      /** Set when the lease spans several budget windows: start the reads no faster than this. */
      readsPerSecond?: number;
      /** A lease that carries on its proxy's pace starts its first read this long after the grant. */
      startsInMs?: number;
    }
  | { kind: 'direct' }
  | { kind: 'wait'; retryAfterMs: number };

/** How a `proxy` grant's reads went, as `report` takes it. */
export interface LeaseOutcome {
  succeeded: number;
  failed: number;
  banned?: boolean;
  proxyAuthFailed?: boolean;
  /** A short description of the last failure, without secrets. */
  lastError?: string;
}

export interface Lease {
  leaseId: string;
  proxyId: string;
}

export interface ReadCapacity {
  acquire(request: { userId: string; module: ProxyModule; wanted: number }): Promise<LeaseGrant>;
  report(lease: Lease, outcome: LeaseOutcome): Promise<void>;
}

export interface ReadCapacityDeps {
  db: Db;
  keyring: Keyring;
  logger: Logger;
  rules: BudgetRules;
}

/** The read capacity an activity uses, with the configured limit profile. */
export function readCapacityFor(deps: { db: Db; keyring: Keyring; logger: Logger; config: Config }): ReadCapacity {
  return createReadCapacity({
    db: deps.db,
    keyring: deps.keyring,
    logger: deps.logger,
    rules: deps.config.proxies.limits,
  });
}

/** Picks are retried this often when another worker holds the only proxy with room (a lock for milliseconds). */
const PICK_ATTEMPTS = 5;
/**
 * A lease holds a free proxy for at most this many budget windows: long enough that one lease serves
 * a batch's reads, short enough that the stores of one merchant sharing a proxy take turns often.
 */
const MAX_LEASE_WINDOWS = 10;
/** The shortest wait we ask for, so callers do not spin. */
const MIN_WAIT_MS = 20;

/** A proxy (`p`) and its ledger rows (`l`), as the queries below name them: `from ${proxies} ${p}`. */
const p = alias(proxies, 'p');
const l = alias(proxyUsageLog, 'l');

type Picked = {
  id: string;
  protocol: string;
  host: string;
  port: number;
  username: string | null;
  password_enc: string | null;
};

export function createReadCapacity(deps: ReadCapacityDeps): ReadCapacity {
  const { db, rules } = deps;
  const windowSql = sql`make_interval(secs => ${rules.budgetWindowSeconds})`;
  const leaseSql = sql`make_interval(secs => ${rules.leaseSeconds})`;
  /** Ledger rows `l` of proxy `p` that still count against its budget at time `at`. */
  const counting = (at: SQL) => sql`
    ${l.proxyId} = ${p.id}
    and ${l.startedAt} > ${at} - ${windowSql} - ${leaseSql}
    and least(coalesce(${l.finishedAt}, ${l.useBy}), ${l.useBy}) + ${windowSql} > ${at}`;

  /** Over a proxy's counting ledger rows: every one kept a pace no faster than the budget's, and is over (`carriesPace`). */
  const pacedAndOver = sql`coalesce(bool_and(${l.finishedAt} is not null and coalesce(${l.readsPerSecond} <= ${paceOf(rules)}, false)), false)`;
  /** Over the same rows: the proxy may have room now (`leaseToGrant` decides how much). */
  const hasRoom = sql`(coalesce(sum(${l.requests}), 0) < ${rules.budgetRequests} or ${pacedAndOver})`;

  function proxyUrl(row: Picked): string {
    const password = row.password_enc ? openFrom(deps.keyring, 'proxyPassword', row.id, row.password_enc) : null;
    const auth =
      row.username === null
        ? ''
        : `${encodeURIComponent(row.username)}${password === null ? '' : `:${encodeURIComponent(password)}`}@`;
    const host = row.host.includes(':') ? `[${row.host}]` : row.host;
    return `${row.protocol}://${auth}${host}:${row.port}`;
  }

  async function tryLease(userId: string, module: ProxyModule, wanted: number, skip: string[]) {
    return db.transaction(async (tx) => {
      const picked = await tx.execute<Picked>(sql`
        select ${p.id}, ${p.protocol}, ${p.host}, ${p.port}, ${p.username}, ${p.passwordEnc} from ${proxies} ${p}
        where ${p.userId} = ${userId} and ${p.module} = ${module} and ${p.status} = 'allocated'
          and (${p.restUntil} is null or ${p.restUntil} <= clock_timestamp())
          ${
            skip.length
              ? sql`and ${p.id} not in (${sql.join(
                  skip.map((id) => sql`${id}`),
                  sql`, `,
                )})`
              : sql``
          }
          and (select ${hasRoom} from ${proxyUsageLog} ${l} where ${counting(sql`clock_timestamp()`)})
        order by ${p.lastUsedAt} nulls first, ${p.id}
        limit 1
        for update of ${p} skip locked`);
      const row = picked.rows[0];
      if (!row) return { kind: 'none' as const };
      // Authoritative count, read after taking the lock: every earlier lease of this proxy has committed.
      // `at` stays PostgreSQL's own microsecond timestamp (as text): a JavaScript Date would round it down.
      const ledger = await tx.execute<{
        at: string;
        used: number;
        paced_and_over: boolean;
        since_last_end_ms: number | null;
      }>(sql`
        with t as (select clock_timestamp() as at)
        select t.at::text as at, c.used, c.paced_and_over, c.since_last_end_ms
        from t cross join lateral (
          select coalesce(sum(${l.requests}), 0)::int as used, ${pacedAndOver} as paced_and_over,
            (extract(epoch from (t.at - max(${l.finishedAt}))) * 1000)::float8 as since_last_end_ms
          from ${proxyUsageLog} ${l}, (select ${row.id}::uuid as id) ${p}
          where ${counting(sql`t.at`)}
        ) c`);
      const { at, used, paced_and_over: pacedOver, since_last_end_ms: sinceLastEndMs } = ledger.rows[0]!;
      const counted = { usedPermits: used, pacedAndOver: pacedOver };
      const { permits, readsPerSecond } = leaseToGrant(wanted, counted, rules, MAX_LEASE_WINDOWS);
      if (permits === 0) return { kind: 'full' as const, proxyId: row.id };
      const startsInMs = carriesPace(counted, rules) ? carryOnDelayMs(Number(sinceLastEndMs ?? 0), rules) : 0;
      const restSeconds = restSecondsAfterGrant(used + permits, rules);
      const [lease] = await tx
        .insert(proxyUsageLog)
        .values({
          proxyId: row.id,
          userId,
          module,
          requests: permits,
          readsPerSecond: readsPerSecond ?? null,
          startedAt: sql`${at}::timestamptz`,
          useBy: sql`${at}::timestamptz + ${leaseSql}`,
        })
        .returning({ id: proxyUsageLog.id });
      await tx
        .update(proxies)
        .set({
          lastUsedAt: sql`${at}::timestamptz`,
          updatedAt: sql`now()`,
          ...(restSeconds === undefined
            ? {}
            : {
                restUntil: sql`greatest(${proxies.restUntil}, ${at}::timestamptz + make_interval(secs => ${restSeconds}))`,
              }),
        })
        .where(eq(proxies.id, row.id));
      return {
        kind: 'granted' as const,
        grant: {
          kind: 'proxy' as const,
          leaseId: lease!.id,
          proxyId: row.id,
          proxyUrl: proxyUrl(row),
          permits,
          useWithinMs: rules.leaseSeconds * 1000,
          ...(readsPerSecond === undefined ? {} : { readsPerSecond }),
          ...(startsInMs > 0 ? { startsInMs } : {}),
        },
      };
    });
  }

  /**
   * How long until one of the user's proxies for the module may have room; null when they hold none.
   * A lease still in use (not reported) may end any moment — its reads usually take a second, not its
   * whole `use_by` allowance — so it is taken to end now: the caller asks again one window from now.
   */
  async function nextFree(userId: string, module: ProxyModule): Promise<number | null> {
    const result = await db.execute<{ proxies: number; wait_ms: number | null }>(sql`
      with t as (select clock_timestamp() as at),
      free as (
        select greatest(
          coalesce(${p.restUntil}, t.at),
          case when coalesce(sum(${l.requests}), 0) >= ${rules.budgetRequests}
            then min(least(coalesce(${l.finishedAt}, t.at), ${l.useBy}) + ${windowSql}) else t.at end
        ) as at
        from t, ${proxies} ${p} left join ${proxyUsageLog} ${l} on ${counting(sql`(select at from t)`)}
        where ${p.userId} = ${userId} and ${p.module} = ${module} and ${p.status} = 'allocated'
        group by ${p.id}, ${p.restUntil}, t.at
      )
      select count(*)::int as proxies,
        (extract(epoch from (min(free.at) - (select at from t))) * 1000)::float8 as wait_ms
      from free`);
    const row = result.rows[0]!;
    return row.proxies === 0 ? null : Math.max(0, Number(row.wait_ms ?? 0));
  }

  async function retire(proxyId: string, reason: string): Promise<void> {
    const dead = await markProxyDead(db, proxyId, reason);
    if (!dead) return;
    const who = dead.owner
      ? ` It was user ${dead.owner.userId}'s ${dead.owner.module} proxy; ${dead.owner.replaced ? 'a free proxy replaced it' : 'the free pool had none to replace it'}.`
      : '';
    await recordAlert(db, deps.logger, {
      audience: 'admin',
      kind: 'proxy_dead',
      message: `Proxy ${dead.endpoint} is dead: ${reason}.${who}`,
    });
    if (dead.owner && !dead.owner.replaced) await alertIfSpent(dead.owner.userId, dead.owner.module);
  }

  /** The merchant hears when the last of their proxies for a module is gone: its reads now leave from our own address, slower. */
  async function alertIfSpent(userId: string, module: ProxyModule): Promise<void> {
    const [left] = await db
      .select({ n: count() })
      .from(proxies)
      .where(and(eq(proxies.userId, userId), eq(proxies.module, module), eq(proxies.status, 'allocated')));
    if (left!.n > 0) return;
    await recordAlert(db, deps.logger, {
      audience: 'user',
      userId,
      kind: 'proxies_spent',
      message:
        `Every proxy of yours for ${module} has failed and no spare one was left to replace it, so ${module} reads now go ` +
        "from the service's own address, more slowly. New proxies are given as soon as the pool has them.",
      link: '/api/v1/billing/subscription',
    });
  }

  return {
    async acquire({ userId, module, wanted }) {
      if (!Number.isInteger(wanted) || wanted < 1) throw new RangeError('wanted must be a positive integer');
      const skip: string[] = [];
      for (let attempt = 0; attempt < PICK_ATTEMPTS; attempt++) {
        const result = await tryLease(userId, module, wanted, skip);
        if (result.kind === 'granted') return result.grant;
        if (result.kind === 'full') {
          skip.push(result.proxyId);
          continue;
        }
        const waitMs = await nextFree(userId, module);
        if (waitMs === null) return { kind: 'direct' };
        // A proxy with room that another worker had locked for a moment: look again at once.
        if (waitMs > 0) return { kind: 'wait', retryAfterMs: Math.max(MIN_WAIT_MS, Math.ceil(waitMs)) };
        skip.length = 0;
      }
      return { kind: 'wait', retryAfterMs: MIN_WAIT_MS };
    },

    async report(lease, outcome) {
      const succeeded = Math.max(0, Math.floor(outcome.succeeded));
      const failed = Math.max(0, Math.floor(outcome.failed));
      const health = await db.transaction(async (tx) => {
        const closed = await tx
          .update(proxyUsageLog)
          .set({
            requests: sql`least(${proxyUsageLog.requests}, ${succeeded + failed + (outcome.banned ? 1 : 0)})`,
            successes: succeeded,
            failures: failed,
            finishedAt: sql`clock_timestamp()`,
          })
          .where(
            and(
              eq(proxyUsageLog.id, lease.leaseId),
              eq(proxyUsageLog.proxyId, lease.proxyId),
              isNull(proxyUsageLog.finishedAt),
            ),
          )
          .returning({ id: proxyUsageLog.id });
        if (closed.length === 0) return undefined;
        const [updated] = await tx
          .update(proxies)
          .set({
            successCount: sql`${proxies.successCount} + ${succeeded}`,
            failureCount: sql`${proxies.failureCount} + ${failed}`,
            ...(outcome.lastError ? { lastError: outcome.lastError.slice(0, 500) } : {}),
            ...(outcome.banned
              ? {
                  restUntil: sql`greatest(${proxies.restUntil}, clock_timestamp() + make_interval(secs => ${rules.banBenchSeconds}))`,
                }
              : {}),
            updatedAt: sql`now()`,
          })
          .where(eq(proxies.id, lease.proxyId))
          .returning({ successCount: proxies.successCount, failureCount: proxies.failureCount });
        return updated;
      });
      if (!health) return;
      if (outcome.proxyAuthFailed) {
        await retire(lease.proxyId, 'the proxy refused our credentials (407)');
      } else if (isFailing(health.successCount, health.failureCount)) {
        await retire(
          lease.proxyId,
          `${health.failureCount} of ${health.successCount + health.failureCount} requests through it failed`,
        );
      }
      if (outcome.banned)
        deps.logger.info({ proxyId: lease.proxyId, benchSeconds: rules.banBenchSeconds }, 'proxy benched after a ban');
    },
  };
}
