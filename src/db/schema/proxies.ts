import { sql } from 'drizzle-orm';
import { doublePrecision, index, integer, pgTable, text, unique, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, ts, updatedAt } from './columns';
import { PROXY_MODULES } from '../../domain/plans';
import { users } from './users';

export { PROXY_MODULES, type ProxyModule } from '../../domain/plans';

export const proxies = pgTable(
  'proxies',
  {
    id: id(),
    protocol: text('protocol', { enum: ['http', 'https', 'socks5'] })
      .notNull()
      .default('http'),
    host: text('host').notNull(),
    port: integer('port').notNull(),
    username: text('username'),
    /** AES-256-GCM ciphertext. */
    passwordEnc: text('password_enc'),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    module: text('module', { enum: PROXY_MODULES }),
    status: text('status', { enum: ['available', 'allocated', 'resting', 'dead'] })
      .notNull()
      .default('available'),
    allocatedAt: ts('allocated_at'),
    /** Requests in the current budget window, and when that window began. */
    requestCount: integer('request_count').notNull().default(0),
    windowStartedAt: ts('window_started_at'),
    /** Not to be used before this time (resting after rotation, or benched after a ban). */
    restUntil: ts('rest_until'),
    successCount: integer('success_count').notNull().default(0),
    failureCount: integer('failure_count').notNull().default(0),
    lastError: text('last_error'),
    lastUsedAt: ts('last_used_at'),
    provider: text('provider'),
    providerProxyId: text('provider_proxy_id'),
    expiresAt: ts('expires_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // One row per endpoint and login; a proxy without a login is one endpoint too.
    unique('proxies_endpoint_key').on(t.host, t.port, t.username).nullsNotDistinct(),
    index('proxies_owner_idx').on(t.userId, t.module, t.status),
    index('proxies_free_idx')
      .on(t.status)
      .where(sql`${t.userId} is null`),
  ],
);

/**
 * One row per lease: the permits granted (`requests`), what came of them, and until when its reads may
 * start (`useBy`). It is also the ledger of each proxy's budget: a lease counts against the budget from
 * `startedAt` until one budget window after it was reported (or after `useBy`, if never reported).
 */
export const proxyUsageLog = pgTable(
  'proxy_usage_log',
  {
    id: id(),
    proxyId: uuid('proxy_id')
      .notNull()
      .references(() => proxies.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    module: text('module', { enum: PROXY_MODULES }),
    requests: integer('requests').notNull().default(0),
    /** The pace a lease of several budget windows keeps; null for a lease of one window, spent at any pace. */
    readsPerSecond: doublePrecision('reads_per_second'),
    successes: integer('successes').notNull().default(0),
    failures: integer('failures').notNull().default(0),
    startedAt: ts('started_at').notNull().defaultNow(),
    useBy: ts('use_by'),
    finishedAt: ts('finished_at'),
  },
  (t) => [
    index('proxy_usage_log_proxy_idx').on(t.proxyId, t.startedAt),
    index('proxy_usage_log_started_idx').on(t.startedAt),
  ],
);
