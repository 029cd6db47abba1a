import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { proxies } from '../db/schema';
import { sealFor } from '../db/sealed-columns';
import type { Keyring } from '../lib/crypto';
import { maskSecret, parseProxyUrl, refusedAddressReason, type ProxyEndpoint, type Resolver } from './addresses';

export interface ProviderInfo {
  provider: string;
  providerProxyId: string;
  expiresAt: Date | null;
}

export interface RejectedLine {
  index: number;
  /** The line as given, password masked. */
  input: string;
  reason: string;
}

export interface ImportReport {
  /** New proxies added to the free pool. */
  imported: number;
  /** Proxies already known whose protocol or password were updated (a dead one comes back to the pool). */
  updated: number;
  rejected: RejectedLine[];
}

/**
 * Adds a proxy to the pool, or refreshes the one with the same host, port and user: its protocol
 * and password change, a dead one comes back as available, an allocated one stays with its owner.
 */
export async function upsertProxy(
  db: Db,
  keyring: Keyring,
  endpoint: ProxyEndpoint,
  provider?: ProviderInfo,
): Promise<'imported' | 'updated'> {
  for (let attempt = 0; ; attempt++) {
    const [existing] = await db
      .select({ id: proxies.id })
      .from(proxies)
      .where(
        and(
          eq(proxies.host, endpoint.host),
          eq(proxies.port, endpoint.port),
          sql`${proxies.username} is not distinct from ${endpoint.username}`,
        ),
      );
    const id = existing?.id ?? randomUUID();
    const passwordEnc = endpoint.password === null ? null : sealFor(keyring, 'proxyPassword', id, endpoint.password);
    if (existing) {
      await db
        .update(proxies)
        .set({
          protocol: endpoint.protocol,
          passwordEnc,
          ...(provider ?? {}),
          status: sql`case when ${proxies.status} = 'dead' then 'available' else ${proxies.status} end`,
          successCount: sql`case when ${proxies.status} = 'dead' then 0 else ${proxies.successCount} end`,
          failureCount: sql`case when ${proxies.status} = 'dead' then 0 else ${proxies.failureCount} end`,
          lastError: sql`case when ${proxies.status} = 'dead' then null else ${proxies.lastError} end`,
        })
        .where(eq(proxies.id, id));
      return 'updated';
    }
    const inserted = await db
      .insert(proxies)
      .values({ id, ...endpoint, passwordEnc, status: 'available', ...(provider ?? {}) })
      .onConflictDoNothing()
      .returning({ id: proxies.id });
    if (inserted.length > 0) return 'imported';
    // Someone added the same endpoint meanwhile: update theirs instead.
    if (attempt > 0) throw new Error('proxy endpoint changed concurrently twice');
  }
}

/**
 * Imports the lines an admin pasted. Each line is judged on its own: malformed ones and ones that
 * point at loopback or private addresses (unless allowed) are reported with their index and reason;
 * the rest are added or refreshed.
 */
export async function importProxies(
  db: Db,
  keyring: Keyring,
  lines: string[],
  options: { allowPrivateAddresses: boolean; resolve?: Resolver },
): Promise<ImportReport> {
  const report: ImportReport = { imported: 0, updated: 0, rejected: [] };
  const seen = new Set<string>();
  for (const [index, line] of lines.entries()) {
    const reject = (reason: string) => report.rejected.push({ index, input: maskSecret(line), reason });
    const parsed = parseProxyUrl(line);
    if (!parsed.ok) {
      reject(parsed.reason);
      continue;
    }
    const endpoint = parsed.value;
    const key = `${endpoint.host}|${endpoint.port}|${endpoint.username ?? ''}`;
    if (seen.has(key)) {
      reject('the same proxy appears earlier in this import');
      continue;
    }
    seen.add(key);
    if (!options.allowPrivateAddresses) {
      const refused = await refusedAddressReason(endpoint.host, options.resolve);
      if (refused) {
        reject(refused);
        continue;
      }
    }
    report[await upsertProxy(db, keyring, endpoint)]++;
  }
  return report;
}
