import { heartbeat } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { and, eq, isNotNull, lte, ne, sql } from 'drizzle-orm';
import { closeActiveSubscription, downgradeToFree } from '../billing/subscriptions';
import { proxies, subscriptions } from '../db/schema';
import { recordAlert } from '../notify/alerts';
import { refusedAddressReason } from '../proxies/addresses';
import { upsertProxy } from '../proxies/import';
import { poolCounts, proxyHolders, releaseProxies } from '../proxies/pool';
import { pruneUsageLog } from '../proxies/usage-log';
import { createProxy6Provider, ProviderError, PROVIDER_NO_MONEY, type ProxyProvider } from '../proxies/provider';
import { subscriptionWorkflowId } from '../workflows/messages';
import type { ActivityDeps } from './deps';

/** Proxies whose provider lease ends this soon are prolonged. */
const PROLONG_WITHIN_MS = 3 * 86_400_000;

export interface PoolMaintenance {
  free: number;
  min: number;
  bought: number;
  prolonged: number;
  deletedAtProvider: number;
  /** Why the pool could not be kept at its minimum, when it could not. */
  problem?: string;
}

export function createProxyActivities(deps: Pick<ActivityDeps, 'db' | 'logger' | 'keyring' | 'config' | 'temporal'>) {
  const { db, logger, keyring, config, temporal } = deps;
  const settings = config.proxies;
  const provider: ProxyProvider | undefined = settings.provider.apiKey
    ? createProxy6Provider({ url: settings.provider.url, apiKey: settings.provider.apiKey })
    : undefined;
  const alertAdmins = (kind: string, message: string) => recordAlert(db, logger, { audience: 'admin', kind, message });

  async function subscriptionRunning(userId: string): Promise<boolean> {
    try {
      const description = await temporal.workflow.getHandle(subscriptionWorkflowId(userId)).describe();
      return description.status.name === 'RUNNING';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }

  return {
    /**
     * Releases proxies held by users without an active subscription, or whose subscription workflow
     * is gone (terminated: its compensations never ran); such a subscription is closed and the user
     * goes back to the free plan. Proxies allocated after this run began are left alone.
     */
    async reconcileProxyLeaks(): Promise<{ users: number; proxies: number }> {
      const startedAt = new Date((await db.execute<{ now: Date }>(sql`select now() as now`)).rows[0]!.now);
      const holders = await proxyHolders(db);
      let usersReleased = 0;
      let proxiesReleased = 0;
      for (const holder of holders) {
        const [active] = await db
          .select({ plan: subscriptions.plan })
          .from(subscriptions)
          .where(and(eq(subscriptions.userId, holder.userId), eq(subscriptions.status, 'active')));
        const running = await subscriptionRunning(holder.userId);
        if (active && running) continue;
        const released = await releaseProxies(db, { userId: holder.userId, allocatedBefore: startedAt });
        if (released === 0) continue;
        usersReleased++;
        proxiesReleased += released;
        if (active) {
          await closeActiveSubscription(db, holder.userId, 'cancelled');
          await downgradeToFree(db, logger, { userId: holder.userId, fromPlan: active.plan });
        }
        await alertAdmins(
          'proxy_leak',
          `Released ${released} proxies of user ${holder.userId}: ` +
            (active
              ? `the ${active.plan} subscription's workflow was not running, so the subscription was closed.`
              : 'they have no active subscription.'),
        );
      }
      return { users: usersReleased, proxies: proxiesReleased };
    },

    /** Deletes read leases older than `PROXY_USAGE_LOG_KEEP_HOURS`: the ledger gains a row per batch of reads. */
    async pruneProxyUsageLog(): Promise<{ deleted: number }> {
      const deleted = await pruneUsageLog(db, { keepHours: settings.usageLogKeepHours, rules: settings.limits }, (n) =>
        heartbeat(n),
      );
      return { deleted };
    },

    /**
     * Keeps at least `PROXY_POOL_MIN` free proxies: prolongs provider proxies about to expire, gives
     * dead ones back to the provider, and buys what is missing as far as the balance goes. Admins are
     * alerted whenever the pool stays below its minimum.
     */
    async maintainProxyPool(): Promise<PoolMaintenance> {
      const report: PoolMaintenance = { free: 0, min: settings.poolMin, bought: 0, prolonged: 0, deletedAtProvider: 0 };
      try {
        if (provider) {
          report.deletedAtProvider = await retireDeadAtProvider(provider);
          report.prolonged = await prolongExpiring(provider);
        }
        report.free = (await poolCounts(db)).available;
        const missing = settings.poolMin - report.free;
        if (missing > 0) {
          if (!provider) {
            report.problem = 'no proxy provider is configured (PROXY_PROVIDER_KEY)';
          } else {
            report.bought = await buy(provider, missing);
            report.free += report.bought;
            if (report.bought < missing)
              report.problem = `the provider's balance pays for ${report.bought} of the ${missing} proxies missing`;
          }
        }
      } catch (err) {
        if (!(err instanceof ProviderError)) throw err;
        report.problem = err.errorId === PROVIDER_NO_MONEY ? 'the provider account has no money left' : err.message;
      }
      if (report.problem) {
        await alertAdmins(
          'proxy_pool_low',
          `The free proxy pool has ${report.free} proxies, below the minimum of ${report.min}: ${report.problem}.`,
        );
      }
      return report;
    },
  };

  async function buy(p: ProxyProvider, wanted: number): Promise<number> {
    const [{ balance }, { perProxy }] = await Promise.all([p.balance(), p.price(1, settings.provider.periodDays)]);
    const affordable = perProxy > 0 ? Math.floor(balance / perProxy) : wanted;
    const count = Math.min(wanted, affordable);
    if (count <= 0) return 0;
    const bought = await p.buy({
      count,
      periodDays: settings.provider.periodDays,
      country: settings.provider.country,
      descr: 'kaspi-demper',
    });
    let added = 0;
    for (const proxy of bought) {
      // The provider's answer is checked like an admin's import: a host inside our network is never used.
      const refused = settings.allowPrivateAddresses ? undefined : await refusedAddressReason(proxy.host);
      if (refused) {
        logger.warn({ providerProxyId: proxy.providerProxyId, reason: refused }, 'provider proxy refused');
        await alertAdmins(
          'proxy_refused',
          `The proxy provider sold a proxy (id ${proxy.providerProxyId}) that is not used: ${refused}.`,
        );
        continue;
      }
      await upsertProxy(db, keyring, proxy, {
        provider: p.name,
        providerProxyId: proxy.providerProxyId,
        expiresAt: proxy.expiresAt,
      });
      added++;
    }
    logger.info({ bought: bought.length, added }, 'bought proxies for the free pool');
    return added;
  }

  async function prolongExpiring(p: ProxyProvider): Promise<number> {
    const expiring = await db
      .select({ id: proxies.id, providerProxyId: proxies.providerProxyId })
      .from(proxies)
      .where(
        and(
          eq(proxies.provider, p.name),
          isNotNull(proxies.providerProxyId),
          ne(proxies.status, 'dead'),
          lte(proxies.expiresAt, new Date(Date.now() + PROLONG_WITHIN_MS)),
        ),
      );
    if (expiring.length === 0) return 0;
    const ends = await p.prolong(
      expiring.map((e) => e.providerProxyId!),
      settings.provider.periodDays,
    );
    for (const proxy of expiring) {
      const end = ends.get(proxy.providerProxyId!);
      if (end) await db.update(proxies).set({ expiresAt: end }).where(eq(proxies.id, proxy.id));
    }
    return ends.size;
  }

  async function retireDeadAtProvider(p: ProxyProvider): Promise<number> {
    const dead = await db
      .select({ id: proxies.id, providerProxyId: proxies.providerProxyId })
      .from(proxies)
      .where(and(eq(proxies.provider, p.name), isNotNull(proxies.providerProxyId), eq(proxies.status, 'dead')));
    if (dead.length === 0) return 0;
    const deleted = await p.delete(dead.map((d) => d.providerProxyId!));
    for (const proxy of dead)
      await db.update(proxies).set({ providerProxyId: null, expiresAt: new Date() }).where(eq(proxies.id, proxy.id));
    return deleted;
  }
}
