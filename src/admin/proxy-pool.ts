import { sql } from 'drizzle-orm';
import type { Db } from '../db';
import type { Config } from '../lib/config';
import { scrubCredentials } from '../lib/logger';
import { describeEndpoint } from '../proxies/addresses';
import { poolCounts, type PoolCounts } from '../proxies/pool';
import { createProxy6Provider } from '../proxies/provider';

/** How many dead and how many benched proxies the screen lists; the counts say how many there are in all. */
const LISTED = 100;
/** The provider's balance is one call to its API; a slow shop must not hold the screen up. */
const BALANCE_TIMEOUT_MS = 5000;

export interface ProxyOutOfService {
  id: string;
  /** `http://user@host:port`: never the password. */
  endpoint: string;
  lastError: string | null;
  /** Until when a benched (or resting) proxy sits out; none for a dead one. */
  restUntil: Date | null;
  failureCount: number;
  updatedAt: Date;
}

export type ProviderBalance =
  | { status: 'not_configured' }
  | { status: 'ok'; provider: string; balance: number; currency: string }
  | { status: 'unavailable'; provider: string; error: string };

export interface ProxyPoolOverview {
  counts: PoolCounts;
  poolMin: number;
  dead: ProxyOutOfService[];
  benched: ProxyOutOfService[];
  provider: ProviderBalance;
}

async function outOfService(db: Db, which: 'dead' | 'benched'): Promise<ProxyOutOfService[]> {
  const rows = await db.execute<{
    id: string;
    protocol: 'http' | 'https' | 'socks5';
    host: string;
    port: number;
    username: string | null;
    last_error: string | null;
    rest_until: string | null;
    failure_count: number;
    updated_at: string;
  }>(sql`
    select id, protocol, host, port, username, last_error, rest_until, failure_count, updated_at from proxies
    where ${which === 'dead' ? sql`status = 'dead'` : sql`status <> 'dead' and rest_until > now()`}
    order by ${which === 'dead' ? sql`updated_at desc` : sql`rest_until desc`}, id
    limit ${LISTED}`);
  return rows.rows.map((r) => ({
    id: r.id,
    endpoint: describeEndpoint({ ...r, protocol: r.protocol === 'socks5' ? 'socks5' : 'http' }),
    lastError: r.last_error,
    restUntil: r.rest_until ? new Date(r.rest_until) : null,
    failureCount: r.failure_count,
    updatedAt: new Date(r.updated_at),
  }));
}

/** What the provider's account holds; without `PROXY_PROVIDER_KEY` there is no provider to ask. */
export async function providerBalance(config: Pick<Config, 'proxies'>): Promise<ProviderBalance> {
  const { url, apiKey } = config.proxies.provider;
  if (!apiKey) return { status: 'not_configured' };
  const provider = createProxy6Provider({ url, apiKey, timeoutMs: BALANCE_TIMEOUT_MS });
  try {
    return { status: 'ok', provider: provider.name, ...(await provider.balance()) };
  } catch (err) {
    return {
      status: 'unavailable',
      provider: provider.name,
      error: scrubCredentials(err instanceof Error ? err.message : String(err)),
    };
  }
}

/** The pool for the admin's screen: counts by status and module, what is out of service and why, the balance. */
export async function proxyPoolOverview(db: Db, config: Pick<Config, 'proxies'>): Promise<ProxyPoolOverview> {
  const [counts, dead, benched, provider] = await Promise.all([
    poolCounts(db),
    outOfService(db, 'dead'),
    outOfService(db, 'benched'),
    providerBalance(config),
  ]);
  return { counts, poolMin: config.proxies.poolMin, dead, benched, provider };
}
