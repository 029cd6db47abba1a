import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

const { reconcileProxyLeaks, maintainProxyPool, pruneProxyUsageLog } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', maximumAttempts: 5 },
});

export interface ProxyPoolReport {
  leaks: Awaited<ReturnType<Activities['reconcileProxyLeaks']>>;
  pool: Awaited<ReturnType<Activities['maintainProxyPool']>>;
  usageLog: Awaited<ReturnType<Activities['pruneProxyUsageLog']>>;
}

/**
 * Started by the `proxy-pool` Schedule every 6 hours: first gives back proxies that leaked (held by
 * users whose subscription is over or whose subscription workflow no longer runs — termination skips
 * its compensations), then keeps the free pool at `PROXY_POOL_MIN` within the provider's balance, and
 * last deletes old read leases.
 */
export async function proxyPoolWorkflow(): Promise<ProxyPoolReport> {
  const leaks = await reconcileProxyLeaks();
  const pool = await maintainProxyPool();
  const usageLog = await pruneProxyUsageLog();
  return { leaks, pool, usageLog };
}
